package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/council/register/register/demo"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, newDemoCmd) }

type demoOptions struct {
	Dir   string
	Cases int
	Seed  uint64
}

func newDemoCmd(e *env) *cobra.Command {
	var o demoOptions
	var seed string
	cmd := &cobra.Command{
		Use:   "demo DIR",
		Short: "Write a synthetic register with people, keys, cases, minutes and a signed Git history",
		Long: `Demo writes a complete register of an invented council into DIR: people in
every role with OpenPGP keys, cases in every state, category and type spread
over the last few years, ITPARG minutes, and a Git history in which every
change was made by someone allowed to make it and signed with their key.

The demo people's secret keys are unprotected and for the demo only; they are
written beside the register in DIR.keys/, never inside it.

The same --seed on the same day (see REGISTER_NOW) writes the same files and
the same commits. DIR and DIR.keys must not exist or be empty.`,
		Example: `  register demo demo
  register demo big --cases 10000 --seed 7`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			o.Dir = a[0]
			if o.Cases < 0 {
				return usageError{fmt.Errorf("--cases %d: the number of cases cannot be negative", o.Cases)}
			}
			n, err := strconv.ParseUint(seed, 10, 64)
			if err != nil {
				return usageError{fmt.Errorf("--seed %q: want a whole number such as 1", seed)}
			}
			o.Seed = n
			return runDemo(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Cases, "cases", 400, "how many cases to write")
	f.StringVar(&seed, "seed", "1", "the seed of everything random")
	return cmd
}

func runDemo(ctx context.Context, e *env, o demoOptions) error {
	dir := filepath.Clean(o.Dir)
	keys := dir + ".keys"
	for _, d := range []string{dir, keys} {
		if entries, err := os.ReadDir(d); err == nil && len(entries) > 0 {
			return withHint(fmt.Errorf("%s already exists and is not empty", d), "demo writes only into a new or empty folder")
		} else if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	// Write beside DIR and rename into place at the end, so a failure
	// leaves no half-written register.
	parent := filepath.Dir(dir)
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	reg, tmpKeys := filepath.Join(tmp, "register"), filepath.Join(tmp, "keys")
	sum, err := demo.Write(ctx, reg, tmpKeys, demo.Options{Cases: o.Cases, Seed: o.Seed, Now: e.Now().UTC()})
	if err != nil {
		return fmt.Errorf("demo %s: %w", o.Dir, err)
	}
	for _, mv := range [][2]string{{tmpKeys, keys}, {reg, dir}} {
		os.Remove(mv[1]) // an empty folder may be replaced
		if err := os.Rename(mv[0], mv[1]); err != nil {
			if mv[1] == dir {
				os.RemoveAll(keys)
			}
			return err
		}
	}
	fmt.Fprintf(e.Out, "wrote a demo register in %s: %d people, %d cases, %d minutes, %d signed commits and merges (head %s)\n",
		o.Dir, sum.People, sum.Cases, sum.Minutes, sum.Commits, sum.Head[:12])
	fmt.Fprintf(e.Err, "register: hint: the demo people's secret keys are in %s (DEMO ONLY, unprotected)\n", keys)
	return nil
}
