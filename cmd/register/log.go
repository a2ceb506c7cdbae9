package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/council/register/register"
	"github.com/council/register/register/history"
)

func init() { verbs = append(verbs, newLogCmd) }

type logOptions struct {
	ID   string
	Dir  string
	JSON bool
}

func newLogCmd(e *env) *cobra.Command {
	var o logOptions
	cmd := &cobra.Command{
		Use:   "log ID [DIR]",
		Short: "Show the history of a case or minutes: who changed what, when, signed by whom",
		Long: `Log prints the trail of one case (INC-2026-0007) or minutes file
(2026-11-05) from the Git history, oldest first: each commit, its author
and time, its signature verdict and signer, the transition it made and
the fields it changed (old → new). --json writes the trail as JSON.`,
		Args: args(cobra.RangeArgs(1, 2)),
		RunE: func(cmd *cobra.Command, a []string) error {
			o.ID, o.Dir = a[0], "."
			if len(a) == 2 {
				o.Dir = a[1]
			}
			return runLog(cmd.Context(), e, o)
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "write the trail as JSON")
	return cmd
}

// logEntry is the JSON form of one commit of a trail.
type logEntry struct {
	Commit     string                 `json:"commit"`
	Author     string                 `json:"author"`
	Email      string                 `json:"email"`
	Person     string                 `json:"person,omitempty"`
	Time       time.Time              `json:"time"`
	Verdict    history.Verdict        `json:"verdict"`
	Signer     string                 `json:"signer,omitempty"`
	Subject    string                 `json:"subject"`
	Change     history.Kind           `json:"change"`
	Transition string                 `json:"transition,omitempty"`
	Fields     []register.FieldChange `json:"fields"`
}

func runLog(ctx context.Context, e *env, o logOptions) error {
	path := register.MinutesPath(o.ID)
	if _, _, _, err := register.ParseID(o.ID); err == nil {
		path = register.CasePath(o.ID)
	} else if path == "" {
		return usageError{fmt.Errorf("%q is neither a case id like INC-2026-0007 nor a minutes id like 2026-11-05", o.ID)}
	}
	repo, err := openRepo(o.Dir)
	if err != nil {
		return err
	}
	defer repo.Close()
	ix, err := repo.Index(ctx)
	if err != nil {
		return err
	}
	trail := ix.File(path)
	if len(trail) == 0 {
		return fmt.Errorf("%s: no history (%s was never committed)", o.ID, path)
	}
	entries := make([]logEntry, 0, len(trail))
	for _, t := range trail {
		v := t.Verdict
		if v == "" {
			v = history.Unsigned
		}
		fields := t.Change.Fields
		if fields == nil {
			fields = []register.FieldChange{}
		}
		entries = append(entries, logEntry{Commit: t.Hash, Author: t.Author.Name, Email: t.Author.Email,
			Person: t.AuthorID, Time: t.Author.When.UTC(), Verdict: v, Signer: t.Signer, Subject: t.Subject,
			Change: t.Change.Kind, Transition: t.Change.Transition(), Fields: fields})
	}
	if o.JSON {
		enc := json.NewEncoder(e.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(entries)
	}
	for _, en := range entries {
		who := en.Person
		if who == "" {
			who = en.Email + " (not in people.yaml)"
		}
		verdict := string(en.Verdict)
		if en.Signer != "" {
			verdict += " (" + en.Signer + ")"
		}
		fmt.Fprintf(e.Out, "%s %s %s %s", en.Commit[:7], en.Time.Format("2006-01-02 15:04Z"), who, verdict)
		switch {
		case en.Transition != "":
			fmt.Fprintf(e.Out, " %s", en.Transition)
		case en.Change != history.Modified:
			fmt.Fprintf(e.Out, " %s", en.Change)
		}
		fmt.Fprintf(e.Out, "\n    %s\n", en.Subject)
		for _, f := range en.Fields {
			fmt.Fprintf(e.Out, "    %s: %s → %s\n", f.Field, orNone(f.Old), orNone(f.New))
		}
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
