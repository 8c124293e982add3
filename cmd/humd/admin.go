package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/storage/websessions"
)

func adminCmd(stdout, stderr io.Writer) *cobra.Command {
	parent := &cobra.Command{
		Use:   "admin",
		Short: "Recover access on a stopped humd's data directory",
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(stderr, "usage: humd admin create-key --data DIR --org ORG [--role admin] [--site-admin]")
			fmt.Fprintln(stderr, "       humd admin reset-password --data DIR --email EMAIL")
			return exitCode(2)
		},
	}
	var s settings
	var org, role string
	var siteAdmin bool
	create := &cobra.Command{
		Use:   "create-key --data DIR --org ORG",
		Short: "Print a new API key for an org, written straight into a stopped humd's data",
		Long: `Print a new API key for an org (its id or exact name) on the data directory of a STOPPED humd:
for when every admin key is lost. A new user "Recovery <date>" joins the org with --role and owns
the key, so the team list shows the recovery; --site-admin makes both site admins. It refuses
while a running humd holds the directory: then make keys through the API (POST /api/api-keys).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := resolveSettings(cmd); err != nil {
				return err
			}
			return codeErr(createKey(envOrDefault(s.DataDir, "./data"), s.SecretsKey, org, tenancy.Role(role), siteAdmin, stdout, stderr))
		},
	}
	bindSettings(create, &s, "data", "secrets-key")
	create.Flags().StringVar(&org, "org", "", "the org's id or exact name (required)")
	create.Flags().StringVar(&role, "role", "admin", "the key's role: viewer, operator or admin")
	create.Flags().BoolVar(&siteAdmin, "site-admin", false, "make the key a site:admin key (it may provision orgs and take backups)")
	_ = create.MarkFlagRequired("org")
	var email string
	reset := &cobra.Command{
		Use:   "reset-password --data DIR --email EMAIL",
		Short: "Print a new console password for a user, written straight into a stopped humd's data",
		Long: `Set a new, random console password for the user with --email on the data directory of a STOPPED
humd and print it: for a console user who lost theirs. Every browser session of the user ends. It
refuses while a running humd holds the directory: then the user changes it signed in
(POST /api/me/password), or an admin makes a sign-in another way.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := resolveSettings(cmd); err != nil {
				return err
			}
			return codeErr(resetPassword(envOrDefault(s.DataDir, "./data"), s.SecretsKey, email, stdout, stderr))
		},
	}
	bindSettings(reset, &s, "data", "secrets-key")
	reset.Flags().StringVar(&email, "email", "", "the user's email (required)")
	_ = reset.MarkFlagRequired("email")
	parent.AddCommand(create, reset)
	return parent
}

// openStopped opens a stopped humd's data for an admin command, refusing
// while a running humd holds it.
func openStopped(cmd, data, secretsKey, wayOut string, stderr io.Writer) (*storage.Pebble, int) {
	if ents, err := os.ReadDir(data); err != nil || len(ents) == 0 {
		fmt.Fprintf(stderr, "humd admin %s: %s holds no humd data (give --data or HUMD_DATA)\n", cmd, data)
		return nil, 1
	}
	o := storage.Options{}
	if secretsKey != "" {
		key, err := storage.SecretsKey("", secretsKey)
		if err != nil {
			fmt.Fprintf(stderr, "humd admin %s: %v\n", cmd, err)
			return nil, 2
		}
		o.SecretsKey = key
	}
	st, err := storage.Open(data, o)
	if storage.Locked(err) {
		fmt.Fprintf(stderr, "humd admin %s: %s is in use by a running humd (another process holds its lock).\n"+
			"Stop humd first, or %s.\n", cmd, data, wayOut)
		return nil, 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "humd admin %s: %v\n", cmd, err)
		return nil, 1
	}
	return st, 0
}

func resetPassword(data, secretsKey, email string, stdout, stderr io.Writer) int {
	st, code := openStopped("reset-password", data, secretsKey, "change it signed in (POST /api/me/password)", stderr)
	if st == nil {
		return code
	}
	defer st.Close()
	raw := make([]byte, 18)
	if _, err := rand.Read(raw); err != nil {
		fmt.Fprintln(stderr, "humd admin reset-password:", err)
		return 1
	}
	password := base64.RawURLEncoding.EncodeToString(raw)
	u, err := (&tenancy.Repo{Store: st}).ResetPassword(email, password)
	if err != nil {
		fmt.Fprintln(stderr, "humd admin reset-password:", err)
		return 1
	}
	n, err := (&websessions.Repo{Store: st}).RevokeUser(u.ID)
	if err != nil {
		fmt.Fprintln(stderr, "humd admin reset-password:", err)
		return 1
	}
	fmt.Fprintf(stderr, "humd: new console password for %s (%d browser sessions ended); shown once:\n", u.Email, n)
	fmt.Fprintln(stdout, password)
	return 0
}

func createKey(data, secretsKey, org string, role tenancy.Role, siteAdmin bool, stdout, stderr io.Writer) int {
	st, code := openStopped("create-key", data, secretsKey, "create the key through the API with an admin key (POST /api/api-keys)", stderr)
	if st == nil {
		return code
	}
	defer st.Close()
	ten := &tenancy.Repo{Store: st}
	k, o2, err := ten.RecoveryKey(org, role, siteAdmin)
	if err != nil {
		fmt.Fprintln(stderr, "humd admin create-key:", err)
		return 1
	}
	kind := string(k.Role)
	if k.SiteAdmin {
		kind += ", site:admin"
	}
	fmt.Fprintf(stderr, "humd: new %s key %s for org %q (%s), owned by a new recovery user; shown once:\n", kind, k.ID, o2.Name, o2.ID)
	fmt.Fprintln(stdout, k.Key)
	return 0
}
