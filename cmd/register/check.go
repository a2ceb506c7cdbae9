package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/council/register/register"
	"github.com/council/register/register/dirfs"
	"github.com/council/register/register/evidence"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, newCheckCmd) }

type checkOptions struct {
	Dir   string
	Range string
}

func newCheckCmd(e *env) *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check [DIR]",
		Short: "Check the register's files against the schema, the workflow and the policy",
		Long: `Check loads the whole register in DIR (default: the current folder) and
reports every finding as path:line: message, sorted by path, then a count.
It exits 1 if there is any finding. With --range A..B (the CI of a pull
request) it also judges every commit in A..B as it would land on the main
branch, and checks B's tree instead of the working tree.`,
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			o.Dir = "."
			if len(a) == 1 {
				o.Dir = a[0]
			}
			return runCheck(cmd.Context(), e, o)
		},
	}
	cmd.Flags().StringVar(&o.Range, "range", "", "judge every commit in `A..B` and B's tree")
	return cmd
}

func runCheck(ctx context.Context, e *env, o checkOptions) error {
	if o.Range != "" {
		return runCheckRange(ctx, e, o)
	}
	reg, findings, err := loadRegister(ctx, o.Dir)
	if err != nil {
		return err
	}
	findings = append(findings, reg.Check(ctx, checkOpts(o.Dir))...)
	return report(e, findings)
}

// report prints findings and a count, and turns any finding into exit 1.
func report(e *env, findings register.Findings) error {
	findings.Sort()
	for _, f := range findings {
		fmt.Fprintln(e.Out, f)
	}
	switch n := len(findings); n {
	case 0:
		fmt.Fprintln(e.Err, "register: no findings")
		return nil
	case 1:
		fmt.Fprintln(e.Err, "register: 1 finding")
	default:
		fmt.Fprintf(e.Err, "register: %d findings\n", n)
	}
	return exitError{1}
}

// loadRegister loads the register in dir, with the parse cache of a Git
// register.
func loadRegister(ctx context.Context, dir string) (*register.Register, register.Findings, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, nil, fmt.Errorf("%s: not a folder", dir)
	}
	cache := parseCache(dir)
	reg, findings, err := register.LoadWith(ctx, dirfs.New(dir), register.LoadOptions{Cache: cache})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", dir, err)
	}
	cache.Save() // a cache that cannot be written costs the next run time, nothing else
	return reg, findings, nil
}

// parseCache opens the parse cache of the register in dir: inside its Git
// folder, never committed or published; none for a register outside Git.
// It is keyed to this executable, since another build may parse
// differently.
func parseCache(dir string) *register.ParseCache {
	caches, id := cacheFolder(dir), buildIdentity()
	if caches == "" || id == "" {
		return nil
	}
	return register.OpenParseCache(filepath.Join(caches, "parse-cache-v1"), id)
}

// cacheFolder is where register keeps what it works out about the
// register in dir (.git/register), or "" for a register outside Git.
func cacheFolder(dir string) string {
	if st, err := os.Stat(filepath.Join(dir, ".git")); err != nil || !st.IsDir() {
		return ""
	}
	return filepath.Join(dir, ".git", "register")
}

// buildIdentity names this executable: its path, size and time. Caches
// of what register worked out are keyed to it, since another build may
// work it out differently. It is "" when the executable cannot be found:
// then nothing is cached.
var buildIdentity = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	xs, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%s %d %d", exe, xs.Size(), xs.ModTime().UnixNano())
})

// checkOpts returns the options for checking the register in dir.
func checkOpts(dir string) register.CheckOptions {
	fsys := dirfs.New(dir)
	return register.CheckOptions{FS: fsys, Evidence: evidence.NewChecker(fsys)}
}
