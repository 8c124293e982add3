package twiliotest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/humd/humd/transport/twilio"
)

// Default credentials of a Server: alphanumeric, as twilio-go demands.
const (
	DefaultAccountSID = "AC0123456789abcdef0123456789abcdef"
	DefaultAuthToken  = "twiliotest0123456789abcdef012345"
)

// Options configures a Server. The zero value works.
type Options struct {
	AccountSID string // default DefaultAccountSID
	AuthToken  string // default DefaultAuthToken
	// CheckFrom refuses (21606) sends whose From is not one of SetNumbers,
	// as Twilio refuses numbers the account does not own.
	CheckFrom bool
}

// Message is one text the fake was asked to send.
type Message struct {
	SID                 string
	AccountSID          string
	From                string
	To                  string
	Body                string
	MediaURLs           []string
	StatusCallback      string
	MessagingServiceSID string
	// Status starts "queued" ("accepted" through a Messaging Service) and
	// follows PlayStatus.
	Status      string
	ErrorCode   int
	NumSegments int
	DateCreated time.Time
}

// Lookup is the data Lookup v2 answers for a number (see SetLookup).
type Lookup struct {
	CarrierName string
	LineType    string // mobile, landline, fixedVoip, nonFixedVoip, tollFree, ...
	CallerName  string
	CallerType  string // CONSUMER, BUSINESS
}

type failure struct {
	code, status int
	message      string
}

// Server is the fake Twilio. URL is its base, for transport/twilio's
// Config.APIBase (TWILIO_API_BASE).
type Server struct {
	URL        string
	AccountSID string
	AuthToken  string

	opts   Options
	srv    *httptest.Server
	hc     *http.Client
	closed chan struct{}
	once   sync.Once

	mu       sync.Mutex
	sent     []Message
	calls    []PlacedCall
	failCall []failure
	numbers  []twilio.Number
	// available are the numbers for sale; purchases and released record
	// IncomingPhoneNumbers creates and deletes.
	available []twilio.Available
	purchases []Purchase
	released  []string
	lookups   map[string]Lookup
	failNext  []failure
	failTo    map[string]failure
	delay     time.Duration
	targets   map[string]string // public base -> actual base
	requests  []string
	// A2P registrations (brands.go), by SID and in the order taken.
	brands        map[string]*BrandReg
	brandOrder    []string
	campaigns     map[string]*CampaignReg
	campaignOrder []string
}

// New starts a fake Twilio on loopback. Close it when done.
func New(opts Options) *Server {
	if opts.AccountSID == "" {
		opts.AccountSID = DefaultAccountSID
	}
	if opts.AuthToken == "" {
		opts.AuthToken = DefaultAuthToken
	}
	s := &Server{AccountSID: opts.AccountSID, AuthToken: opts.AuthToken, opts: opts,
		hc: &http.Client{Timeout: 15 * time.Second}, closed: make(chan struct{}),
		lookups: map[string]Lookup{}, failTo: map[string]failure{}, targets: map[string]string{},
		brands: map[string]*BrandReg{}, campaigns: map[string]*CampaignReg{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Messages.json", s.createMessage)
	mux.HandleFunc("GET /2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json", s.listNumbers)
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Calls.json", s.createCall)
	mux.HandleFunc("GET /2010-04-01/Accounts/{sid}/AvailablePhoneNumbers/{country}/Local.json", s.listAvailable)
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json", s.buyNumber)
	mux.HandleFunc("DELETE /2010-04-01/Accounts/{sid}/IncomingPhoneNumbers/{pn}", s.releaseNumber)
	mux.HandleFunc("GET /v2/PhoneNumbers/{number}", s.lookup)
	mux.HandleFunc("POST /v1/a2p/BrandRegistrations", s.createBrand)
	mux.HandleFunc("GET /v1/a2p/BrandRegistrations/{bn}", s.fetchBrand)
	mux.HandleFunc("POST /v1/Services/{mg}/Compliance/Usa2p", s.createCampaign)
	mux.HandleFunc("GET /v1/Services/{mg}/Compliance/Usa2p", s.listCampaigns)
	mux.HandleFunc("GET /v1/Services/{mg}/Compliance/Usa2p/{qe}", s.fetchCampaign)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, failure{20404, 404, "The requested resource " + r.URL.Path + " was not found"})
	})
	s.srv = httptest.NewServer(s.guard(mux))
	s.URL = s.srv.URL
	return s
}

// Start is New for a test: the server closes when t ends.
func Start(t interface{ Cleanup(func()) }, opts Options) *Server {
	s := New(opts)
	t.Cleanup(s.Close)
	return s
}

// Close stops the server, cutting short any Delay in progress.
func (s *Server) Close() {
	s.once.Do(func() { close(s.closed) })
	s.srv.Close()
}

// Client is a transport/twilio Client pointed at this server.
func (s *Server) Client(timeout time.Duration) (*twilio.Client, error) {
	return twilio.New(twilio.Config{AccountSID: s.AccountSID, AuthToken: s.AuthToken, APIBase: s.URL, Timeout: timeout})
}

// Sent answers the messages created so far, in order (copies).
func (s *Server) Sent() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.sent)
	for i := range out {
		out[i].MediaURLs = slices.Clone(out[i].MediaURLs)
	}
	return out
}

// Requests answers "METHOD /path?query" for every API request received, in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// SetNumbers replaces the account's incoming numbers; an empty SID gets a
// generated PN... one.
func (s *Server) SetNumbers(ns []twilio.Number) {
	ns = slices.Clone(ns)
	for i := range ns {
		if ns[i].SID == "" {
			ns[i].SID = newSID("PN")
		}
	}
	s.mu.Lock()
	s.numbers = ns
	s.mu.Unlock()
}

// SetLookup sets what Lookup v2 answers for e164.
func (s *Server) SetLookup(e164 string, l Lookup) {
	s.mu.Lock()
	s.lookups[e164] = l
	s.mu.Unlock()
}

// FailNext makes the next API request, whatever it is, fail with Twilio's
// error JSON {"code","message","more_info","status"} and HTTP status
// httpStatus. Calls queue up.
func (s *Server) FailNext(code, httpStatus int, message string) {
	s.mu.Lock()
	s.failNext = append(s.failNext, failure{code, httpStatus, message})
	s.mu.Unlock()
}

// FailTo makes every send to e164 fail with code and httpStatus (with
// Twilio's wording for the common codes). A zero code clears it.
func (s *Server) FailTo(e164 string, code, httpStatus int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		delete(s.failTo, e164)
		return
	}
	s.failTo[e164] = failure{code, httpStatus, errorText(code, e164)}
}

// Delay holds every answer back by d (after the request was handled, so a
// client that times out meanwhile leaves a message Twilio did take). Zero
// turns it off.
func (s *Server) Delay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// SetCallbackTarget sends webhooks aimed at URLs under publicBase (humd's
// HUMD_PUBLIC_URL) to actualBase instead, keeping path and query, while
// signing the public URL.
func (s *Server) SetCallbackTarget(publicBase, actualBase string) {
	s.mu.Lock()
	s.targets[strings.TrimRight(publicBase, "/")] = strings.TrimRight(actualBase, "/")
	s.mu.Unlock()
}

// guard does what Twilio does before any resource: note the request, check
// Basic auth (account SID and auth token, and the SID in the path), then
// serve a scripted failure if one is due.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
		s.mu.Unlock()
		user, pass, ok := r.BasicAuth()
		pathSID := ""
		if rest, found := strings.CutPrefix(r.URL.Path, "/2010-04-01/Accounts/"); found {
			pathSID, _, _ = strings.Cut(rest, "/")
		}
		if !ok || user != s.AccountSID || pass != s.AuthToken || (pathSID != "" && pathSID != s.AccountSID) {
			s.fail(w, r, failure{20003, 401, "Authenticate"})
			return
		}
		s.mu.Lock()
		var f *failure
		if len(s.failNext) > 0 {
			f = &s.failNext[0]
			s.failNext = s.failNext[1:]
		}
		s.mu.Unlock()
		if f != nil {
			s.fail(w, r, *f)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// respond writes v as JSON with status, after the configured delay.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, status int, v any) {
	s.mu.Lock()
	d := s.delay
	s.mu.Unlock()
	if d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.closed:
			t.Stop()
			return
		}
	}
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own maps and slices are encoded
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(raw)
}

// fail answers Twilio's error JSON.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, f failure) {
	s.respond(w, r, f.status, map[string]any{"code": f.code, "message": f.message,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", f.code), "status": f.status})
}

func newSID(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// errorText is Twilio's wording for the codes tests script most.
func errorText(code int, to string) string {
	switch code {
	case 21211:
		return fmt.Sprintf("The 'To' number %s is not a valid phone number.", to)
	case 21408:
		return "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: " + to
	case 21610:
		return "Attempt to send to unsubscribed recipient"
	case 21612:
		return fmt.Sprintf("The 'To' phone number: %s, is not currently reachable using the 'From' phone number via SMS.", to)
	case 21614:
		return fmt.Sprintf("'To' number %s is not a valid mobile number", to)
	case 20429:
		return "Too Many Requests"
	case 30007:
		return "Message filtered"
	}
	return fmt.Sprintf("Twilio error %d", code)
}

// mapTarget rewrites a webhook URL by SetCallbackTarget.
func (s *Server) mapTarget(raw string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for pub, actual := range s.targets {
		if raw == pub || strings.HasPrefix(raw, pub+"/") || strings.HasPrefix(raw, pub+"?") {
			return actual + raw[len(pub):]
		}
	}
	return raw
}

// post sends a form webhook to target, signed over signURL.
func (s *Server) post(target, signURL string, form url.Values) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("twiliotest: webhook %s: %w", target, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	req.Header.Set(twilio.SignatureHeader, twilio.Sign(s.AuthToken, signURL, form))
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("twiliotest: webhook %s: %w", target, err)
	}
	return resp, nil
}
