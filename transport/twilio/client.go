package twilio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	twilio "github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/humd/humd/actors/sender"
)

// Config configures a Client.
type Config struct {
	// AccountSID and AuthToken are the account's credentials
	// (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN). twilio-go refuses credentials
	// that are not alphanumeric, so New does too.
	AccountSID string
	AuthToken  string
	// APIBase (TWILIO_API_BASE), when set, receives every request in place of
	// Twilio's hosts; the request path is kept (appended to APIBase's own
	// path, if it has one).
	APIBase string
	// Timeout bounds one HTTP exchange (default 10s, twilio-go's own).
	Timeout time.Duration
	// IdleConns is how many connections to Twilio stay open for the next
	// requests (default 64). http.DefaultTransport keeps two per host, so
	// every send beyond two at once (numbers and campaigns sending side by
	// side) opened and TLS-handshook a connection of its own.
	IdleConns int
}

// ErrConfig is returned (wrapped) by New for unusable settings.
var ErrConfig = errors.New("twilio: bad config")

var alnum = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// Client is humd's Twilio REST client. It implements sender.Carrier.
type Client struct {
	cfg Config
	rc  *twilio.RestClient
	// transport is what every request finally goes through: the rewriting
	// transport when APIBase is set, else the client's connection pool.
	transport http.RoundTripper
}

var _ sender.Carrier = (*Client)(nil)

// New checks cfg and builds a Client. It makes no network call.
func New(cfg Config) (*Client, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if !alnum.MatchString(cfg.AccountSID) || !alnum.MatchString(cfg.AuthToken) {
		return nil, fmt.Errorf("%w: account SID and auth token must be set and alphanumeric", ErrConfig)
	}
	if cfg.IdleConns <= 0 {
		cfg.IdleConns = 64
	}
	pool := http.DefaultTransport.(*http.Transport).Clone()
	pool.MaxIdleConns, pool.MaxIdleConnsPerHost = cfg.IdleConns, cfg.IdleConns
	var tr http.RoundTripper = pool
	if cfg.APIBase != "" {
		u, err := url.Parse(cfg.APIBase)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%w: API base %q must be an absolute http(s) URL", ErrConfig, cfg.APIBase)
		}
		tr = &rewriteTransport{base: u, next: pool}
	}
	c := &Client{cfg: cfg, transport: tr}
	base := c.baseClient(&http.Client{Transport: tr, Timeout: cfg.Timeout, CheckRedirect: noRedirect})
	c.rc = twilio.NewRestClientWithParams(twilio.ClientParams{Client: base})
	return c, nil
}

// noRedirect is twilio-go's own policy: answer the 3xx itself.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func (c *Client) baseClient(hc *http.Client) *client.Client {
	bc := &client.Client{Credentials: client.NewCredentials(c.cfg.AccountSID, c.cfg.AuthToken), HTTPClient: hc}
	bc.SetAccountSid(c.cfg.AccountSID)
	return bc
}

// AccountSID is the account the client acts for.
func (c *Client) AccountSID() string { return c.cfg.AccountSID }

// Send creates a Message (POST /2010-04-01/Accounts/{sid}/Messages.json). A
// refusal or failure is a *sender.Error whose Retryable is true only when
// Twilio surely did not take the text: an HTTP 429 or 5xx answer, or a
// failure before the request's headers were written (connection refused,
// DNS, a ctx cancelled early). A timeout or broken connection after the
// request went out is not retryable: Twilio may have queued the text.
func (c *Client) Send(ctx context.Context, m *sender.Outbound) (*sender.Accepted, error) {
	if m == nil || m.To == "" || m.From == "" || (m.Body == "" && len(m.MediaURLs) == 0) {
		return nil, &sender.Error{Message: "outbound needs To, From and a body or media"}
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	ex := &exchange{}
	hc := &http.Client{Transport: &ctxTransport{ctx: ctx, ex: ex, next: c.transport}, CheckRedirect: noRedirect}
	svc := api.NewApiServiceWithClient(c.baseClient(hc))

	p := &api.CreateMessageParams{}
	p.SetTo(m.To).SetFrom(m.From)
	if m.Body != "" {
		p.SetBody(m.Body)
	}
	if len(m.MediaURLs) > 0 {
		p.SetMediaUrl(m.MediaURLs)
	}
	if m.StatusCallback != "" {
		p.SetStatusCallback(m.StatusCallback)
	}
	msg, err := svc.CreateMessage(p)
	if err != nil {
		return nil, mapError(err, ex)
	}
	if msg.Sid == nil || *msg.Sid == "" {
		// Accepted by all appearances, so never retryable.
		return nil, &sender.Error{Status: ex.status(), Message: "twilio answered without a message sid"}
	}
	acc := &sender.Accepted{SID: *msg.Sid, Status: "queued"}
	if msg.Status != nil && *msg.Status != "" {
		acc.Status = *msg.Status
	}
	if msg.NumSegments != nil {
		acc.NumSegments, _ = strconv.Atoi(*msg.NumSegments)
	}
	if acc.NumSegments <= 0 {
		// Through a Messaging Service Twilio answers 0 until a sender is picked.
		acc.NumSegments = sender.Segments(m.Body)
	}
	return acc, nil
}

// mapError turns what twilio-go returned into a *sender.Error. ex says what
// the exchange got to, for errors twilio-go could not type.
func mapError(err error, ex *exchange) *sender.Error {
	var rest *client.TwilioRestError
	var v1 *client.RestErrorV1
	switch {
	case errors.As(err, &rest):
		st := rest.Status
		if st == 0 {
			st = ex.status()
		}
		return &sender.Error{Code: rest.Code, Status: st, Message: rest.Message, Retryable: retryableStatus(st)}
	case errors.As(err, &v1):
		st := v1.HttpStatusCode
		if st == 0 {
			st = ex.status()
		}
		return &sender.Error{Code: v1.Code, Status: st, Message: v1.Message, Retryable: retryableStatus(st)}
	}
	if st := ex.status(); st != 0 {
		// An answer came but could not be read (a proxy's HTML 502, a cut
		// body). A 2xx means Twilio took the text.
		return &sender.Error{Status: st, Message: err.Error(), Retryable: retryableStatus(st)}
	}
	return &sender.Error{Message: err.Error(), Retryable: !ex.maybeSent()}
}

func retryableStatus(st int) bool { return st == http.StatusTooManyRequests || st >= 500 }
