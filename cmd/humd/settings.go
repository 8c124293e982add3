package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"sigs.k8s.io/yaml"

	"github.com/humd/humd/app"
	"github.com/humd/humd/transport/logredact"
)

// settings are everything humd's commands read from flags, the environment
// and the config file; each command binds the ones it uses.
type settings struct {
	app.Config
	LogLevel, LogFormat string
	// URL and APIKey are how the client commands (backup) reach a running humd.
	URL, APIKey string
}

// setting is one row of the settings table: its flag (and config-file key),
// its environment variable, its documented default and where it lands.
// docs/configuration.md lists every row (TestSettingsDocumented).
type setting struct {
	name, env, def, usage string
	field                 func(*settings) any
}

var settingsTable = []setting{
	{"addr", "HUMD_ADDR", "127.0.0.1:8080", "listen address", func(s *settings) any { return &s.Addr }},
	{"data", "HUMD_DATA", "./data", "data directory (Pebble)", func(s *settings) any { return &s.DataDir }},
	{"public-url", "HUMD_PUBLIC_URL", "http:// + addr", "base URL Twilio uses to reach humd", func(s *settings) any { return &s.PublicURL }},
	{"admin-key", "HUMD_ADMIN_KEY", "random", "bootstrap admin key on an empty data dir", func(s *settings) any { return &s.AdminKey }},
	{"twilio-account-sid", "TWILIO_ACCOUNT_SID", "", "Twilio account SID", func(s *settings) any { return &s.TwilioAccountSID }},
	{"twilio-auth-token", "TWILIO_AUTH_TOKEN", "", "Twilio auth token", func(s *settings) any { return &s.TwilioAuthToken }},
	{"twilio-api-base", "TWILIO_API_BASE", "", "override Twilio's REST base URL", func(s *settings) any { return &s.TwilioAPIBase }},
	{"openai-api-key", "OPENAI_API_KEY", "", "OpenAI API key", func(s *settings) any { return &s.OpenAIKey }},
	{"openai-base-url", "OPENAI_BASE_URL", "", "OpenAI-compatible base URL", func(s *settings) any { return &s.OpenAIBaseURL }},
	{"model", "HUMD_MODEL", "gpt-4.1-mini", "default model", func(s *settings) any { return &s.Model }},
	{"allow-private-webhooks", "HUMD_ALLOW_PRIVATE_WEBHOOKS", "false",
		"allow private, loopback, link-local and other special-purpose targets and plain http for webhooks, CRM, HTTP tools and MCP",
		func(s *settings) any { return &s.AllowPrivateWebhooks }},
	{"key-rate-limit", "HUMD_KEY_RATE_LIMIT", "600", "requests per minute per API key; negative: no limit", func(s *settings) any { return &s.KeyRequestsPerMinute }},
	{"plan-max-numbers", "HUMD_PLAN_MAX_NUMBERS", "0", "numbers each org may hold, 0 for no cap", func(s *settings) any { return &s.PlanMaxNumbers }},
	{"billing-provider", "HUMD_BILLING_PROVIDER", "none", "billing provider: none, sandbox or stripe", func(s *settings) any { return &s.BillingProvider }},
	{"stripe-secret-key", "STRIPE_SECRET_KEY", "", "Stripe secret API key (billing provider stripe)", func(s *settings) any { return &s.StripeSecretKey }},
	{"stripe-webhook-secret", "STRIPE_WEBHOOK_SECRET", "", "Stripe webhook signing secret (whsec_...)", func(s *settings) any { return &s.StripeWebhookSecret }},
	{"stripe-api-base", "STRIPE_API_BASE", "", "override Stripe's API base URL (stripe-mock, proxies)", func(s *settings) any { return &s.StripeAPIBase }},
	{"plans", "HUMD_PLANS", "", "plan catalog: a JSON array of plans, or a file holding one", func(s *settings) any { return &s.Plans }},
	{"billing-grace", "HUMD_BILLING_GRACE", "72h", "how long a past_due org may still start outbound work", func(s *settings) any { return &s.BillingGrace }},
	{"billing-meter-every", "HUMD_BILLING_METER_EVERY", "1h", "usage is reported to Stripe once per this slice", func(s *settings) any { return &s.BillingMeterEvery }},
	{"pprof", "HUMD_PPROF_ADDR", "", "serve pprof on this loopback address", func(s *settings) any { return &s.PprofAddr }},
	{"secrets-key", "HUMD_SECRETS_KEY", "<data>/secrets.key", "base64 of the 32-byte key that seals integration secrets", func(s *settings) any { return &s.SecretsKey }},
	{"admin-password", "HUMD_ADMIN_PASSWORD", "", "bootstrap admin's console password on an empty data dir (else a one-time sign-in link)", func(s *settings) any { return &s.AdminPassword }},
	{"session-idle", "HUMD_SESSION_IDLE", "12h", "end console sessions idle this long", func(s *settings) any { return &s.SessionIdle }},
	{"session-max-age", "HUMD_SESSION_MAX_AGE", "720h", "end console sessions this long after sign-in", func(s *settings) any { return &s.SessionMaxAge }},
	{"oidc-issuer", "HUMD_OIDC_ISSUER", "", "OpenID Connect issuer URL for console single sign-on", func(s *settings) any { return &s.OIDCIssuer }},
	{"oidc-client-id", "HUMD_OIDC_CLIENT_ID", "", "OpenID Connect client id", func(s *settings) any { return &s.OIDCClientID }},
	{"oidc-client-secret", "HUMD_OIDC_CLIENT_SECRET", "", "OpenID Connect client secret", func(s *settings) any { return &s.OIDCClientSecret }},
	{"metrics-token", "HUMD_METRICS_TOKEN", "", "bearer token /metrics wants (none: open)", func(s *settings) any { return &s.MetricsToken }},
	{"backup-dir", "HUMD_BACKUP_DIR", "", "directory for scheduled backups", func(s *settings) any { return &s.BackupDir }},
	{"backup-every", "HUMD_BACKUP_EVERY", "0 (none)", "time between scheduled backups, like 6h", func(s *settings) any { return &s.BackupEvery }},
	{"backup-keep", "HUMD_BACKUP_KEEP", "7", "scheduled backups kept", func(s *settings) any { return &s.BackupKeep }},
	{"retention-events", "HUMD_RETENTION_EVENTS", "720h", "keep the event log this long (never past an unread consumer)", func(s *settings) any { return &s.RetentionEvents }},
	{"retention-webhook-deliveries", "HUMD_RETENTION_WEBHOOK_DELIVERIES", "720h", "keep finished webhook deliveries this long", func(s *settings) any { return &s.RetentionDeliveries }},
	{"retention-ai-runs", "HUMD_RETENTION_AI_RUNS", "2160h", "keep AI run records this long", func(s *settings) any { return &s.RetentionRuns }},
	{"retention-sandbox", "HUMD_RETENTION_SANDBOX", "168h", "keep the sandbox carrier's record of sends and calls this long", func(s *settings) any { return &s.RetentionSandbox }},
	{"retention-every", "HUMD_RETENTION_EVERY", "1h", "time between retention passes", func(s *settings) any { return &s.RetentionEvery }},
	{"retention-batch", "HUMD_RETENTION_BATCH", "10000", "records one retention pass deletes per family, at most", func(s *settings) any { return &s.RetentionBatch }},
	{"tls-cert", "HUMD_TLS_CERT", "", "PEM certificate (chain) file to serve https with; re-read when it changes", func(s *settings) any { return &s.TLSCert }},
	{"tls-key", "HUMD_TLS_KEY", "", "PEM private key file of --tls-cert", func(s *settings) any { return &s.TLSKey }},
	{"tls-acme-domains", "HUMD_TLS_ACME_DOMAINS", "", "comma-separated names to get Let's Encrypt certificates for (cache in <data>/acme)", func(s *settings) any { return &s.TLSACMEDomains }},
	{"acme-http-addr", "HUMD_ACME_HTTP_ADDR", ":80", "where the ACME http-01 challenge is answered (with --tls-acme-domains)", func(s *settings) any { return &s.ACMEHTTPAddr }},
	{"log-level", "HUMD_LOG_LEVEL", "info", "log level: debug, info, warn, error", func(s *settings) any { return &s.LogLevel }},
	{"log-format", "HUMD_LOG_FORMAT", "text", "log format: text or json", func(s *settings) any { return &s.LogFormat }},
	{"url", "HUMD_URL", "http:// + addr", "a running humd's base URL (client commands)", func(s *settings) any { return &s.URL }},
	{"key", "HUMD_API_KEY", "", "an API key for a running humd (client commands)", func(s *settings) any { return &s.APIKey }},
}

// serverSettings are the settings of humd serve.
var serverSettings = []string{"addr", "data", "public-url", "admin-key", "twilio-account-sid", "twilio-auth-token", "twilio-api-base",
	"openai-api-key", "openai-base-url", "model", "allow-private-webhooks", "key-rate-limit", "plan-max-numbers",
	"billing-provider", "stripe-secret-key", "stripe-webhook-secret", "stripe-api-base", "plans", "billing-grace", "billing-meter-every", "pprof",
	"secrets-key", "admin-password", "session-idle", "session-max-age", "oidc-issuer", "oidc-client-id", "oidc-client-secret", "metrics-token", "backup-dir", "backup-every", "backup-keep",
	"retention-events", "retention-webhook-deliveries", "retention-ai-runs", "retention-sandbox", "retention-every", "retention-batch",
	"tls-cert", "tls-key", "tls-acme-domains", "acme-http-addr", "log-level", "log-format"}

const settingAnnotation = "humd_setting"

func lookupSetting(name string) (setting, bool) {
	for _, s := range settingsTable {
		if s.name == name {
			return s, true
		}
	}
	return setting{}, false
}

// bindSettings declares the named settings as cmd's flags, writing into s.
// The flags start empty: resolveSettings fills what no flag set from the
// environment, then the config file; app.Config.Defaults does the rest.
func bindSettings(cmd *cobra.Command, s *settings, names ...string) {
	fs := cmd.Flags()
	for _, name := range names {
		st, ok := lookupSetting(name)
		if !ok {
			panic("humd: no setting " + name)
		}
		usage := st.usage + " (" + st.env
		if st.def != "" {
			usage += "; default " + st.def
		}
		usage += ")"
		switch p := st.field(s).(type) {
		case *string:
			fs.StringVar(p, name, "", usage)
		case *bool:
			fs.BoolVar(p, name, false, usage)
		case *int:
			fs.IntVar(p, name, 0, usage)
		case *time.Duration:
			fs.DurationVar(p, name, 0, usage)
		default:
			panic(fmt.Sprintf("humd: setting %s has type %T", name, p))
		}
		_ = fs.SetAnnotation(name, settingAnnotation, []string{st.env})
	}
}

// resolveSettings fills each setting flag cmd was not given: from its
// environment variable, else from the config file (--config or
// HUMD_CONFIG). Flags win over the environment, the environment over the
// file.
func resolveSettings(cmd *cobra.Command) error {
	file, err := loadConfigFile(cmd)
	if err != nil {
		return err
	}
	var errs []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		env, ok := f.Annotations[settingAnnotation]
		if !ok || f.Changed {
			return
		}
		from, v := env[0], os.Getenv(env[0])
		if v == "" {
			from, v = "config file key "+f.Name, file[f.Name]
		}
		if v == "" {
			return
		}
		if err := f.Value.Set(v); err != nil {
			errs = append(errs, fmt.Sprintf("%s %q: %v", from, v, err))
		}
	})
	if len(errs) > 0 {
		return usageError{fmt.Errorf("invalid settings:\n%s", strings.Join(errs, "\n"))}
	}
	return nil
}

// loadConfigFile reads the YAML config file, if one is named: a map from
// setting names (the long flag names) to values.
func loadConfigFile(cmd *cobra.Command) (map[string]string, error) {
	path, _ := cmd.Flags().GetString("config")
	if path == "" {
		path = os.Getenv("HUMD_CONFIG")
	}
	if path == "" {
		return nil, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{fmt.Errorf("config file: %w", err)}
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, usageError{fmt.Errorf("config file %s: %w", path, err)}
	}
	out := map[string]string{}
	var bad []string
	for k, v := range doc {
		if _, ok := lookupSetting(k); !ok {
			bad = append(bad, fmt.Sprintf("%q is not a setting", k))
			continue
		}
		switch x := v.(type) {
		case string:
			out[k] = x
		case bool:
			out[k] = strconv.FormatBool(x)
		case float64:
			out[k] = strconv.FormatFloat(x, 'f', -1, 64)
		case nil:
		default:
			bad = append(bad, fmt.Sprintf("%s must be a single value", k))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return nil, usageError{fmt.Errorf("config file %s: %s", path, strings.Join(bad, "; "))}
	}
	return out, nil
}

// defaultURL is where client commands find humd when neither --url nor
// HUMD_URL says: on HUMD_ADDR.
func defaultURL() string {
	if u := os.Getenv("HUMD_URL"); u != "" {
		return u
	}
	return "http://" + envOr("HUMD_ADDR", "127.0.0.1:8080")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// newLogger builds humd's logger: text or JSON lines at level, every
// record redacted (transport/logredact) before either handler sees it.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if level == "" {
		level = "info"
	}
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("HUMD_LOG_LEVEL %q: %w", level, err)
	}
	o := &slog.HandlerOptions{Level: l}
	var h slog.Handler
	switch format {
	case "", "text":
		h = slog.NewTextHandler(w, o)
	case "json":
		h = slog.NewJSONHandler(w, o)
	default:
		return nil, fmt.Errorf("HUMD_LOG_FORMAT %q: must be text or json", format)
	}
	return logredact.Logger(slog.New(h)), nil
}
