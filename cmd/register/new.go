package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/council/register/register"
	"github.com/council/register/register/edit"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

func init() { verbs = append(verbs, newNewCmd) }

type newOptions struct {
	Dir              string
	Title            string
	ReportedAt       string
	ReportedBy       string
	ReportedTo       []string
	LineManager      string
	Category         string
	Types            []string
	Impact           []string
	PersonalData     bool
	HardCopy         bool
	ServiceAffecting bool
}

func newNewCmd(e *env) *cobra.Command {
	var o newOptions
	cmd := &cobra.Command{
		Use:   "new --title TEXT --reported-by WHO [flags]",
		Short: "Open a new case with the next free id",
		Long: `New writes cases/YYYY/ID/case.md for a newly reported event or weakness, with
the next free id of the year it was reported in and the workflow's first
state, and prints the id and the path. Fill in the narrative, then commit.

--title and --reported-by are required; on a terminal, new asks for them.
Keep personal data out of the title: it belongs in encrypted evidence.`,
		Example: `  register new --title "Laptop left on a train" --reported-by "a member of staff" \
      --reported-to line-manager --reported-to service-desk --personal-data`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			return runNew(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Dir, "dir", "C", ".", dirUsage)
	f.StringVar(&o.Title, "title", "", "a short title, without personal data")
	f.StringVar(&o.ReportedAt, "reported-at", "", "when the council became aware, RFC 3339 (default: now)")
	f.StringVar(&o.ReportedBy, "reported-by", "", "the reporting employee: a person id or a description (§7.25)")
	f.StringSliceVar(&o.ReportedTo, "reported-to", nil, "first told: "+strings.Join(register.ReportedTo, ", ")+" (repeatable)")
	f.StringVar(&o.LineManager, "line-manager", "", "the reporter's line manager: a person id or a description")
	f.StringVar(&o.Category, "category", "", "§4.2 category: "+strings.Join(register.Categories, ", "))
	f.StringSliceVar(&o.Types, "type", nil, "§4.6 type (repeatable): "+strings.Join(register.Types, ", "))
	f.StringSliceVar(&o.Impact, "impact", nil, "§4.1 impact (repeatable): "+strings.Join(register.Impacts, ", "))
	f.BoolVar(&o.PersonalData, "personal-data", false, "personal data may be involved (the SIMO investigates, §6.2)")
	f.BoolVar(&o.HardCopy, "hard-copy", false, "paper records are involved (§1.4)")
	f.BoolVar(&o.ServiceAffecting, "service-affecting", false, "a service is affected (§7.16)")
	return cmd
}

func runNew(ctx context.Context, e *env, o newOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	if err := o.ask(e); err != nil {
		return err
	}
	reg, err := openRegister(ctx, e, o.Dir)
	if err != nil {
		return err
	}
	reported := now(e, reg)
	if o.ReportedAt != "" {
		if reported, err = parseTime("reported-at", o.ReportedAt); err != nil {
			return err
		}
	}
	if reported.After(e.Now().Add(time.Hour)) {
		return usageError{fmt.Errorf("--reported-at %s is in the future", o.ReportedAt)}
	}
	year := reported.Year()
	yearDir := filepath.Join(o.Dir, "cases", fmt.Sprint(year))
	if err := os.MkdirAll(yearDir, 0o755); err != nil {
		return err
	}
	id, err := nextID(reg, yearDir, year)
	if err != nil {
		return err
	}
	doc, err := o.document(id, reg.Workflow.Initial(), reported)
	if err != nil {
		return fmt.Errorf("case %s: %w", id, err)
	}
	rel := register.CasePath(id)
	caseDir := filepath.Join(o.Dir, filepath.FromSlash(filepath.Dir(rel)))
	if err := os.Mkdir(caseDir, 0o755); err != nil {
		if errors.Is(err, os.ErrExist) {
			return withHint(fmt.Errorf("case %s: %s already exists", id, filepath.Dir(rel)), "someone created it just now; run register new again")
		}
		return err
	}
	if err := writeFileAtomic(filepath.Join(o.Dir, filepath.FromSlash(rel)), doc, 0o644); err != nil {
		os.Remove(caseDir)
		return err
	}
	fmt.Fprintf(e.Out, "%s %s\n", id, rel)
	return nil
}

// validate checks the flags' values against the vocabularies.
func (o *newOptions) validate() error {
	check := func(flag string, vals []string, allowed []string) error {
		for _, v := range vals {
			if !slices.Contains(allowed, v) {
				return usageError{fmt.Errorf("--%s %q is not one of: %s", flag, v, strings.Join(allowed, ", "))}
			}
		}
		return nil
	}
	var cat []string
	if o.Category != "" {
		cat = []string{o.Category}
	}
	return errors.Join(
		check("reported-to", o.ReportedTo, register.ReportedTo),
		check("category", cat, register.Categories),
		check("type", o.Types, register.Types),
		check("impact", o.Impact, register.Impacts),
	)
}

// ask prompts for missing required fields on a terminal; elsewhere a
// missing one is an error naming its flag.
func (o *newOptions) ask(e *env) error {
	fields := []struct {
		flag, prompt string
		v            *string
	}{
		{"title", "Title (short, no personal data)", &o.Title},
		{"reported-by", "Reported by (person id or description)", &o.ReportedBy},
	}
	var in *bufio.Reader
	for _, f := range fields {
		*f.v = strings.TrimSpace(*f.v)
		if *f.v != "" {
			continue
		}
		if !e.Terminal {
			return usageError{fmt.Errorf("missing --%s", f.flag)}
		}
		if in == nil {
			in = bufio.NewReader(e.In)
		}
		for *f.v == "" {
			fmt.Fprintf(e.Err, "%s: ", f.prompt)
			line, err := in.ReadString('\n')
			*f.v = strings.TrimSpace(line)
			if err != nil && *f.v == "" {
				return fmt.Errorf("missing --%s", f.flag)
			}
		}
	}
	return nil
}

// nextID returns the next free id of the year: one more than the highest
// number used by a case or a case folder.
func nextID(reg *register.Register, yearDir string, year int) (string, error) {
	prefix := reg.Settings.IDPrefix
	high := 0
	use := func(id string) {
		p, y, n, err := register.ParseID(id)
		if err == nil && p == prefix && y == year && n > high {
			high = n
		}
	}
	for _, c := range reg.Cases {
		use(c.ID)
	}
	entries, err := os.ReadDir(yearDir)
	if err != nil {
		return "", err
	}
	for _, d := range entries {
		use(d.Name())
	}
	return register.FormatID(prefix, year, high+1), nil
}

// caseBody is the narrative template of a new case.
const caseBody = `
## What happened

(What happened, when and where, in plain words. No names or other personal
data here: they belong in encrypted evidence.)

## Symptoms and error messages

(What was seen on screen, exactly as shown: policy §5.3.)

## Investigation

## Resolution
`

// document renders the new case file: the fields given, in the order of
// the case file's documentation, and the narrative template.
func (o *newOptions) document(id, status string, reported register.Time) ([]byte, error) {
	doc := []byte("---\nid: " + id + "\n---\n" + caseBody)
	type field struct {
		path string
		v    any
		set  bool
	}
	for _, f := range []field{
		{"title", o.Title, true},
		{"status", status, true},
		{"reported_at", reported, true},
		{"reported_by", o.ReportedBy, true},
		{"reported_to", flowList(o.ReportedTo), len(o.ReportedTo) > 0},
		{"line_manager", o.LineManager, o.LineManager != ""},
		{"category", o.Category, o.Category != ""},
		{"types", flowList(o.Types), len(o.Types) > 0},
		{"impact", flowList(o.Impact), len(o.Impact) > 0},
		{"personal_data", o.PersonalData, true},
		{"hard_copy", o.HardCopy, true},
		{"service_affecting", o.ServiceAffecting, true},
	} {
		if !f.set {
			continue
		}
		var err error
		if doc, err = edit.Set(doc, f.path, f.v); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

// flowList makes a list of words that is written on one line, [a, b], as
// people write short lists of the vocabulary.
func flowList(words []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
	for _, w := range words {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: w})
	}
	return n
}
