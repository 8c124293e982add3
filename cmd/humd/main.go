// Command humd is the humd server and its admin commands (spf13/cobra):
//
//	humd [serve] [flags]               run the server (the default)
//	humd -check-config                 validate configuration and exit
//	humd import providers FILE         load the address-session provider catalog (CSV)
//	humd sandbox send|call             play a contact against a sandbox humd
//	humd admin create-key              a new API key on a stopped humd's data
//	humd backup --to DIR               an online backup of a running humd
//	humd restore --from DIR --data DIR put a backup in place of an empty data dir
//	humd completion bash|zsh|fish      shell completion
//	humd version
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/humd/humd/app"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// exitCode ends a command with a status; its message, if any, was printed.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// codeErr turns a command's status into cobra's error.
func codeErr(code int) error {
	if code == 0 {
		return nil
	}
	return exitCode(code)
}

// usageError is a command line humd cannot run: exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func run(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(longFlags(root, args))
	err := root.Execute()
	var code exitCode
	switch {
	case err == nil:
		return 0
	case errors.As(err, &code):
		return int(code)
	}
	fmt.Fprintln(stderr, "humd:", err)
	var ue usageError
	if !errors.As(err, &ue) {
		// cobra's own: an unknown command or flag, missing arguments.
		fmt.Fprintln(stderr, `Run "humd --help" for the commands, "humd COMMAND --help" for their flags.`)
	}
	return 2
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	var s settings
	root := &cobra.Command{
		Use:   "humd",
		Short: "humd: self-hosted AI voice and SMS operations server",
		Long: `humd serves the API, Twilio's webhooks and the voice relay from one binary and one data directory.
With no command it runs "humd serve". Every setting is a flag and an environment variable (the
flag wins), and may also come from a YAML file (--config); "humd serve --help" lists them.`,
		Version:       app.Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.NoArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return serve(cmd, &s, stdout, stderr) },
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetVersionTemplate("humd {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return err })
	root.PersistentFlags().String("config", "", "YAML file of settings, keys named as the flags (HUMD_CONFIG)")
	// humd with no command is humd serve: it takes serve's flags, unlisted
	// here so the root's help stays a list of commands.
	serveFlags(root, &s)
	root.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Name != "help" && f.Name != "version" {
			f.Hidden = true
		}
	})
	root.AddCommand(serveCmd(stdout, stderr), importCmd(stdout, stderr), sandboxCmd(stdout, stderr), adminCmd(stdout, stderr),
		backupCmd(stdout, stderr), restoreCmd(stdout, stderr), healthCmd(stdout, stderr),
		&cobra.Command{Use: "version", Short: "Print humd's version", Args: cobra.NoArgs,
			Run: func(*cobra.Command, []string) { fmt.Fprintln(stdout, "humd", app.Version) }})
	return root
}

// longFlags lets long flags keep Go's single dash (humd -check-config,
// humd serve -addr :8080), as humd took them before: "-name" becomes
// "--name" when some command has a flag called name. Values (-1 for
// key-rate-limit) and shorthands are left alone, and so is all after "--".
func longFlags(root *cobra.Command, args []string) []string {
	names := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		add := func(f *pflag.Flag) { names[f.Name] = true }
		c.Flags().VisitAll(add)
		c.PersistentFlags().VisitAll(add)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	out := make([]string, len(args))
	copy(out, args)
	for i, a := range out {
		if a == "--" {
			break
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			name, _, _ := strings.Cut(a[1:], "=")
			if len(name) > 1 && names[name] {
				out[i] = "-" + a
			}
		}
	}
	return out
}
