package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
)

func adminCmd(stdout, stderr io.Writer) *cobra.Command {
	parent := &cobra.Command{
		Use:   "admin",
		Short: "Recover access on a stopped humd's data directory",
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(stderr, "usage: humd admin create-key --data DIR --org ORG [--role admin] [--site-admin]")
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
	parent.AddCommand(create)
	return parent
}

func createKey(data, secretsKey, org string, role tenancy.Role, siteAdmin bool, stdout, stderr io.Writer) int {
	if ents, err := os.ReadDir(data); err != nil || len(ents) == 0 {
		fmt.Fprintf(stderr, "humd admin create-key: %s holds no humd data (give --data or HUMD_DATA)\n", data)
		return 1
	}
	o := storage.Options{}
	if secretsKey != "" {
		key, err := storage.SecretsKey("", secretsKey)
		if err != nil {
			fmt.Fprintln(stderr, "humd admin create-key:", err)
			return 2
		}
		o.SecretsKey = key
	}
	st, err := storage.Open(data, o)
	if storage.Locked(err) {
		fmt.Fprintf(stderr, "humd admin create-key: %s is in use by a running humd (another process holds its lock).\n"+
			"Stop humd first, or create the key through the API with an admin key (POST /api/api-keys).\n", data)
		return 1
	}
	if err != nil {
		fmt.Fprintln(stderr, "humd admin create-key:", err)
		return 1
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
