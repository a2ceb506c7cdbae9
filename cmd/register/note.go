package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/council/register/register"
	"github.com/council/register/register/edit"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, newNoteCmd) }

type noteOptions struct {
	Dir  string
	ID   string
	To   string
	Note string
	As   string
}

func newNoteCmd(e *env) *cobra.Command {
	var o noteOptions
	cmd := &cobra.Command{
		Use:   "note ID --to WHOM --note TEXT",
		Short: "Record an update given to the reporter, the service or others",
		Long: `Note appends an update to the case: when (now), by whom (you), to whom and
what was said. The policy asks that the reporting employee is kept informed
(§7.14) and that a service is warned in advance when its service levels
cannot be met (§7.15). Keep personal data out of the note.`,
		Example: `  register note INC-2026-0007 --to reporter --note "Laptop located; data was encrypted."
  register note INC-2026-0007 --to service --note "Payroll export delayed to Friday." --as sam`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			o.ID = a[0]
			return runNote(cmd.Context(), e, o)
		},
	}
	cmd.Flags().StringVarP(&o.Dir, "dir", "C", ".", dirUsage)
	cmd.Flags().StringVar(&o.To, "to", "", "whom the update was given to: `WHOM` is reporter, service, line-manager, …")
	cmd.Flags().StringVar(&o.Note, "note", "", "what they were told")
	cmd.Flags().StringVar(&o.As, "as", "", "the `PERSON-ID` who gave the update (default: from your Git e-mail)")
	return cmd
}

var recipient = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)

func runNote(ctx context.Context, e *env, o noteOptions) error {
	o.Note = strings.TrimSpace(o.Note)
	switch {
	case o.To == "":
		return usageError{errors.New("missing --to: whom the update was given to (reporter, service, …)")}
	case !recipient.MatchString(o.To):
		return usageError{fmt.Errorf("--to %q: use a lowercase word such as reporter, service or line-manager", o.To)}
	case o.Note == "":
		return usageError{errors.New("missing --note: what they were told")}
	}
	cf, err := openCase(ctx, e, o.Dir, o.ID)
	if err != nil {
		return err
	}
	p, err := whoami(o.Dir, cf.reg, o.As)
	if err != nil {
		return err
	}
	u := register.Update{At: now(e, cf.reg), By: p.ID, To: o.To, Note: o.Note}
	data, err := edit.Append(cf.data, "updates", u)
	if err != nil {
		return fmt.Errorf("case %s: %w", cf.c.ID, err)
	}
	if err := cf.write(data); err != nil {
		return err
	}
	fmt.Fprintf(e.Out, "%s: update %d to %s by %s at %s\n", cf.c.ID, len(cf.c.Updates)+1, o.To, p.ID, u.At.Format(time.RFC3339))
	return nil
}
