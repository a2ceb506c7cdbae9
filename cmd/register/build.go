package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/council/register/site"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, newBuildCmd) }

type buildOptions struct {
	Dir       string
	Out       string
	Audiences []string
	// reload is set by serve: pages poll for changes.
	reload bool
	access accessOptions
}

func newBuildCmd(e *env) *cobra.Command {
	var o buildOptions
	cmd := &cobra.Command{
		Use:   "build [DIR]",
		Short: "Build the register's website, one tree per audience",
		Long: `Build renders the register in DIR (default: the current folder) as a static
website: one self-contained tree per audience of register.yaml, in
OUT/<audience>/. What an audience may not see appears nowhere in its tree.

The new site is written beside OUT and swapped in whole: a failed build
leaves the previous site as it was. Parsed cases and rendered case pages
are cached (in .git/register/site of a Git register, else beside OUT), so
a rebuild after a few edits renders only what changed.`,
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			o.Dir = "."
			if len(a) == 1 {
				o.Dir = a[0]
			}
			return runBuild(cmd.Context(), e, o)
		},
	}
	cmd.Flags().StringVar(&o.Out, "out", "public", "folder to write the site to")
	cmd.Flags().StringArrayVar(&o.Audiences, "audience", nil, "build only this audience (repeatable)")
	o.access.flags(cmd.Flags())
	return cmd
}

func runBuild(ctx context.Context, e *env, o buildOptions) error {
	start := time.Now()
	if st, err := os.Stat(o.Dir); err != nil || !st.IsDir() {
		return fmt.Errorf("%s: not a folder", o.Dir)
	}
	in, err := siteInput(o.Dir)
	if err != nil {
		return err
	}
	access, err := o.access.plan(o.Dir, o.Out, o.Audiences)
	if err != nil {
		return err
	}
	opts := site.Options{Now: e.Now(), Audiences: o.Audiences, CacheDir: cacheDir(o.Dir, o.Out), Reload: o.reload, Finish: access.seal}
	err = site.Build(ctx, in, o.Out, opts)
	var be *site.BuildError
	if errors.As(err, &be) {
		fmt.Fprintf(e.Err, "register: build refused; %s is unchanged\n", o.Out)
		return report(e, be.Findings)
	}
	if err != nil {
		return fmt.Errorf("build %s: %w", o.Out, err)
	}
	if err := access.done(); err != nil {
		return err
	}
	fmt.Fprintf(e.Err, "register: built %s in %.1fs\n", o.Out, time.Since(start).Seconds())
	return nil
}

// siteInput gathers what the site is built from. The case history comes
// from register/history once it is part of the build; until then pages
// say why they have none.
func siteInput(dir string) (site.Input, error) {
	in := site.Input{Dir: dir}
	if st, err := os.Stat(filepath.Join(dir, ".git")); err != nil || !st.IsDir() {
		in.HistoryNote = "not a Git repository"
	} else {
		in.HistoryNote = "this build of register does not read the Git history yet"
	}
	return in, nil
}

// cacheDir picks where builds keep their cache: inside .git of a Git
// register (never committed, never published), else beside the output.
func cacheDir(dir, out string) string {
	if st, err := os.Stat(filepath.Join(dir, ".git")); err == nil && st.IsDir() {
		return filepath.Join(dir, ".git", "register", "site")
	}
	out = filepath.Clean(out)
	return filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".cache")
}
