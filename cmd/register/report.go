package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/council/register/register/history"
	reports "github.com/council/register/register/report"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, newReportCmd) }

type reportOptions struct {
	Dir      string
	From, To string
	Format   string
	Out      string
}

func newReportCmd(e *env) *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "report --from DATE --to DATE",
		Short: "Write Business IT's summary report for ITPARG (§7.18)",
		Long: `Report writes the summary of the cases reported from --from to --to (both
days included, in the register's time zone): counts by category, type, impact
and month; times to triage and to resolve (median and 90th percentile, from the
Git history); ICO decisions and the 72-hour deadline; open cases by age; open
actions. As printable HTML with accessible charts (the default), Markdown or
CSV, to standard output or --out FILE.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return runReport(cmd.Context(), e, o) },
	}
	cmd.Flags().StringVarP(&o.Dir, "dir", "C", ".", "the register's folder")
	cmd.Flags().StringVar(&o.From, "from", "", "first day of the period (YYYY-MM-DD)")
	cmd.Flags().StringVar(&o.To, "to", "", "last day of the period (YYYY-MM-DD)")
	cmd.Flags().StringVar(&o.Format, "format", "html", "html, md or csv")
	cmd.Flags().StringVarP(&o.Out, "out", "o", "", "write to FILE instead of standard output")
	return cmd
}

// period checks --from and --to.
func (o reportOptions) period() (from, to time.Time, err error) {
	if o.From == "" || o.To == "" {
		return from, to, usageError{errors.New("report needs --from DATE and --to DATE")}
	}
	if from, err = parseDay("--from", o.From); err != nil {
		return from, to, usageError{err}
	}
	if to, err = parseDay("--to", o.To); err != nil {
		return from, to, usageError{err}
	}
	if to.Before(from) {
		return from, to, usageError{fmt.Errorf("--from %s is after --to %s", o.From, o.To)}
	}
	return from, to, nil
}

func runReport(ctx context.Context, e *env, o reportOptions) error {
	from, to, err := o.period()
	if err != nil {
		return err
	}
	if !slices.Contains(reports.Formats, o.Format) {
		return usageError{fmt.Errorf("unknown format %q (html, md or csv)", o.Format)}
	}
	reg, err := loadClean(ctx, e, o.Dir)
	if err != nil {
		return err
	}
	opts := reports.Options{From: from, To: to, Now: e.Now()}
	if tl, err := historyTimeline(ctx, o.Dir); err != nil {
		fmt.Fprintf(e.Err, "register: warning: times to triage and resolve are left out, for want of the Git history: %s\n", firstLine(err.Error()))
	} else {
		opts.Timeline = tl
	}
	s, err := reports.Summarise(ctx, reg, opts)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	switch o.Format {
	case "html":
		err = reports.HTML(&b, s, reports.HTMLOptions{})
	case "md":
		err = reports.Markdown(&b, s)
	case "csv":
		err = reports.CSV(&b, s)
	}
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return writeOutput(e, o.Out, b.Bytes())
}

// historyTimeline reads when each case entered each state from the
// register's history index: the author time of the commit whose change
// to the case file set that status.
func historyTimeline(ctx context.Context, dir string) (reports.Timeline, error) {
	repo, err := history.Open(dir)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	ix, err := repo.Index(ctx)
	if err != nil {
		return nil, err
	}
	return indexTimeline{ix}, nil
}

type indexTimeline struct{ ix *history.Index }

func (t indexTimeline) Entered(id string) ([]reports.Entry, bool) {
	trail := t.ix.Case(id)
	if len(trail) == 0 {
		return nil, false
	}
	var entered []reports.Entry
	for _, e := range trail {
		to := e.Change.To
		if to == "" || to == e.Change.From {
			continue
		}
		entered = reports.Enter(entered, to, e.Author.When)
	}
	return entered, true
}

// writeOutput writes a document to standard output or, atomically, to a
// file.
func writeOutput(e *env, path string, data []byte) error {
	if path == "" || path == "-" {
		_, err := e.Out.Write(data)
		return err
	}
	if err := writeFileAtomic(path, data, 0o644); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(e.Err, "register: wrote %s\n", path)
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// oneLine keeps text on one line of terminal output.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
