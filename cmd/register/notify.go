package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/council/register/register"
	"github.com/council/register/register/edit"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, newNotifyCmd) }

type notifyOptions struct {
	Dir  string
	ID   string
	Duty string
	At   string
}

func newNotifyCmd(e *env) *cobra.Command {
	var o notifyOptions
	cmd := &cobra.Command{
		Use:   "notify ID DUTY",
		Short: "Record that someone the policy names was told about a case",
		Long: `Notify records a notification duty as done, with its time (now, or --at),
in the case's notified field. The duties are:

  service_desk     the IT Service Desk was told (§5.2)
  service_owner    the Service Manager and System Owner, for a service-affecting case (§7.16)
  internal_audit   Internal Audit (§7.17)
  img              the Information Management Group (§7.21)
  itparg           the IT Policy & Regulation Group (§6.2)
  simo             the System & Information Management Officer (§6.2, §7.19)

A duty already recorded is not overwritten; correct the file by hand.`,
		Example: `  register notify INC-2026-0007 img
  register notify INC-2026-0007 internal_audit --at 2026-11-27T16:05:00Z`,
		Args: args(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, a []string) error {
			o.ID, o.Duty = a[0], a[1]
			return runNotify(cmd.Context(), e, o)
		},
	}
	cmd.Flags().StringVarP(&o.Dir, "dir", "C", ".", dirUsage)
	cmd.Flags().StringVar(&o.At, "at", "", "when it was done, RFC 3339 (default: now)")
	return cmd
}

func runNotify(ctx context.Context, e *env, o notifyOptions) error {
	duty := strings.ReplaceAll(o.Duty, "-", "_")
	if !slices.Contains(register.Duties, duty) {
		return usageError{fmt.Errorf("unknown duty %q; the duties are: %s", o.Duty, strings.Join(register.Duties, ", "))}
	}
	var at register.Time
	if o.At != "" {
		var err error
		if at, err = parseTime("at", o.At); err != nil {
			return err
		}
	}
	cf, err := openCase(ctx, e, o.Dir, o.ID)
	if err != nil {
		return err
	}
	if o.At == "" {
		at = now(e, cf.reg)
	}
	field := "notified." + duty
	if prev, ok := cf.c.Notified[register.Duty(duty)]; ok {
		return fmt.Errorf("case %s: %s is already recorded (%s); edit %s by hand to correct it",
			cf.c.ID, field, prev.Format(time.RFC3339), cf.c.Path)
	}
	if at.Before(cf.c.ReportedAt.Time) {
		return fmt.Errorf("case %s: %s %s would be before the case was reported (%s)",
			cf.c.ID, field, at.Format(time.RFC3339), cf.c.ReportedAt.Format(time.RFC3339))
	}
	data, err := edit.Set(cf.data, field, at)
	if err != nil {
		return fmt.Errorf("case %s: %w", cf.c.ID, err)
	}
	if err := cf.write(data); err != nil {
		return err
	}
	fmt.Fprintf(e.Out, "%s: %s at %s\n", cf.c.ID, field, at.Format(time.RFC3339))
	return nil
}
