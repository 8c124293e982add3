package addresssession

import (
	"encoding/json"
	"time"

	"github.com/humd/humd/storage"
)

// Session statuses (SPEC 1.1) and agent statuses.
const (
	Open    = "open"
	Closed  = "closed"
	Expired = "expired"

	Pending   = "pending"
	Matched   = "matched"
	Unmatched = "unmatched"
)

// DataSet names the data humd answers from (meta.hum_data_set).
const DataSet = "humd.zipcodes-8.0.0"

// ServiceAddress is the normalized, geocoded address.
type ServiceAddress struct {
	Normalized  string   `json:"normalized"`
	Latitude    *float64 `json:"latitude"`
	Longitude   *float64 `json:"longitude"`
	StreetRange string   `json:"street_range"`
	Street      string   `json:"street"`
	Street2     string   `json:"street2,omitempty"`
	City        string   `json:"city"`
	State       string   `json:"state"`
	Zip         string   `json:"zip"`
}

// Session is one address session.
type Session struct {
	Token          string            `json:"session_token"`
	OrgID          string            `json:"org_id"`
	Status         string            `json:"session_status"`
	AgentStatus    map[string]string `json:"agent_status"`
	Params         json.RawMessage   `json:"session_params"`
	ServiceAddress *ServiceAddress   `json:"service_address"`
	Providers      []*Provider       `json:"providers"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	LastAccessAt   time.Time         `json:"last_access_at"`
}

func keySession(token string) []byte { return storage.Key("asess", token) }

func load(st storage.Store, token string) (*Session, error) {
	var s Session
	if err := storage.GetJSON(st, keySession(token), &s); err != nil {
		return nil, err
	}
	return &s, nil
}

func save(st storage.Store, s *Session, d storage.Durability) error {
	b := st.NewBatch()
	b.SetJSON(keySession(s.Token), s)
	return b.Commit(d)
}

// working reports whether an agent that answers GET is still pending
// (checkout is never run by humd, so it does not count).
func (s *Session) working() bool {
	return s.AgentStatus["geocoding"] == Pending || s.AgentStatus["internet"] == Pending
}
