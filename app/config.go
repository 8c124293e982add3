package app

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage"
)

// Config is everything humd serve needs. cmd/humd fills it from flags and the
// environment; the zero value (after Defaults) is a working sandbox server.
type Config struct {
	// Addr is the listen address (HUMD_ADDR), default 127.0.0.1:8080.
	Addr string
	// DataDir holds the Pebble store (HUMD_DATA), default ./data.
	DataDir string
	// PublicURL is the base URL Twilio uses to reach humd (HUMD_PUBLIC_URL),
	// default http:// + Addr. Webhook signatures are checked against it.
	PublicURL string
	// AdminKey, on an empty data dir, becomes the bootstrap admin key
	// (HUMD_ADMIN_KEY) instead of a random one.
	AdminKey string
	// AdminPassword, on an empty data dir, becomes the bootstrap admin's
	// console password (HUMD_ADMIN_PASSWORD); without it the first start
	// prints a one-time sign-in link.
	AdminPassword string
	// SessionIdle ends a console session unused this long
	// (HUMD_SESSION_IDLE, default 12h); SessionMaxAge ends it this long
	// after sign-in in any case (HUMD_SESSION_MAX_AGE, default 720h).
	SessionIdle, SessionMaxAge time.Duration
	// OIDC single sign-on for the console: the issuer URL
	// (HUMD_OIDC_ISSUER), and the client humd is registered as there
	// (HUMD_OIDC_CLIENT_ID, HUMD_OIDC_CLIENT_SECRET). The provider must
	// allow the redirect URL PublicURL + /auth/oidc/callback.
	OIDCIssuer, OIDCClientID, OIDCClientSecret string

	// Twilio credentials; with none humd runs the sandbox carrier.
	TwilioAccountSID string // TWILIO_ACCOUNT_SID
	TwilioAuthToken  string // TWILIO_AUTH_TOKEN
	// TwilioAPIBase overrides Twilio's REST base URL (TWILIO_API_BASE), for
	// fakes and proxies.
	TwilioAPIBase string

	// OpenAI; with no key humd answers with the built-in local model.
	OpenAIKey     string // OPENAI_API_KEY
	OpenAIBaseURL string // OPENAI_BASE_URL
	Model         string // HUMD_MODEL, default gpt-4.1-mini
	// AllowPrivateWebhooks admits private, loopback, link-local and other
	// special-purpose targets and plain http for every outbound call
	// (webhooks, CRM, HTTP tools, MCP) (HUMD_ALLOW_PRIVATE_WEBHOOKS=true).
	AllowPrivateWebhooks bool

	// MaxJSONBody caps JSON request bodies, default 1 MiB.
	MaxJSONBody int
	// KeyRequestsPerMinute caps requests per API key (HUMD_KEY_RATE_LIMIT),
	// default 600; negative turns the cap off.
	KeyRequestsPerMinute int
	// PlanMaxNumbers caps each org's phone numbers (HUMD_PLAN_MAX_NUMBERS);
	// 0 is unlimited. billing.provider is none: this is the plan.
	PlanMaxNumbers int
	// Billing (docs/billing.md): BillingProvider is none (the default:
	// limits come from HUMD_PLAN_MAX_NUMBERS, nothing is charged), sandbox
	// (checkout on a page humd serves, no account) or stripe
	// (HUMD_BILLING_PROVIDER).
	BillingProvider string
	// Stripe's secret API key, webhook signing secret and API base
	// (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_API_BASE: for
	// stripe-mock and proxies).
	StripeSecretKey, StripeWebhookSecret, StripeAPIBase string
	// Plans is the plan catalog (HUMD_PLANS): a JSON array, or the path of
	// a file holding one (billing.ParseCatalog).
	Plans string
	// BillingGrace is how long a past_due org may still start outbound
	// work (HUMD_BILLING_GRACE, default 72h).
	BillingGrace time.Duration
	// BillingMeterEvery is the usage reporting slice (HUMD_BILLING_METER_EVERY,
	// default 1h): usage is reported to Stripe once per slice.
	BillingMeterEvery time.Duration
	// AgentSessionIdle ends agent sessions idle this long, default 3m.
	AgentSessionIdle time.Duration
	// MetricsToken, when set, protects /metrics: scrapers send it as a
	// bearer token (HUMD_METRICS_TOKEN).
	MetricsToken string
	// PprofAddr, when set, serves net/http/pprof on this loopback address.
	PprofAddr string
	// SecretsKey (HUMD_SECRETS_KEY, base64 of 32 bytes) seals integration
	// secrets at rest; empty uses the data directory's secrets.key.
	SecretsKey string
	// ShutdownTimeout bounds a clean stop, default 15s.
	ShutdownTimeout time.Duration

	// BackupDir receives scheduled backups (HUMD_BACKUP_DIR), one directory
	// per backup named humd-<UTC time>.
	BackupDir string
	// BackupEvery is the time between scheduled backups
	// (HUMD_BACKUP_EVERY); 0 schedules none.
	BackupEvery time.Duration
	// BackupKeep is how many scheduled backups are kept (HUMD_BACKUP_KEEP),
	// default 7; older ones are deleted after each new one.
	BackupKeep int

	// Retention is how long the event log (HUMD_RETENTION_EVENTS),
	// webhook deliveries (HUMD_RETENTION_WEBHOOK_DELIVERIES), AI run
	// records (HUMD_RETENTION_AI_RUNS) and the sandbox carrier's record of
	// sends and calls (HUMD_RETENTION_SANDBOX) are kept; 0 means the
	// default (retention.DefaultKeep: 30, 30, 90 and 7 days).
	RetentionEvents, RetentionDeliveries, RetentionRuns, RetentionSandbox time.Duration
	// RetentionEvery is the time between retention passes
	// (HUMD_RETENTION_EVERY, default 1h); RetentionBatch bounds what one
	// pass deletes per family (HUMD_RETENTION_BATCH, default 10,000).
	RetentionEvery time.Duration
	RetentionBatch int

	// TLSCert and TLSKey are PEM files humd serves https with
	// (HUMD_TLS_CERT, HUMD_TLS_KEY), re-read when they change (tls.go).
	TLSCert, TLSKey string
	// TLSACMEDomains, comma-separated, turns on automatic certificates
	// from Let's Encrypt for these names (HUMD_TLS_ACME_DOMAINS), cached in
	// <data>/acme; ACMEHTTPAddr answers the http-01 challenge
	// (HUMD_ACME_HTTP_ADDR, default :80).
	TLSACMEDomains, ACMEHTTPAddr string
}

// Defaults fills unset fields.
func (c *Config) Defaults() {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	if c.DataDir == "" {
		c.DataDir = "./data"
	}
	if c.PublicURL == "" {
		c.PublicURL = c.defaultPublicURL()
	}
	if c.TLSACMEDomains != "" && c.ACMEHTTPAddr == "" {
		c.ACMEHTTPAddr = ":80"
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.Model == "" {
		c.Model = "gpt-4.1-mini"
	}
	if c.MaxJSONBody == 0 {
		c.MaxJSONBody = 1 << 20
	}
	if c.AgentSessionIdle == 0 {
		c.AgentSessionIdle = 3 * time.Minute
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 15 * time.Second
	}
	if c.BackupKeep == 0 {
		c.BackupKeep = 7
	}
	if c.SessionIdle == 0 {
		c.SessionIdle = 12 * time.Hour
	}
	if c.SessionMaxAge == 0 {
		c.SessionMaxAge = 30 * 24 * time.Hour
	}
	if c.BillingProvider == "" {
		c.BillingProvider = "none"
	}
	if c.BillingGrace == 0 {
		c.BillingGrace = 72 * time.Hour
	}
	if c.BillingMeterEvery == 0 {
		c.BillingMeterEvery = time.Hour
	}
}

var alnum = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// Egress is the one SSRF policy every outbound call obeys.
func (c *Config) Egress() egresspolicy.Policy {
	return egresspolicy.Policy{AllowPrivate: c.AllowPrivateWebhooks}
}

// Sandbox reports whether humd runs without Twilio credentials.
func (c *Config) Sandbox() bool { return c.TwilioAccountSID == "" && c.TwilioAuthToken == "" }

// LocalModel reports whether the built-in local model answers instead of OpenAI.
func (c *Config) LocalModel() bool { return c.OpenAIKey == "" }

// Validate reports every problem at once.
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("HUMD_ADDR %q: %w", c.Addr, err))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("HUMD_DATA must not be empty"))
	}
	checkURL := func(name, v string) {
		if v == "" {
			return
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s %q: must be an absolute http(s) URL", name, v))
		}
	}
	checkURL("HUMD_PUBLIC_URL", c.PublicURL)
	checkURL("TWILIO_API_BASE", c.TwilioAPIBase)
	checkURL("OPENAI_BASE_URL", c.OpenAIBaseURL)
	checkURL("HUMD_OIDC_ISSUER", c.OIDCIssuer)
	if c.OIDCIssuer != "" && c.OIDCClientID == "" {
		errs = append(errs, errors.New("HUMD_OIDC_CLIENT_ID must be set with HUMD_OIDC_ISSUER"))
	}
	if c.AdminPassword != "" && (len(c.AdminPassword) < 8 || len(c.AdminPassword) > 256) {
		errs = append(errs, errors.New("HUMD_ADMIN_PASSWORD must be 8 to 256 characters"))
	}
	if c.SessionIdle < 0 || c.SessionMaxAge < 0 || c.SessionIdle > c.SessionMaxAge {
		errs = append(errs, errors.New("HUMD_SESSION_IDLE and HUMD_SESSION_MAX_AGE must be positive, the idle time no longer than the maximum age"))
	}
	if (c.TwilioAccountSID == "") != (c.TwilioAuthToken == "") {
		errs = append(errs, errors.New("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together"))
	}
	// twilio-go rejects credentials that are not alphanumeric (LIBRARIES.md).
	for name, v := range map[string]string{"TWILIO_ACCOUNT_SID": c.TwilioAccountSID, "TWILIO_AUTH_TOKEN": c.TwilioAuthToken} {
		if v != "" && !alnum.MatchString(v) {
			errs = append(errs, fmt.Errorf("%s must be alphanumeric", name))
		}
	}
	if c.AdminKey != "" && (len(c.AdminKey) < 16 || strings.ContainsAny(c.AdminKey, " \t\r\n")) {
		errs = append(errs, errors.New("HUMD_ADMIN_KEY must be at least 16 characters with no spaces"))
	}
	if c.MaxJSONBody < 1024 {
		errs = append(errs, errors.New("max JSON body must be at least 1 KiB"))
	}
	if c.PlanMaxNumbers < 0 {
		errs = append(errs, errors.New("HUMD_PLAN_MAX_NUMBERS must be 0 (unlimited) or more"))
	}
	if c.SecretsKey != "" {
		if _, err := storage.SecretsKey("", c.SecretsKey); err != nil {
			errs = append(errs, err)
		}
	}
	if c.PprofAddr != "" {
		host, _, err := net.SplitHostPort(c.PprofAddr)
		if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			errs = append(errs, fmt.Errorf("pprof address %q must be on loopback", c.PprofAddr))
		}
	}
	switch {
	case c.BackupEvery < 0 || c.BackupEvery > 0 && c.BackupEvery < time.Minute:
		errs = append(errs, errors.New("HUMD_BACKUP_EVERY must be at least 1m (or 0: no scheduled backups)"))
	case c.BackupEvery > 0 && c.BackupDir == "":
		errs = append(errs, errors.New("HUMD_BACKUP_EVERY needs HUMD_BACKUP_DIR"))
	}
	if c.BackupKeep < 1 {
		errs = append(errs, errors.New("HUMD_BACKUP_KEEP must be at least 1"))
	}
	errs = append(errs, c.validateRetention()...)
	checkURL("STRIPE_API_BASE", c.StripeAPIBase)
	errs = append(errs, c.validateTLS()...)
	errs = append(errs, c.validateBilling()...)
	return errors.Join(errs...)
}

// validateRetention checks the HUMD_RETENTION_* settings: a retention below
// an hour would delete what is still being worked on (a webhook retries for
// about 42 hours, but only finished deliveries go), and a batch too large
// would hold a pass for long.
func (c *Config) validateRetention() []error {
	var errs []error
	for _, r := range []struct {
		env string
		v   time.Duration
	}{{"HUMD_RETENTION_EVENTS", c.RetentionEvents}, {"HUMD_RETENTION_WEBHOOK_DELIVERIES", c.RetentionDeliveries},
		{"HUMD_RETENTION_AI_RUNS", c.RetentionRuns}, {"HUMD_RETENTION_SANDBOX", c.RetentionSandbox}} {
		if r.v < 0 || r.v > 0 && r.v < time.Hour {
			errs = append(errs, fmt.Errorf("%s %s: must be at least 1h (or 0: the default)", r.env, r.v))
		}
	}
	if c.RetentionEvery < 0 || c.RetentionEvery > 0 && c.RetentionEvery < time.Minute {
		errs = append(errs, fmt.Errorf("HUMD_RETENTION_EVERY %s: must be at least 1m (or 0: the default, 1h)", c.RetentionEvery))
	}
	if c.RetentionBatch < 0 || c.RetentionBatch > 1000000 {
		errs = append(errs, fmt.Errorf("HUMD_RETENTION_BATCH %d: must be 1 to 1000000 (or 0: the default, 10000)", c.RetentionBatch))
	}
	return errs
}
