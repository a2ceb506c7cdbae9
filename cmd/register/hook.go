package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/spf13/cobra"

	"github.com/council/register/register/history"
)

func init() { verbs = append(verbs, newHookCmd) }

type hookOptions struct {
	Name string
	Args []string
}

func newHookCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "hook NAME [ARGS]",
		Short: "Run a Git hook: pre-commit, commit-msg or pre-receive",
		Long: `Hook runs the register's Git hooks; the scripts register hooks install
writes call it. pre-commit checks the staged change against HEAD: schema
and rules of the cases and minutes it changes, transitions and who makes
them, append-only evidence, no plaintext in evidence/. commit-msg FILE
adds the Case: and Transition: trailers of the staged change to the
message and refuses wrong ones. pre-receive reads "old new ref" lines on
standard input and judges every pushed commit as register check --range
does; it refuses any rewrite or deletion of the main branch.`,
		Args:   args(cobra.MinimumNArgs(1)),
		Hidden: false,
		RunE: func(cmd *cobra.Command, a []string) error {
			return runHook(cmd.Context(), e, hookOptions{Name: a[0], Args: a[1:]})
		},
	}
}

func runHook(ctx context.Context, e *env, o hookOptions) error {
	switch o.Name {
	case "pre-commit":
		return runPreCommit(ctx, e)
	case "commit-msg":
		if len(o.Args) != 1 {
			return usageError{errors.New("commit-msg takes the message file")}
		}
		return runCommitMsg(ctx, e, o.Args[0])
	case "pre-receive":
		return runPreReceive(ctx, e)
	}
	return usageError{fmt.Errorf("unknown hook %q (pre-commit, commit-msg, pre-receive)", o.Name)}
}

// runGit runs the git program in the current folder and returns its
// trimmed output.
func runGit(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("git %s: %s", args[0], msg)
		}
		return "", fmt.Errorf("git %s: %w", args[0], err)
	}
	return strings.TrimSpace(string(out)), nil
}

// staged judges what is staged for the next commit.
func staged(ctx context.Context) (*history.Repo, *history.Commit, []history.Finding, error) {
	repo, err := history.Open(".")
	if err != nil {
		return nil, nil, nil, err
	}
	tree, err := runGit(ctx, "write-tree")
	if err != nil {
		repo.Close()
		return nil, nil, nil, err
	}
	ident, err := runGit(ctx, "var", "GIT_AUTHOR_IDENT")
	if err != nil {
		repo.Close()
		return nil, nil, nil, err
	}
	p := history.Proposal{Tree: plumbing.NewHash(tree), Author: parseIdent(ident)}
	if h, _, err := repo.Head(); err == nil {
		p.Parents = append(p.Parents, h)
		if m, err := runGit(ctx, "rev-parse", "-q", "--verify", "MERGE_HEAD"); err == nil && plumbing.IsHash(m) {
			p.Parents = append(p.Parents, plumbing.NewHash(m))
		}
	}
	rec, findings, err := repo.Staged(ctx, p)
	if err != nil {
		repo.Close()
		return nil, nil, nil, err
	}
	return repo, rec, findings, nil
}

var identPattern = regexp.MustCompile(`^(.*) <([^>]*)> (\d+) ([+-]\d{4})$`)

func parseIdent(s string) history.Ident {
	m := identPattern.FindStringSubmatch(s)
	if m == nil {
		return history.Ident{Name: s}
	}
	sec, _ := strconv.ParseInt(m[3], 10, 64)
	return history.Ident{Name: m[1], Email: m[2], When: time.Unix(sec, 0).UTC()}
}

func runPreCommit(ctx context.Context, e *env) error {
	repo, _, findings, err := staged(ctx)
	if err != nil {
		return fmt.Errorf("pre-commit: %w", err)
	}
	defer repo.Close()
	if len(findings) > 0 {
		printHistory(e, findings)
		fmt.Fprintln(e.Err, "register: commit refused; the working tree and index are as they were")
		return exitError{1}
	}
	return nil
}

// printHistory prints history findings and a count.
func printHistory(e *env, findings []history.Finding) {
	for _, f := range findings {
		fmt.Fprintln(e.Out, f)
	}
	if n := len(findings); n == 1 {
		fmt.Fprintln(e.Err, "register: 1 finding")
	} else {
		fmt.Fprintf(e.Err, "register: %d findings\n", n)
	}
}

// wantTrailers returns the trailers a staged change calls for.
func wantTrailers(rec *history.Commit) (cases []string, transitions map[string]string) {
	transitions = map[string]string{}
	for _, ch := range rec.Changes {
		if ch.Merged || ch.ID == "" || !strings.HasPrefix(ch.Path, "cases/") {
			continue
		}
		if !slices.Contains(cases, ch.ID) {
			cases = append(cases, ch.ID)
		}
		if ch.From != "" && ch.To != "" && ch.From != ch.To {
			transitions[ch.ID] = ch.From + " -> " + ch.To
		}
	}
	return cases, transitions
}

func runCommitMsg(ctx context.Context, e *env, file string) error {
	repo, rec, _, err := staged(ctx)
	if err != nil {
		return fmt.Errorf("commit-msg: %w", err)
	}
	defer repo.Close()
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("commit-msg: %w", err)
	}
	msg := string(data)
	cases, transitions := wantTrailers(rec)
	have := messageTrailers(msg)
	var bad []string
	gotCase := map[string]bool{}
	gotTransition := map[string]bool{}
	for _, t := range have {
		switch t.Key {
		case "Case":
			if !slices.Contains(cases, t.Value) {
				bad = append(bad, fmt.Sprintf("trailer Case: %s names a case this commit does not change", t.Value))
			}
			gotCase[t.Value] = true
		case "Transition":
			id, tr := "", t.Value
			if f := strings.Fields(t.Value); len(f) == 4 {
				id, tr = f[0], strings.Join(f[1:], " ")
			} else if len(transitions) == 1 {
				for k := range transitions {
					id = k
				}
			}
			if want, ok := transitions[id]; !ok || want != tr {
				bad = append(bad, fmt.Sprintf("trailer Transition: %s does not match the staged change (%s)", t.Value, describe(transitions)))
			}
			gotTransition[id] = true
		}
	}
	if len(bad) > 0 {
		for _, b := range bad {
			fmt.Fprintf(e.Err, "register: %s\n", b)
		}
		return exitError{1}
	}
	var add []string
	for _, id := range cases {
		if !gotCase[id] {
			add = append(add, "Case: "+id)
		}
	}
	for _, id := range cases {
		t, ok := transitions[id]
		if !ok || gotTransition[id] {
			continue
		}
		if len(transitions) == 1 {
			add = append(add, "Transition: "+t)
		} else {
			add = append(add, "Transition: "+id+" "+t)
		}
	}
	if len(add) == 0 {
		return nil
	}
	return writeFileAtomic(file, []byte(appendTrailers(msg, add)), 0o644)
}

func describe(transitions map[string]string) string {
	if len(transitions) == 0 {
		return "no status changes"
	}
	var parts []string
	for id, t := range transitions {
		parts = append(parts, id+" "+t)
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// messageTrailers returns the trailers of a commit message, ignoring
// comment lines git strips.
func messageTrailers(msg string) []history.Trailer {
	var lines []string
	for _, l := range strings.Split(msg, "\n") {
		if !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	return history.Trailers(strings.Join(lines, "\n"))
}

// appendTrailers adds trailer lines to a message: to its trailer block
// if it ends with one, else as a new paragraph, before git's comments.
func appendTrailers(msg string, add []string) string {
	body, comments := msg, ""
	if i := strings.Index(msg, "\n#"); i >= 0 {
		body, comments = msg[:i+1], msg[i+1:]
	} else if strings.HasPrefix(msg, "#") {
		body, comments = "", msg
	}
	body = strings.TrimRight(body, "\n")
	if len(history.Trailers(body)) == 0 {
		body += "\n"
	}
	return body + "\n" + strings.Join(add, "\n") + "\n" + comments
}

// runPreReceive judges each ref update read from standard input.
func runPreReceive(ctx context.Context, e *env) error {
	repo, err := history.Open(".")
	if err != nil {
		return fmt.Errorf("pre-receive: %w", err)
	}
	defer repo.Close()
	var refused bool
	sc := bufio.NewScanner(e.In)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			continue
		}
		old, new, ref := plumbing.NewHash(f[0]), plumbing.NewHash(f[1]), f[2]
		branch, isBranch := strings.CutPrefix(ref, "refs/heads/")
		if !isBranch {
			continue // tags and other refs carry no case changes
		}
		settingsAt := new
		if new.IsZero() {
			settingsAt = old
		}
		main := repo.Settings(settingsAt).MainBranch
		if new.IsZero() {
			if branch == main {
				fmt.Fprintf(e.Out, "%s: deleting the main branch is refused; its history is the audit trail\n", ref)
				refused = true
			}
			continue
		}
		base := old
		if base.IsZero() {
			base = repo.Branch(main) // a new branch: judge what main does not have
		}
		rep, err := repo.CheckRange(ctx, base, new, history.RangeOptions{Branch: branch, AllowRewrite: branch != main || old.IsZero()})
		if err != nil {
			return fmt.Errorf("pre-receive %s: %w", ref, err)
		}
		tree, err := repo.CheckChanged(ctx, new, rep.Commits)
		if err != nil {
			return fmt.Errorf("pre-receive %s: %w", ref, err)
		}
		if len(rep.Findings) == 0 && len(tree) == 0 {
			continue
		}
		refused = true
		fmt.Fprintf(e.Out, "%s: refused:\n", ref)
		for _, f := range rep.Findings {
			fmt.Fprintln(e.Out, f)
		}
		tree.Sort()
		for _, f := range tree {
			fmt.Fprintf(e.Out, "%s %s\n", new.String()[:7], f)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("pre-receive: %w", err)
	}
	if refused {
		fmt.Fprintln(e.Err, "register: push refused: the register's rules are broken (see above)")
		return exitError{1}
	}
	return nil
}
