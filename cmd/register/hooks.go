package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/council/register/hooks"
)

func init() { verbs = append(verbs, newHooksCmd) }

type hooksOptions struct {
	Dir    string
	Server string
	Force  bool
}

func newHooksCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hooks",
		Short: "Install the register's Git hooks",
	}
	var o hooksOptions
	install := &cobra.Command{
		Use:   "install [DIR]",
		Short: "Install the pre-commit and commit-msg hooks, or pre-receive on a server",
		Long: `Install writes the pre-commit and commit-msg hooks into the Git hooks
folder of the working copy DIR (default: the current folder; the folder
core.hooksPath names, if set). With --server BARE.git it writes the
pre-receive hook into a bare repository, so every push is judged. The
hooks call the register program, which must be on PATH. An existing
different hook is kept unless --force.`,
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			o.Dir = "."
			if len(a) == 1 {
				o.Dir = a[0]
			}
			return runHooksInstall(cmd.Context(), e, o)
		},
	}
	install.Flags().StringVar(&o.Server, "server", "", "install pre-receive into this bare repository")
	install.Flags().BoolVar(&o.Force, "force", false, "replace existing hooks")
	cmd.AddCommand(install)
	return cmd
}

func runHooksInstall(ctx context.Context, e *env, o hooksOptions) error {
	names := hooks.Names
	var dir string
	if o.Server != "" {
		if _, err := os.Stat(filepath.Join(o.Server, "objects")); err != nil {
			return fmt.Errorf("%s: not a bare Git repository", o.Server)
		}
		dir = filepath.Join(o.Server, "hooks")
		names = []string{"pre-receive"}
	} else {
		d, err := hooksDir(ctx, o.Dir)
		if err != nil {
			return err
		}
		dir = d
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// Check every hook before writing any, so a refusal changes nothing.
	for _, n := range names {
		want, _ := fs.ReadFile(hooks.FS, n)
		have, err := os.ReadFile(filepath.Join(dir, n))
		if err == nil && !bytes.Equal(have, want) && !o.Force {
			return withHint(fmt.Errorf("%s: a different %s hook is already installed", filepath.Join(dir, n), n),
				"merge it by hand, or replace it with register hooks install --force")
		}
	}
	for _, n := range names {
		data, _ := fs.ReadFile(hooks.FS, n)
		if err := writeFileAtomic(filepath.Join(dir, n), data, 0o755); err != nil {
			return err
		}
		fmt.Fprintf(e.Err, "register: installed %s\n", filepath.Join(dir, n))
	}
	return nil
}

// hooksDir returns the folder git runs a working copy's hooks from.
func hooksDir(ctx context.Context, dir string) (string, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", fmt.Errorf("%s: not a folder", dir)
	}
	out, err := gitIn(ctx, dir, "rev-parse", "--path-format=absolute", "--git-path", "hooks")
	if err != nil {
		return "", withHint(fmt.Errorf("%s: not a Git working copy", dir), "run git init first")
	}
	return out, nil
}

func gitIn(ctx context.Context, dir string, a ...string) (string, error) {
	if dir == "" {
		return "", errors.New("no folder")
	}
	return runGit(ctx, append([]string{"-C", dir}, a...)...)
}
