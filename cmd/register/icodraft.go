package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/council/register/register"
	reports "github.com/council/register/register/report"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, newICODraftCmd) }

type icoDraftOptions struct {
	Dir string
	ID  string
}

func newICODraftCmd(e *env) *cobra.Command {
	var o icoDraftOptions
	cmd := &cobra.Command{
		Use:   "ico-draft ID",
		Short: "Fill the ICO's breach report from a personal-data case",
		Long: `Ico-draft prints the answers to the ICO's personal data breach report
(UK GDPR Art. 33(3), Art. 34) filled from case ID, as plain text to paste into
the ICO's form: initial or follow-up report, what happened, when it was
discovered, the categories and approximate numbers of people and records, the
likely consequences, the measures taken, whether the people were told. It ends
with what is still missing, each with the case field to fill.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if _, _, _, err := register.ParseID(a[0]); err != nil {
				return usageError{err}
			}
			o.ID = a[0]
			return runICODraft(cmd.Context(), e, o)
		},
	}
	cmd.Flags().StringVarP(&o.Dir, "dir", "C", ".", "the register's folder")
	return cmd
}

func runICODraft(ctx context.Context, e *env, o icoDraftOptions) error {
	reg, err := loadClean(ctx, e, o.Dir)
	if err != nil {
		return err
	}
	c := reg.Case(o.ID)
	if c == nil {
		return fmt.Errorf("case %s does not exist (no %s)", o.ID, register.CasePath(o.ID))
	}
	d, err := reports.NewICODraft(reg, c, e.Now())
	if errors.Is(err, reports.ErrNoPersonalData) {
		return withHint(fmt.Errorf("case %s: %w", o.ID, err),
			"if it does involve personal data, set personal_data: true and fill breach in %s", c.Path)
	}
	if err != nil {
		return fmt.Errorf("case %s: %w", o.ID, err)
	}
	_, err = fmt.Fprint(e.Out, d.Text)
	return err
}
