package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/council/register/register"
	"github.com/council/register/register/edit"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, newMoveCmd) }

type moveOptions struct {
	Dir   string
	ID    string
	State string
	As    string
}

func newMoveCmd(e *env) *cobra.Command {
	var o moveOptions
	cmd := &cobra.Command{
		Use:   "move ID STATE",
		Short: "Move a case to another state of the workflow",
		Long: `Move changes a case's status, if the workflow has that transition, you hold
one of the roles allowed to make it, and the case meets everything the step
requires. Otherwise it changes nothing and lists each missing requirement
with the policy section that asks for it.

You are the person in people.yaml whose e-mail is your Git author e-mail
(GIT_AUTHOR_EMAIL or git config user.email), or the one named by --as.
On success it prints the trailers for the commit message.`,
		Example: `  register move INC-2026-0007 triaged
  register move INC-2026-0007 reviewed --as ivy`,
		Args: args(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, a []string) error {
			o.ID, o.State = a[0], a[1]
			return runMove(cmd.Context(), e, o)
		},
	}
	cmd.Flags().StringVarP(&o.Dir, "dir", "C", ".", dirUsage)
	cmd.Flags().StringVar(&o.As, "as", "", "the `PERSON-ID` making the move (default: from your Git e-mail)")
	return cmd
}

func runMove(ctx context.Context, e *env, o moveOptions) error {
	cf, err := openCase(ctx, e, o.Dir, o.ID)
	if err != nil {
		return err
	}
	reg, c := cf.reg, cf.c
	wf := reg.Workflow
	from := c.Status
	next := nextStates(wf, from)
	if _, ok := wf.State(o.State); !ok {
		return withHint(fmt.Errorf("case %s: unknown state %q; the workflow's states are: %s", c.ID, o.State, strings.Join(wf.StateNames(), ", ")),
			"from %s the case can move to: %s", from, next)
	}
	if o.State == from {
		return fmt.Errorf("case %s is already %s", c.ID, from)
	}
	t, ok := wf.Transition(from, o.State)
	if !ok {
		return fmt.Errorf("case %s: no transition from %s to %s; from %s it can move to: %s", c.ID, from, o.State, from, next)
	}
	p, err := whoami(o.Dir, reg, o.As)
	if err != nil {
		return err
	}
	if !wf.MayMake(t, p, c) {
		return fmt.Errorf("case %s: %s (roles: %s) may not move a case from %s to %s; that needs %s",
			c.ID, p.ID, strings.Join(p.Roles, ", "), from, o.State, rolesText(t.Roles))
	}
	env := reg.Env()
	env.Old = committed(o.Dir, c)
	if missing := wf.Missing(t, c, env); len(missing) > 0 {
		var fs register.Findings
		for _, req := range missing {
			line := c.Line("status")
			if c.Has(strings.SplitN(req.Field, ".", 2)[0]) {
				line = c.Line(req.Field)
			}
			fs = append(fs, register.Finding{Path: c.Path, Line: line, Rule: req.Section,
				Message: fmt.Sprintf("%s needs %s", t, req)})
		}
		printFindings(e, fs)
		return fmt.Errorf("case %s not moved to %s: %s not met", c.ID, o.State, count(len(missing), "requirement"))
	}
	data, err := edit.Set(cf.data, "status", o.State)
	if err != nil {
		return fmt.Errorf("case %s: %w", c.ID, err)
	}
	if err := cf.write(data); err != nil {
		return err
	}
	fmt.Fprintf(e.Err, "register: moved %s from %s to %s; commit with these trailers:\n", c.ID, from, o.State)
	fmt.Fprintf(e.Out, "Case: %s\nTransition: %s\n", c.ID, t)
	return nil
}

// nextStates lists the states a case can move to from a state.
func nextStates(wf *register.Workflow, from string) string {
	var names []string
	for _, t := range wf.Next(from) {
		names = append(names, t.To)
	}
	if len(names) == 0 {
		return "nothing (it is a final state)"
	}
	return strings.Join(names, ", ")
}

// rolesText describes the roles a transition allows, in words.
func rolesText(roles []string) string {
	var out []string
	for _, r := range roles {
		if r == register.RoleInvestigator {
			out = append(out, "the case's investigator")
		} else {
			out = append(out, "role "+r)
		}
	}
	return strings.Join(out, " or ")
}
