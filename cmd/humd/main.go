// Command humd is the humd server and its small admin commands.
//
//	humd [serve] [flags]          run the server (the default)
//	humd -check-config            validate configuration and exit
//	humd import providers FILE    load the address-session provider catalog (CSV)
//	humd version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/humd/humd/actors/addresssession"
	"github.com/humd/humd/app"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/transport/logredact"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(args, stdout, stderr)
	case "import":
		return importCmd(args, stdout, stderr)
	case "sandbox":
		return sandboxCmd(args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "humd", app.Version)
		return 0
	case "help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "humd: unknown command %q\n", cmd)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  humd [serve] [flags]          run the server (default)
  humd -check-config            validate the configuration and exit
  humd import providers FILE    load the provider catalog for address sessions (CSV)
  humd sandbox send --from --to --body   text a sandbox number as a contact would
  humd sandbox call --to                 call a sandbox number and talk to its agent (type lines)
  humd version
Run "humd serve -h" for flags; every flag has an environment variable (see README).
`)
}

// configFlags binds the configuration contract: each flag defaults to its
// environment variable, so either may be used.
func configFlags(fs *flag.FlagSet) (*app.Config, *bool, *string) {
	c := &app.Config{}
	env := os.Getenv
	fs.StringVar(&c.Addr, "addr", env("HUMD_ADDR"), "listen address (HUMD_ADDR, default 127.0.0.1:8080)")
	fs.StringVar(&c.DataDir, "data", env("HUMD_DATA"), "data directory (HUMD_DATA, default ./data)")
	fs.StringVar(&c.PublicURL, "public-url", env("HUMD_PUBLIC_URL"), "base URL Twilio uses to reach humd (HUMD_PUBLIC_URL)")
	fs.StringVar(&c.AdminKey, "admin-key", env("HUMD_ADMIN_KEY"), "bootstrap admin key on an empty data dir (HUMD_ADMIN_KEY)")
	fs.StringVar(&c.AdminPassword, "admin-password", env("HUMD_ADMIN_PASSWORD"), "bootstrap admin's console password on an empty data dir (HUMD_ADMIN_PASSWORD)")
	fs.DurationVar(&c.SessionIdle, "session-idle", envDuration("HUMD_SESSION_IDLE"), "end console sessions idle this long (HUMD_SESSION_IDLE, default 12h)")
	fs.DurationVar(&c.SessionMaxAge, "session-max-age", envDuration("HUMD_SESSION_MAX_AGE"), "end console sessions this long after sign-in (HUMD_SESSION_MAX_AGE, default 720h)")
	fs.StringVar(&c.OIDCIssuer, "oidc-issuer", env("HUMD_OIDC_ISSUER"), "OpenID Connect issuer URL for console single sign-on (HUMD_OIDC_ISSUER)")
	fs.StringVar(&c.OIDCClientID, "oidc-client-id", env("HUMD_OIDC_CLIENT_ID"), "OpenID Connect client id (HUMD_OIDC_CLIENT_ID)")
	fs.StringVar(&c.OIDCClientSecret, "oidc-client-secret", env("HUMD_OIDC_CLIENT_SECRET"), "OpenID Connect client secret (HUMD_OIDC_CLIENT_SECRET)")
	fs.StringVar(&c.TwilioAccountSID, "twilio-account-sid", env("TWILIO_ACCOUNT_SID"), "Twilio account SID (TWILIO_ACCOUNT_SID)")
	fs.StringVar(&c.TwilioAuthToken, "twilio-auth-token", env("TWILIO_AUTH_TOKEN"), "Twilio auth token (TWILIO_AUTH_TOKEN)")
	fs.StringVar(&c.TwilioAPIBase, "twilio-api-base", env("TWILIO_API_BASE"), "override Twilio's REST base URL (TWILIO_API_BASE)")
	fs.StringVar(&c.OpenAIKey, "openai-api-key", env("OPENAI_API_KEY"), "OpenAI API key (OPENAI_API_KEY)")
	fs.StringVar(&c.OpenAIBaseURL, "openai-base-url", env("OPENAI_BASE_URL"), "OpenAI-compatible base URL (OPENAI_BASE_URL)")
	fs.StringVar(&c.Model, "model", env("HUMD_MODEL"), "default model (HUMD_MODEL)")
	fs.BoolVar(&c.AllowPrivateWebhooks, "allow-private-webhooks", env("HUMD_ALLOW_PRIVATE_WEBHOOKS") == "true",
		"allow private, loopback, link-local and other special-purpose targets and plain http for webhooks, CRM, HTTP tools and MCP (HUMD_ALLOW_PRIVATE_WEBHOOKS)")
	fs.IntVar(&c.KeyRequestsPerMinute, "key-rate-limit", envInt("HUMD_KEY_RATE_LIMIT"),
		"requests per minute per API key (HUMD_KEY_RATE_LIMIT, default 600; negative: no limit)")
	fs.IntVar(&c.PlanMaxNumbers, "plan-max-numbers", envInt("HUMD_PLAN_MAX_NUMBERS"), "numbers each org may hold (HUMD_PLAN_MAX_NUMBERS, 0: unlimited)")
	fs.StringVar(&c.PprofAddr, "pprof", env("HUMD_PPROF_ADDR"), "serve pprof on this loopback address (HUMD_PPROF_ADDR)")
	fs.StringVar(&c.SecretsKey, "secrets-key", env("HUMD_SECRETS_KEY"),
		"base64 of the 32-byte key that seals integration secrets (HUMD_SECRETS_KEY; default: <data>/secrets.key)")
	check := fs.Bool("check-config", false, "validate the configuration and exit")
	logLevel := fs.String("log-level", envOr("HUMD_LOG_LEVEL", "info"), "log level: debug, info, warn, error (HUMD_LOG_LEVEL)")
	return c, check, logLevel
}

// envInt reads an integer variable; unset or malformed is 0 (the default),
// and Validate is not needed since any integer is a valid setting.
func envInt(name string) int {
	n, _ := strconv.Atoi(os.Getenv(name))
	return n
}

// envDuration reads a duration variable; unset or malformed is 0 (the
// default).
func envDuration(name string) time.Duration {
	d, _ := time.ParseDuration(os.Getenv(name))
	return d
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	return logredact.Logger(slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))), nil
}

func serve(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("humd serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, check, level := configFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "humd: invalid configuration:\n%v\n", err)
		return 2
	}
	if *check {
		fmt.Fprintf(stdout, "configuration ok (addr %s, data %s, public url %s, carrier %s, model %s)\n",
			cfg.Addr, cfg.DataDir, cfg.PublicURL, pick(cfg.Sandbox(), "sandbox", "twilio"), pick(cfg.LocalModel(), "local", cfg.Model))
		return 0
	}
	logger, err := newLogger(stderr, *level)
	if err != nil {
		fmt.Fprintln(stderr, "humd:", err)
		return 2
	}
	app.TuneGC()
	a, err := app.New(*cfg, app.Options{Logger: logger})
	if err != nil {
		fmt.Fprintln(stderr, "humd:", err)
		return 1
	}
	if err := a.Listen(); err != nil {
		_ = a.Close()
		fmt.Fprintln(stderr, "humd:", err)
		return 1
	}
	if b := a.Bootstrap; b != nil && b.Created {
		fmt.Fprintf(stdout, "\nhumd: first start, created org %q (%s) and admin user %s.\n", b.Org.Name, b.Org.ID, b.User.Email)
		fmt.Fprintf(stdout, "humd: admin API key (shown once, store it now):\n\n    %s\n\n", b.Secret)
		if a.SignInURL != "" {
			fmt.Fprintf(stdout, "humd: console sign-in link for %s (one use, valid 24 h; then set a password):\n\n    %s\n\n", b.User.Email, a.SignInURL)
		} else {
			fmt.Fprintf(stdout, "humd: console sign-in: %s with the password HUMD_ADMIN_PASSWORD\n\n", b.User.Email)
		}
	}
	fmt.Fprintf(stdout, "humd: console %s\n", a.ConsoleURL())
	if sd := a.Seeded; sd != nil {
		fmt.Fprintf(stdout, "humd: sandbox number %s answers texts with the flow %q, calls with %q, and %d knowledge documents;\n"+
			"      try: HUMD_API_KEY=<key> humd sandbox send --from +13175550100 --body \"When are you open?\"\n"+
			"      or:  HUMD_API_KEY=<key> humd sandbox call --to %s\n\n",
			sd.Number.E164, sd.Flow.Name, sd.VoiceFlow.Name, sd.Docs, sd.Number.E164)
	}
	fmt.Fprintf(stdout, "humd %s listening on http://%s (data %s, %s carrier, %s model)\n", app.Version, a.Addr(), cfg.DataDir,
		pick(cfg.Sandbox(), "sandbox", "twilio"), pick(cfg.LocalModel(), "local", cfg.Model))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := a.Serve(ctx); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "humd:", err)
		return 1
	}
	fmt.Fprintln(stdout, "humd: stopped cleanly")
	return 0
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// importCmd loads the provider catalog into the data dir. It opens Pebble
// itself, so run it while humd is stopped (Pebble locks its directory).
func importCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("humd import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", envOr("HUMD_DATA", "./data"), "data directory (HUMD_DATA)")
	if len(args) < 2 || args[0] != "providers" {
		fmt.Fprintln(stderr, "usage: humd import providers [--data DIR] FILE")
		return 2
	}
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: humd import providers [--data DIR] FILE")
		return 2
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, "humd:", err)
		return 1
	}
	defer f.Close()
	st, err := storage.Open(*data, storage.Options{})
	if err != nil {
		fmt.Fprintln(stderr, "humd:", err, "(is humd running? stop it first)")
		return 1
	}
	defer st.Close()
	n, err := addresssession.ImportProviders(st, f)
	if err != nil {
		fmt.Fprintln(stderr, "humd:", err)
		return 1
	}
	fmt.Fprintf(stdout, "imported %d providers into %s\n", n, *data)
	return 0
}
