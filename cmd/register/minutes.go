package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/council/register/register"
	"github.com/council/register/register/history"
	"github.com/council/register/register/review"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, newMinutesCmd) }

type minutesNewOptions struct {
	Dir       string
	Date      time.Time
	Chair     string
	Secretary string
}

func newMinutesCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "minutes",
		Short: "Draft ITPARG's minutes",
	}
	var o minutesNewOptions
	draft := &cobra.Command{
		Use:   "new DATE",
		Short: "Draft the minutes of an ITPARG meeting, with its agenda",
		Long: `New drafts minutes/YYYY/DATE.md for the ITPARG meeting on DATE (YYYY-MM-DD):
front matter listing every case awaiting review (decision: deferred until the
group decides), the ITPARG members as attendees, and register_head, the commit
the group reviews; and a body with the agenda: cases awaiting review, incidents
not yet reported to ITPARG, reclassification proposals and overdue actions.
The agenda is drawn from the working tree and register_head is HEAD, so
commit the register before drafting. The draft passes register check as it
stands. Existing minutes are never overwritten.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			d, err := parseDay("DATE", a[0])
			if err != nil {
				return usageError{err}
			}
			o.Date = d
			return runMinutesNew(cmd.Context(), e, o)
		},
	}
	draft.Flags().StringVarP(&o.Dir, "dir", "C", ".", "the register's folder")
	draft.Flags().StringVar(&o.Chair, "chair", "", "the chair's person id (default: the first ITPARG member in people.yaml)")
	draft.Flags().StringVar(&o.Secretary, "secretary", "", "the secretary's person id")
	cmd.AddCommand(draft)
	return cmd
}

// parseDay parses a YYYY-MM-DD argument or flag value.
func parseDay(what, s string) (time.Time, error) {
	d, err := time.Parse(register.DateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not a date like 2026-12-03", what, s)
	}
	return d, nil
}

// loadClean loads the register and refuses one with files that cannot
// be read, since what it would produce would leave them out.
func loadClean(ctx context.Context, e *env, dir string) (*register.Register, error) {
	reg, findings, err := loadRegister(ctx, dir)
	if err != nil {
		return nil, err
	}
	if len(findings) > 0 {
		findings.Sort()
		for _, f := range findings {
			fmt.Fprintln(e.Err, f)
		}
		what := fmt.Sprintf("%d files of the register cannot be read", len(findings))
		if len(findings) == 1 {
			what = "a file of the register cannot be read"
		}
		return nil, withHint(errors.New(what),
			"fix them first (register check lists every finding)")
	}
	return reg, nil
}

func runMinutesNew(ctx context.Context, e *env, o minutesNewOptions) error {
	id := o.Date.Format(register.DateLayout)
	rel := register.MinutesPath(id)
	path := filepath.Join(o.Dir, filepath.FromSlash(rel))
	if _, err := os.Stat(path); err == nil {
		return withHint(fmt.Errorf("%s already exists; minutes are never overwritten", rel),
			"edit the file, or for a second meeting that day name it %s", register.MinutesPath(id+"-2"))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	reg, err := loadClean(ctx, e, o.Dir)
	if err != nil {
		return err
	}
	members := reg.People.WithRole(register.RoleITPARG)
	var attendees []string
	for _, p := range members {
		if p.Active() {
			attendees = append(attendees, p.ID)
		}
	}
	if o.Chair == "" {
		if len(attendees) == 0 {
			return withHint(errors.New("nobody in people.yaml holds the itparg role, so there is no one to chair"),
				"name the chair with --chair ID")
		}
		o.Chair = attendees[0]
	}
	for _, f := range [][2]string{{"--chair", o.Chair}, {"--secretary", o.Secretary}} {
		if f[1] != "" && reg.People.ByID(f[1]) == nil {
			return fmt.Errorf("%s %s is not a person in people.yaml", f[0], f[1])
		}
	}
	head, err := registerHead(o.Dir)
	if err != nil {
		return err
	}
	d := &review.Draft{Agenda: review.NewAgenda(reg, o.Date), Chair: o.Chair, Secretary: o.Secretary,
		Attendees: attendees, Head: head}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := writeFileAtomic(path, d.Minutes(reg), 0o644); err != nil {
		return fmt.Errorf("minutes %s: %w", id, err)
	}
	fmt.Fprintln(e.Out, rel)
	fmt.Fprintf(e.Err, "register: drafted %s: %d cases awaiting review, %d incidents not yet reported to ITPARG, %d reclassification proposals, %d overdue actions\n",
		rel, len(d.Agenda.Awaiting), len(d.Agenda.NotReported), len(d.Agenda.Unknown)+len(d.Agenda.Notes), len(d.Agenda.Overdue))
	return nil
}

// registerHead returns the commit HEAD of the register's Git repository
// points at: the state of the register the group reviews.
func registerHead(dir string) (string, error) {
	repo, err := history.Open(dir)
	if err != nil {
		return "", withHint(fmt.Errorf("no commit to record as register_head: %w", err),
			"a register is a Git repository: run git init and commit it")
	}
	defer repo.Close()
	head, _, err := repo.Head()
	if err != nil {
		return "", withHint(fmt.Errorf("%s: the Git repository has no commit to record as register_head: %w", dir, err),
			"commit the register first")
	}
	return head.String(), nil
}
