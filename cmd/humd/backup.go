package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/humd/humd/storage"
)

func backupCmd(stdout, stderr io.Writer) *cobra.Command {
	var s settings
	var to string
	cmd := &cobra.Command{
		Use:   "backup --to DIR",
		Short: "Take a verified online backup of a running humd (needs a site:admin key)",
		Long: `Ask a running humd (--url) for an online backup: it checkpoints its store into DIR on its own
machine (DIR must not exist yet; its parent must), opens the copy and counts its records before it
answers. When DIR is visible here too, the backup is verified again. Copy DIR elsewhere to keep it
safe; "humd restore" puts it back.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := resolveSettings(cmd); err != nil {
				return err
			}
			if s.URL == "" {
				s.URL = defaultURL()
			}
			return codeErr(backup(s.URL, s.APIKey, to, stdout, stderr))
		},
	}
	bindSettings(cmd, &s, "url", "key")
	cmd.Flags().StringVar(&to, "to", "", "the directory to create for the backup, on humd's machine (required)")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

func backup(base, key, to string, stdout, stderr io.Writer) int {
	if key == "" {
		fmt.Fprintln(stderr, "humd backup: --key (or HUMD_API_KEY) is required: a site:admin key")
		return 2
	}
	if !filepath.IsAbs(to) {
		abs, err := filepath.Abs(to)
		if err != nil {
			fmt.Fprintln(stderr, "humd backup:", err)
			return 2
		}
		to = abs
	}
	// A big store takes a while to checkpoint, count and checksum.
	cl := &client{base: strings.TrimRight(base, "/"), key: key, http: &http.Client{Timeout: 30 * time.Minute}}
	var m storage.BackupManifest
	if err := cl.do("POST", "/api/admin/backup", map[string]string{"dir": to}, &m); err != nil {
		fmt.Fprintln(stderr, "humd backup:", err)
		return 1
	}
	verified := "verified by humd; not visible here"
	if _, err := os.Stat(m.Dir); err == nil {
		if _, err := storage.VerifyBackup(m.Dir); err != nil {
			fmt.Fprintln(stderr, "humd backup:", err)
			return 1
		}
		verified = "verified"
	}
	fmt.Fprintf(stdout, "backup written to %s: %d records, %d bytes (%s)\n", m.Dir, m.Records, m.Bytes, verified)
	return 0
}

func restoreCmd(stdout, stderr io.Writer) *cobra.Command {
	var s settings
	var from string
	cmd := &cobra.Command{
		Use:   "restore --from DIR --data DIR",
		Short: "Put a backup in place of an empty data directory, verified",
		Long: `Copy a backup (from "humd backup" or a scheduled one) into --data, which must be absent or
empty, checking every file's checksum and the record count before and after the copy. Then start
humd on --data. Without the backup's secrets.key (it is copied when humd had one in its data
directory), start humd with the same HUMD_SECRETS_KEY as before.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := resolveSettings(cmd); err != nil {
				return err
			}
			if s.DataDir == "" {
				return usageError{fmt.Errorf("restore needs --data (or HUMD_DATA)")}
			}
			m, err := storage.Restore(from, s.DataDir)
			if err != nil {
				fmt.Fprintln(stderr, "humd restore:", err)
				return exitCode(1)
			}
			fmt.Fprintf(stdout, "restored %d records from %s (taken %s) into %s\n", m.Records, from, m.CreatedAt.Format(time.RFC3339), s.DataDir)
			if !m.SecretsKey {
				fmt.Fprintln(stdout, "the backup has no secrets.key: start humd with the HUMD_SECRETS_KEY it had")
			}
			return nil
		},
	}
	bindSettings(cmd, &s, "data")
	cmd.Flags().StringVar(&from, "from", "", "the backup directory (required)")
	_ = cmd.MarkFlagRequired("from")
	return cmd
}
