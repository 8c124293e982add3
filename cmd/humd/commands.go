package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/humd/humd/app"
	"github.com/humd/humd/storage"
)

// importCmd loads the provider catalog into the data dir. It opens Pebble
// itself, so run it while humd is stopped (Pebble locks its directory).
func importCmd(stdout, stderr io.Writer) *cobra.Command {
	const usage = "usage: humd import providers [--data DIR] FILE"
	parent := &cobra.Command{
		Use:   "import",
		Short: "Load reference data into a stopped humd's data directory",
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(stderr, usage)
			return exitCode(2)
		},
	}
	var s settings
	providers := &cobra.Command{
		Use:   "providers FILE",
		Short: "Load the internet-provider catalog for address sessions (CSV; see docs/sessions.md)",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{fmt.Errorf("%s", usage)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := resolveSettings(cmd); err != nil {
				return err
			}
			return codeErr(importProviders(envOrDefault(s.DataDir, "./data"), args[0], stdout, stderr))
		},
	}
	bindSettings(providers, &s, "data")
	parent.AddCommand(providers)
	return parent
}

func envOrDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func importProviders(data, file string, stdout, stderr io.Writer) int {
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintln(stderr, "humd:", err)
		return 1
	}
	defer f.Close()
	st, err := storage.Open(data, storage.Options{})
	if err != nil {
		fmt.Fprintln(stderr, "humd:", err, "(is humd running? stop it first)")
		return 1
	}
	defer st.Close()
	n, err := app.ImportProviders(st, f, nil)
	if err != nil {
		fmt.Fprintln(stderr, "humd:", err)
		return 1
	}
	fmt.Fprintf(stdout, "imported %d providers into %s\n", n, data)
	return 0
}

func sandboxCmd(stdout, stderr io.Writer) *cobra.Command {
	parent := &cobra.Command{
		Use:   "sandbox",
		Short: "Play a contact against a running humd in sandbox mode",
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(stderr, "usage: humd sandbox send --from E164 [--to E164] --body TEXT [--url URL] [--key KEY] [--wait 5s]")
			fmt.Fprintln(stderr, "       humd sandbox call --to E164 [--from E164] [--url URL] [--public-url URL] [--key KEY] [--wait 30s]")
			fmt.Fprintln(stderr, "       humd sandbox call --answer CALL_ID|latest   (pick up an outbound call humd placed)")
			return exitCode(2)
		},
	}
	sendFS := flag.NewFlagSet("humd sandbox send", flag.ContinueOnError)
	send := sandboxSendFlags(sendFS)
	sendCmd := &cobra.Command{
		Use:   "send --from E164 --body TEXT",
		Short: "Text a sandbox number as a contact would, and print the thread",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return codeErr(sandboxSend(send, stdout, stderr)) },
	}
	sendCmd.Flags().AddGoFlagSet(sendFS)
	callFS := flag.NewFlagSet("humd sandbox call", flag.ContinueOnError)
	call := sandboxCallFlags(callFS)
	callCmd := &cobra.Command{
		Use:   "call --to E164",
		Short: "Call a sandbox number and talk to its agent (type lines; #5 presses 5; /hangup)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			// Ctrl-C hangs up properly rather than leaving the call open in humd.
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return codeErr(runSandboxCall(ctx, call, os.Stdin, stdout, stderr))
		},
	}
	callCmd.Flags().AddGoFlagSet(callFS)
	parent.AddCommand(sendCmd, callCmd)
	return parent
}
