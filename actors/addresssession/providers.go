package addresssession

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/humd/humd/storage"
)

// ProviderColumns is the header `humd import providers FILE` expects.
var ProviderColumns = []string{"zip", "provider_id", "provider_name", "technology", "max_download_mbps", "max_upload_mbps",
	"min_price_cents", "telephone", "url"}

// Provider is one internet provider available in a ZIP.
type Provider struct {
	ProviderID   string     `json:"provider_id"`
	ProviderName string     `json:"provider_name"`
	Telephone    string     `json:"telephone,omitempty"`
	URL          string     `json:"url,omitempty"`
	MinPlanPrice *Price     `json:"min_plan_price,omitempty"`
	Offerings    []Offering `json:"offerings"`
}

// Price is an amount in cents.
type Price struct {
	Currency    string `json:"currency"`
	AmountCents int64  `json:"amount_cents"`
}

// Offering is one technology a provider sells at an address.
type Offering struct {
	Technology       string  `json:"technology"`
	MaxDownloadSpeed float64 `json:"max_download_speed"`
	MaxUploadSpeed   float64 `json:"max_upload_speed"`
}

var (
	zipKey     = regexp.MustCompile(`^(\d{5}|\*)$`)
	providerID = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
)

func keyProvider(zip, id string) []byte { return storage.Key("provider", zip, id) }
func prefixProviders(zip string) []byte { return storage.Prefix("provider", zip) }

// importProviders loads a provider catalog CSV (header ProviderColumns; zip
// is a 5-digit ZIP or * for nationwide). Rows for the same (zip,
// provider_id) merge their technologies; re-importing replaces what a row
// names. Any bad row rejects the whole file, naming its line.
func importProviders(st storage.Store, r io.Reader) (int, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(ProviderColumns)
	header, err := cr.Read()
	if err != nil {
		return 0, fmt.Errorf("providers: read header: %w", err)
	}
	for i, want := range ProviderColumns {
		if strings.TrimSpace(strings.ToLower(header[i])) != want {
			return 0, fmt.Errorf("providers: header column %d is %q; want %s", i+1, header[i], strings.Join(ProviderColumns, ","))
		}
	}
	rows := map[string]*Provider{}
	order := []string{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("providers: line %d: %w", line, err)
		}
		zip, p, err := parseRow(rec)
		if err != nil {
			return 0, fmt.Errorf("providers: line %d: %w", line, err)
		}
		k := zip + "/" + p.ProviderID
		if cur, ok := rows[k]; ok {
			cur.Offerings = append(cur.Offerings, p.Offerings...)
			if p.MinPlanPrice != nil && (cur.MinPlanPrice == nil || p.MinPlanPrice.AmountCents < cur.MinPlanPrice.AmountCents) {
				cur.MinPlanPrice = p.MinPlanPrice
			}
			continue
		}
		rows[k] = p
		order = append(order, k)
	}
	b := st.NewBatch()
	for _, k := range order {
		zip, id, _ := strings.Cut(k, "/")
		b.SetJSON(keyProvider(zip, id), rows[k])
	}
	if err := b.Commit(storage.Sync); err != nil {
		return 0, err
	}
	return len(order), nil
}

func parseRow(rec []string) (string, *Provider, error) {
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	zip, id, name, tech := rec[0], rec[1], rec[2], rec[3]
	if !zipKey.MatchString(zip) {
		return "", nil, fmt.Errorf("zip %q must be 5 digits or *", zip)
	}
	if !providerID.MatchString(id) {
		return "", nil, fmt.Errorf("provider_id %q must be 1-64 letters, digits, . _ -", id)
	}
	if name == "" || len(name) > 100 {
		return "", nil, fmt.Errorf("provider_name must be 1-100 characters")
	}
	if tech == "" || len(tech) > 40 {
		return "", nil, fmt.Errorf("technology must be 1-40 characters (fiber, cable, dsl, fixed_wireless, satellite...)")
	}
	down, err1 := strconv.ParseFloat(rec[4], 64)
	up, err2 := strconv.ParseFloat(rec[5], 64)
	if err1 != nil || err2 != nil || down < 0 || up < 0 {
		return "", nil, fmt.Errorf("max_download_mbps and max_upload_mbps must be non-negative numbers")
	}
	p := &Provider{ProviderID: id, ProviderName: name, Telephone: rec[7], URL: rec[8],
		Offerings: []Offering{{Technology: tech, MaxDownloadSpeed: down, MaxUploadSpeed: up}}}
	if rec[6] != "" {
		cents, err := strconv.ParseInt(rec[6], 10, 64)
		if err != nil || cents < 0 {
			return "", nil, fmt.Errorf("min_price_cents must be a non-negative integer")
		}
		p.MinPlanPrice = &Price{Currency: "USD", AmountCents: cents}
	}
	if p.URL != "" {
		if u, err := url.Parse(p.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return "", nil, fmt.Errorf("url %q must be an http(s) URL", p.URL)
		}
	}
	return zip, p, nil
}

// providersFor answers the providers of a ZIP plus the nationwide ones.
func providersFor(st storage.Store, zip5 string) ([]*Provider, error) {
	var out []*Provider
	for _, z := range []string{zip5, "*"} {
		err := st.Scan(prefixProviders(z), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
			var p Provider
			if err := json.Unmarshal(v, &p); err != nil {
				return false, err
			}
			out = append(out, &p)
			return true, nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
