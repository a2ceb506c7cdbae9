package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/spf13/cobra"

	"github.com/council/register/register"
	"github.com/council/register/register/history"
)

func init() { verbs = append(verbs, newAuditCmd) }

type auditOptions struct {
	Dir   string
	JSON  bool
	Fresh bool
}

func newAuditCmd(e *env) *cobra.Command {
	var o auditOptions
	cmd := &cobra.Command{
		Use:   "audit [DIR]",
		Short: "Judge the whole history, from the first commit, as an auditor's report",
		Long: `Audit reads the register's Git history from the first commit to HEAD
and judges every commit by the register's rules: legal transitions made
by people whose roles allow them, signatures by the author's own key (as
of the commit's time) where register.yaml requires them, append-only
evidence, no deleted cases or minutes, no changed or reused ids. It also
checks that the register_head each ITPARG minutes file records is an
ancestor of HEAD, so a rewrite of anything the group has seen is caught.
It prints the number of commits, signed and verified, by whom, and every
finding, and exits 1 if there is any. --json writes the report as JSON.
The history index cached in .git/register speeds up later runs; --fresh
ignores it and judges every commit again.`,
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			o.Dir = "."
			if len(a) == 1 {
				o.Dir = a[0]
			}
			return runAudit(cmd.Context(), e, o)
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "write the report as JSON")
	cmd.Flags().BoolVar(&o.Fresh, "fresh", false, "ignore the cached index and judge every commit again")
	return cmd
}

// auditReport is the JSON form of an audit.
type auditReport struct {
	Head     string                  `json:"head"`
	Branch   string                  `json:"branch"`
	Commits  int                     `json:"commits"`
	Signed   int                     `json:"signed"`
	Verified int                     `json:"verified"`
	People   []auditPerson           `json:"people"`
	Verdicts map[history.Verdict]int `json:"verdicts"`
	Findings []jsonFinding           `json:"findings"`
}

type auditPerson struct {
	Author   string `json:"author"`
	Commits  int    `json:"commits"`
	Verified int    `json:"verified"`
}

type jsonFinding struct {
	Commit  string `json:"commit,omitempty"`
	Path    string `json:"path,omitempty"`
	Line    int    `json:"line,omitempty"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

func openRepo(dir string) (*history.Repo, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("%s: not a folder", dir)
	}
	return history.Open(dir)
}

func runAudit(ctx context.Context, e *env, o auditOptions) error {
	repo, err := openRepo(o.Dir)
	if err != nil {
		return err
	}
	defer repo.Close()
	if o.Fresh {
		repo.Fresh()
	}
	head, branch, err := repo.Head()
	if err != nil {
		return withHint(err, "the register has no commits yet")
	}
	main := repo.Settings(head).MainBranch
	if branch == "" {
		branch = main
	}
	rep, _, err := repo.Audit(ctx, head, branch)
	if err != nil {
		return err
	}
	st := rep.Stats()
	out := auditReport{Head: head.String(), Branch: branch, Commits: st.Commits, Signed: st.Signed,
		Verified: st.Verified, Verdicts: map[history.Verdict]int{}, Findings: []jsonFinding{}}
	for who, p := range st.People {
		out.People = append(out.People, auditPerson{Author: who, Commits: p.Commits, Verified: p.Verified})
	}
	slices.SortFunc(out.People, func(a, b auditPerson) int { return strings.Compare(a.Author, b.Author) })
	for _, c := range rep.Commits {
		v := c.Verdict
		if v == "" {
			v = history.Unsigned
		}
		out.Verdicts[v]++
	}
	for _, f := range rep.Findings {
		out.Findings = append(out.Findings, jsonFinding{Commit: f.Commit, Path: f.Path, Line: f.Line, Rule: f.Rule, Message: f.Message})
	}
	if o.JSON {
		enc := json.NewEncoder(e.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		w := e.Out
		fmt.Fprintf(w, "Audit of the history of %s at %s (%s)\n\n", branch, head.String()[:12], e.Now().UTC().Format("2006-01-02 15:04 MST"))
		fmt.Fprintf(w, "commits   %d\nsigned    %d\nverified  %d\n", out.Commits, out.Signed, out.Verified)
		for _, v := range []history.Verdict{history.Verified, history.Unsigned, history.BadSignature, history.UnknownKey, history.WrongSigner, history.ExpiredKey} {
			if n := out.Verdicts[v]; n > 0 {
				fmt.Fprintf(w, "  %-14s %d\n", v, n)
			}
		}
		fmt.Fprintf(w, "\nby author (commits, verified):\n")
		for _, p := range out.People {
			fmt.Fprintf(w, "  %-30s %6d %6d\n", p.Author, p.Commits, p.Verified)
		}
		fmt.Fprintf(w, "\nfindings: %d\n", len(rep.Findings))
		for _, f := range rep.Findings {
			fmt.Fprintln(w, f)
		}
	}
	if n := len(rep.Findings); n > 0 {
		fmt.Fprintf(e.Err, "register: audit found %d finding(s) in %d commits\n", n, st.Commits)
		return exitError{1}
	}
	fmt.Fprintf(e.Err, "register: audit of %d commits: no findings\n", st.Commits)
	return nil
}

// runCheckRange judges every commit in A..B as it would land on the main
// branch, then checks B's tree.
func runCheckRange(ctx context.Context, e *env, o checkOptions) error {
	a, b, ok := strings.Cut(o.Range, "..")
	if !ok || a == "" || b == "" || strings.HasPrefix(b, ".") {
		return usageError{fmt.Errorf("--range %q: give two commits as A..B", o.Range)}
	}
	repo, err := openRepo(o.Dir)
	if err != nil {
		return err
	}
	defer repo.Close()
	from, err := repo.Resolve(a)
	if err != nil {
		return err
	}
	to, err := repo.Resolve(b)
	if err != nil {
		return err
	}
	branch := repo.Settings(to).MainBranch
	rep, err := repo.CheckRange(ctx, from, to, history.RangeOptions{Branch: branch})
	if err != nil {
		return err
	}
	tree, err := repo.CheckChanged(ctx, to, rep.Commits)
	if err != nil {
		return err
	}
	return reportRange(e, rep, to, tree)
}

func reportRange(e *env, rep *history.Report, to plumbing.Hash, tree register.Findings) error {
	for _, f := range rep.Findings {
		fmt.Fprintln(e.Out, f)
	}
	tree.Sort()
	for _, f := range tree {
		fmt.Fprintf(e.Out, "%s %s\n", to.String()[:7], f)
	}
	n := len(rep.Findings) + len(tree)
	if n == 0 {
		fmt.Fprintf(e.Err, "register: %d commits: no findings\n", len(rep.Commits))
		return nil
	}
	fmt.Fprintf(e.Err, "register: %d commits: %d finding(s)\n", len(rep.Commits), n)
	return exitError{1}
}
