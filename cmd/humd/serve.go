package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/humd/humd/app"
)

func serveCmd(stdout, stderr io.Writer) *cobra.Command {
	var s settings
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the server (the default command)",
		Long: `Run humd: the API, Twilio's webhooks and the voice relay on --addr, data in --data.
Every flag has an environment variable, named in its help; a flag wins over its variable,
and the variable over the config file (--config). SIGINT or SIGTERM stops it cleanly.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return serve(cmd, &s, stdout, stderr) },
	}
	serveFlags(cmd, &s)
	return cmd
}

func serveFlags(cmd *cobra.Command, s *settings) {
	bindSettings(cmd, s, serverSettings...)
	cmd.Flags().Bool("check-config", false, "validate the configuration, print what humd would run with, and exit")
}

func serve(cmd *cobra.Command, s *settings, stdout, stderr io.Writer) error {
	if err := resolveSettings(cmd); err != nil {
		return err
	}
	cfg := &s.Config
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "humd: invalid configuration:\n%v\n", err)
		return exitCode(2)
	}
	logger, err := newLogger(stderr, s.LogLevel, s.LogFormat)
	if err != nil {
		return usageError{err}
	}
	if check, _ := cmd.Flags().GetBool("check-config"); check {
		fmt.Fprintf(stdout, "configuration ok (addr %s, data %s, public url %s, carrier %s, model %s)\n",
			cfg.Addr, cfg.DataDir, cfg.PublicURL, pick(cfg.Sandbox(), "sandbox", "twilio"), pick(cfg.LocalModel(), "local", cfg.Model))
		return nil
	}
	app.TuneGC()
	a, err := app.New(*cfg, app.Options{Logger: logger})
	if err != nil {
		fmt.Fprintln(stderr, "humd:", err)
		return exitCode(1)
	}
	if err := a.Listen(); err != nil {
		_ = a.Close()
		fmt.Fprintln(stderr, "humd:", err)
		return exitCode(1)
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
	fmt.Fprintf(stdout, "humd %s listening on %s://%s (data %s, %s carrier, %s model)\n", app.Version, pick(cfg.TLS(), "https", "http"), a.Addr(), cfg.DataDir,
		pick(cfg.Sandbox(), "sandbox", "twilio"), pick(cfg.LocalModel(), "local", cfg.Model))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := a.Serve(ctx); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "humd:", err)
		return exitCode(1)
	}
	fmt.Fprintln(stdout, "humd: stopped cleanly")
	return nil
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}
