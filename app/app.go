package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	billingactor "github.com/humd/humd/actors/billing"
	"github.com/humd/humd/actors/consent"
	"github.com/humd/humd/actors/service"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/conversation"
	crmactor "github.com/humd/humd/actors/crm"
	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/actors/sidstatus"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/actors/webhook"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/crm"
	"github.com/humd/humd/storage/flowtools"
	"github.com/humd/humd/storage/mcptools"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/storage/webhooks"
	"github.com/humd/humd/storage/websessions"
	"github.com/humd/humd/transport/console"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/logredact"
	"github.com/humd/humd/transport/outbound"
	"github.com/humd/humd/transport/sandbox"
	"github.com/humd/humd/transport/twilio"
	"github.com/humd/humd/transport/twiliohooks"
)

// Version is humd's version string; make release stamps it (-X).
var Version = "0.1.0"

// App is one running humd: store, actor system, services and HTTP server.
type App struct {
	cfg    Config
	log    *slog.Logger
	Store  *storage.Pebble
	System *actor.ActorSystem
	// Actors reaches every actor of System by identity (system.Ref): the
	// scheduler is scheduler.Ref, a thread conversation.Ref(...).
	Actors *system.Registry
	Clock  clock.Clock
	HTTP   *httpapi.Server
	// Hooks serves Twilio's webhooks and the relay socket; the sandbox
	// carrier reports its status callbacks through it.
	Hooks *twiliohooks.API
	// Console serves the browser console's pages (transport/console).
	Console *console.API
	// collectors are humd's own metrics (MetricNames).
	collectors []prometheus.Collector
	// model is the model every channel runs, before each wraps it in its metrics.
	model ai.Model
	// Svc is the typed front door every front end calls.
	Svc *service.Service
	// Bootstrap says what the first start created (Secret is set only then).
	Bootstrap *tenancy.BootstrapResult
	// Sessions are the console's browser sessions; SignInURL is the first
	// start's one-time sign-in link (signin.go).
	Sessions  *websessions.Repo
	SignInURL string

	ln    net.Listener
	pprof *http.Server
	// Threads and Senders are the SMS actor directories; SIDStatus keeps
	// status callbacks that beat the carrier's answer, Consent writes a
	// person's opt-outs and opt-ins.
	Threads   *conversation.Directory
	Senders   *sender.Directory
	SIDStatus *sidstatus.Directory
	Consent   *consent.Directory
	// SandboxToken signs webhooks in sandbox mode (stored in Pebble).
	SandboxToken string
	// Sandbox is the sandbox carrier in sandbox mode.
	Sandbox *sandbox.Carrier
	// Seeded is what the first sandbox start created (nil otherwise).
	Seeded *Seeded
	// Twilio is the twilio-go client when Twilio credentials are set.
	Twilio *twilio.Client
	// Calls runs the voice call actors.
	Calls *call.Service
	// crm runs the CRM connectors; set after wireVoice, read by the calls'
	// pre-call hook (see voice.go), which runs only once HTTP serves.
	crm *crmactor.Service
	// billing is the billing actor and Gate, wired before the threads,
	// which ask it before every model run.
	billing *billingactor.Service
	// skips counts the stored records consumers went past
	// (humd_records_skipped_total).
	skips *storage.Skips
	// bk runs backups (backup.go).
	bk backups
	// acme gets certificates with HUMD_TLS_ACME_DOMAINS (tls.go).
	acme *acmeServer
	// sandboxBillingSecret signs the sandbox billing provider's events.
	sandboxBillingSecret string
}

// Options carry what tests and the bench harness swap out.
type Options struct {
	Logger *slog.Logger
	Clock  clock.Clock
	// StoreOptions go to storage.Open (tests pass an in-memory FS).
	StoreOptions storage.Options
	// OnResponse is passed to the HTTP server (OpenAPI response validation).
	OnResponse func(r *httpapi.Route, status int, contentType string, body []byte)
	// CheckTypes fails an answer whose Go type is not the one its route
	// declares (httpapi.Config.CheckTypes).
	CheckTypes bool
	// Carrier replaces the carrier New would choose (the sandbox without
	// Twilio credentials, else twilio-go).
	Carrier sender.Carrier
	// NoSeed skips the sandbox seed (number, SMS flow, knowledge documents)
	// on the first start; tests build their own fixtures.
	NoSeed bool
	// Model replaces the model New would choose (the local model without an
	// OpenAI key, else openai-go).
	Model ai.Model
	// Dialer replaces the outbound call placer (the sandbox carrier, else
	// twilio-go).
	Dialer call.Dialer
}

// New opens the store, bootstraps an empty one, starts the actor system and
// builds the HTTP server. It does not listen yet.
func New(cfg Config, o Options) (*App, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// Every logger humd builds from here on (actors, storage, HTTP) redacts.
	o.Logger = logredact.Logger(o.Logger)
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.StoreOptions.Logger == nil {
		o.StoreOptions.Logger = o.Logger
	}
	if cfg.SecretsKey != "" && o.StoreOptions.SecretsKey == nil {
		key, err := storage.SecretsKey("", cfg.SecretsKey)
		if err != nil {
			return nil, err
		}
		o.StoreOptions.SecretsKey = key
	}
	st, err := storage.Open(cfg.DataDir, o.StoreOptions)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: o.Logger, Store: st, Clock: o.Clock}
	if o.StoreOptions.FS != nil {
		a.bk.unavailable = "in-memory store"
	}
	a.System = system.New(o.Logger)
	a.Actors = system.RegistryOf(a.System)
	if err := a.wire(o); err != nil {
		a.System.Shutdown()
		_ = st.Close()
		return nil, err
	}
	a.scheduleBackups()
	return a, nil
}

func (a *App) wire(o Options) error {
	now := a.Clock.Now
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.skips = storage.NewSkips(reg, a.log)
	a.registerMetrics(reg)
	ten := &tenancy.Repo{Store: a.Store, Now: now, ValidateHours: validateHours}
	boot, err := ten.Bootstrap(a.cfg.AdminKey)
	if err != nil {
		return err
	}
	a.Bootstrap = boot
	if err := a.wireSignIn(ten); err != nil {
		return err
	}
	// Billing first: a thread asks its Gate before every model run.
	bill, billSandbox, err := a.wireBilling()
	if err != nil {
		return err
	}
	a.billing = bill
	sms, err := a.wireSMS(o, ten)
	if err != nil {
		return err
	}
	sms.Billing, sms.BillingSandbox = bill, billSandbox
	policy := a.cfg.Egress()
	post := outbound.Poster(policy)
	if sms.Webhooks, err = webhook.New(a.System.Root, webhook.Config{Store: a.Store, Clock: a.Clock, Logger: a.log, Post: post,
		Policy: policy, Skips: a.skips}); err != nil {
		return err
	}
	if a.crm, err = crmactor.New(a.System.Root, crmactor.Config{Store: a.Store, Clock: a.Clock, Logger: a.log, Post: post,
		Policy: policy, Skips: a.skips}); err != nil {
		return err
	}
	sms.CRM = a.crm
	if sms.Enrich, err = a.wireEnrich(); err != nil {
		return err
	}
	if sms.Retention, err = a.wireRetention(sms.Enrich); err != nil {
		return err
	}
	if boot.Created && a.cfg.Sandbox() && !o.NoSeed {
		if a.Seeded, err = a.seedSandbox(boot.Org.ID, sms.Flows); err != nil {
			return err
		}
	}
	a.HTTP = httpapi.New(httpapi.Config{MaxJSONBody: a.cfg.MaxJSONBody, KeyRequestsPerMinute: a.cfg.KeyRequestsPerMinute, Logger: a.log, OnResponse: o.OnResponse,
		Registry: reg, MetricsToken: a.cfg.MetricsToken, Skips: a.skips, Keys: ten, Store: a.Store, Clock: a.Clock, Version: Version, CheckTypes: o.CheckTypes},
		a.areas(sms)...)
	// Credentials an older humd stored in the clear are sealed now.
	if err := flowtools.Reseal(a.Store); err != nil {
		return err
	}
	if err := mcptools.Reseal(a.Store); err != nil {
		return err
	}
	if err := webhooks.Reseal(a.Store); err != nil {
		return err
	}
	if err := crm.Reseal(a.Store); err != nil {
		return err
	}
	// Statuses kept for SIDs a crash left unannounced go to their threads.
	if err := a.SIDStatus.ResumeEarly(); err != nil {
		return err
	}
	// Last, once everything a closing call reaches (CRM, webhooks) exists.
	return a.Calls.ResumeOpen()
}

// Listen binds the configured address (":0" picks a port; see Addr).
func (a *App) Listen() error {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", a.cfg.Addr, err)
	}
	if a.ln, err = a.serveTLS(ln); err != nil {
		_ = ln.Close()
		return err
	}
	if a.cfg.PprofAddr != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		a.pprof = &http.Server{Addr: a.cfg.PprofAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		pln, err := net.Listen("tcp", a.cfg.PprofAddr)
		if err != nil {
			return fmt.Errorf("pprof listen %s: %w", a.cfg.PprofAddr, err)
		}
		go func() { _ = a.pprof.Serve(pln) }()
	}
	return nil
}

// Addr is the bound address after Listen.
func (a *App) Addr() string {
	if a.ln == nil {
		return a.cfg.Addr
	}
	return a.ln.Addr().String()
}

// selfURL is humd's own address as a URL, for the calls the console's
// sandbox phone places to humd itself: loopback when humd listens on every
// interface; the public URL when it serves https (its certificate names
// that, not the loopback).
func (a *App) selfURL() string {
	if a.cfg.TLSCert != "" || a.cfg.TLSACMEDomains != "" {
		return a.cfg.PublicURL
	}
	host, port, err := net.SplitHostPort(a.Addr())
	if err != nil {
		return "http://" + a.Addr()
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Serve answers HTTP until ctx ends, then shuts down cleanly: stop accepting,
// let in-flight requests and actors finish, close Pebble.
func (a *App) Serve(ctx context.Context) error {
	if a.ln == nil {
		if err := a.Listen(); err != nil {
			return err
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- a.HTTP.Serve(a.ln) }()
	select {
	case err := <-errc:
		_ = a.Close()
		return err
	case <-ctx.Done():
	}
	return a.Close()
}

// Close stops everything in order. It is safe to call once.
func (a *App) Close() error {
	var errs []error
	a.stopBackups()
	if a.Calls != nil {
		a.Calls.Hub().Close()
	}
	if a.Console != nil {
		a.Console.Close()
	}
	done := make(chan error, 1)
	go func() { done <- a.HTTP.Shutdown() }()
	select {
	case err := <-done:
		errs = append(errs, err)
	case <-time.After(a.cfg.ShutdownTimeout):
		errs = append(errs, errors.New("http shutdown timed out"))
	}
	if a.pprof != nil {
		_ = a.pprof.Close()
	}
	if a.acme != nil {
		_ = a.acme.srv.Shutdown()
	}
	a.System.Shutdown()
	errs = append(errs, a.Store.Close())
	return errors.Join(errs...)
}
