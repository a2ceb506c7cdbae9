package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"

	"github.com/council/register/register/review"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, newActionsCmd) }

type actionsOptions struct {
	Dir     string
	Owner   string
	Overdue bool
	JSON    bool
}

func newActionsCmd(e *env) *cobra.Command {
	var o actionsOptions
	cmd := &cobra.Command{
		Use:   "actions",
		Short: "List the actions ITPARG's minutes set, by owner",
		Long: `Actions lists every action of every minutes (policy §7.9), grouped by owner,
with its state (open, overdue, done or dropped), due date, the minutes that
set it and the case it arises from. An action is overdue when it is open and
its due date is before today.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return runActions(cmd.Context(), e, o) },
	}
	cmd.Flags().StringVarP(&o.Dir, "dir", "C", ".", "the register's folder")
	cmd.Flags().StringVar(&o.Owner, "owner", "", "only the actions of this person id")
	cmd.Flags().BoolVar(&o.Overdue, "overdue", false, "only overdue actions")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print JSON")
	return cmd
}

// actionJSON is an action as --json prints it.
type actionJSON struct {
	Minutes   string `json:"minutes"`
	ID        string `json:"id"`
	Action    string `json:"action"`
	Owner     string `json:"owner"`
	OwnerName string `json:"owner_name,omitempty"`
	Due       string `json:"due"`
	Status    string `json:"status"`
	State     string `json:"state"`
	Case      string `json:"case,omitempty"`
	Done      string `json:"done,omitempty"`
}

func runActions(ctx context.Context, e *env, o actionsOptions) error {
	reg, err := loadClean(ctx, e, o.Dir)
	if err != nil {
		return err
	}
	if o.Owner != "" && reg.People.ByID(o.Owner) == nil {
		return withHint(fmt.Errorf("--owner %s is not a person in people.yaml", o.Owner), "owners are person ids, like alice")
	}
	items := review.Actions(reg, review.Today(reg, e.Now()), review.Filter{Owner: o.Owner, Overdue: o.Overdue})
	groups := review.ByOwner(reg, items)
	if o.JSON {
		out := []actionJSON{}
		for _, g := range groups {
			for _, it := range g.Items {
				j := actionJSON{Minutes: it.Minutes, ID: it.ID, Action: it.Action.Action, Owner: it.Owner, OwnerName: g.Name,
					Due: it.Due.String(), Status: string(it.Status), State: it.State(), Case: it.Case}
				if it.Done != nil {
					j.Done = it.Done.String()
				}
				out = append(out, j)
			}
		}
		enc := json.NewEncoder(e.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(items) == 0 {
		fmt.Fprintln(e.Err, "register: no actions")
		return nil
	}
	// Columns line up across owners, so the list reads as one table.
	var wState, wRef, wCase int
	for _, it := range items {
		wState = max(wState, len(it.State()))
		wRef = max(wRef, len(it.Minutes)+1+len(it.ID))
		wCase = max(wCase, len(it.Case))
	}
	w := bufio.NewWriter(e.Out)
	for _, g := range groups {
		name := g.Owner
		if g.Name != "" {
			name += " (" + g.Name + ")"
		}
		fmt.Fprintf(w, "%s\n", name)
		for _, it := range g.Items {
			fmt.Fprintf(w, "  %-*s  due %s  %-*s  %-*s  %s\n", wState, it.State(), it.Due, wRef, it.Minutes+" "+it.ID,
				wCase, it.Case, oneLine(it.Action.Action))
		}
	}
	return w.Flush()
}
