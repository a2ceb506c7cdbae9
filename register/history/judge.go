package history

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/council/register/register"
)

// A Report is the judgement of a run of commits.
type Report struct {
	// Commits are the commits judged, oldest first.
	Commits []*Commit
	// Findings are every rule broken, in commit order.
	Findings []Finding
}

// Rules judged across commits.
const (
	RuleSignature = "signature"
	RuleDuplicate = "duplicate-id"
	RuleRewritten = "rewritten-history"
	RuleHead      = "register-head"
)

// judgeRun adds to the commits' own findings those that depend on the
// branch they land on (signatures) and on each other (ids created
// twice). exists reports whether a path is already on the branch the run
// lands on, and by which commit.
func judgeRun(commits []*Commit, branch string, exists func(path string) (string, bool)) []Finding {
	var out []Finding
	created := map[string]*Commit{}
	for _, c := range commits {
		out = append(out, c.Findings...)
		if c.Own() && slices.Contains(c.SignOn, branch) && c.Verdict != Verified {
			out = append(out, Finding{Commit: c.Hash, Rule: RuleSignature, Message: signatureMessage(c, branch)})
		}
		for _, ch := range c.Changes {
			if ch.Merged || ch.Kind != Added {
				continue
			}
			if kind, id := classify(ch.Path); kind != "case" && kind != "minutes" {
				continue
			} else if prev := created[ch.Path]; prev != nil {
				out = append(out, Finding{Commit: c.Hash, Path: ch.Path, Rule: RuleDuplicate,
					Message: fmt.Sprintf("%s was already created by %s; ids are never reused (two branches both created it)", id, prev.Short())})
				continue
			} else if exists != nil {
				if by, ok := exists(ch.Path); ok {
					out = append(out, Finding{Commit: c.Hash, Path: ch.Path, Rule: RuleDuplicate,
						Message: fmt.Sprintf("%s already exists on %s%s; ids are never reused (another branch created it first)", id, branch, by)})
					continue
				}
			}
			created[ch.Path] = c
		}
	}
	return out
}

func signatureMessage(c *Commit, branch string) string {
	req := "register.yaml requires signed commits on " + branch
	switch c.Verdict {
	case Unsigned, "":
		return "commit is not signed; " + req
	case WrongSigner:
		who := c.Signer
		if who == "" {
			who = "someone else"
		}
		return fmt.Sprintf("commit by %s is signed with the key of %s; %s by their author", authorName(c), who, req)
	case UnknownKey:
		return "commit is signed with a key that is not in keys/ for anyone in people.yaml; " + req
	case ExpiredKey:
		return fmt.Sprintf("commit is signed with a key of %s that had expired, was revoked or did not yet exist at the commit's time; %s", c.Signer, req)
	}
	return "commit's signature does not verify (bad signature); " + req
}

func authorName(c *Commit) string {
	if c.AuthorID != "" {
		return c.AuthorID
	}
	return c.Author.Email
}

// RangeOptions tune CheckRange.
type RangeOptions struct {
	// Branch is the branch the commits land on; it decides whether they
	// must be signed.
	Branch string
	// AllowRewrite accepts a from that is not an ancestor of to (a
	// force-push to a branch other than the protected one).
	AllowRewrite bool
}

// CheckRange judges every commit in from..to (those reachable from to
// but not from from), oldest first, as they would land on the branch.
// from must be an ancestor of to unless the options allow a rewrite:
// anything else rewrites history. A zero from judges every commit
// reachable from to.
func (r *Repo) CheckRange(ctx context.Context, from, to plumbing.Hash, o RangeOptions) (*Report, error) {
	branch := o.Branch
	set, ancestor, err := r.rangeWalk(ctx, from, to)
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	if !o.AllowRewrite && !ancestor {
		rep.Findings = append(rep.Findings, Finding{Commit: to.String(), Rule: RuleRewritten,
			Message: fmt.Sprintf("rewritten history: %s is not an ancestor of %s; the history of %s is never rewritten", from.String()[:7], to.String()[:7], branch)})
		return rep, nil
	}
	// A range is small: judging it afresh costs less than reading the
	// cache of the whole history, so the cache is used only if loaded.
	known := r.known
	if known == nil {
		known = map[string]*Commit{}
	}
	if _, err := r.build(ctx, known, []plumbing.Hash{to}, set); err != nil {
		return nil, err
	}
	rep.Commits = topological(known, to, set)
	var exists func(string) (string, bool)
	if !from.IsZero() {
		fromCommit, err := r.commit(from)
		if err != nil {
			return nil, err
		}
		exists = func(p string) (string, bool) {
			_, ok, _ := r.lookup(fromCommit.TreeHash, p)
			return "", ok
		}
	}
	rep.Findings = append(rep.Findings, judgeRun(rep.Commits, branch, exists)...)
	return rep, nil
}

// topological orders the commits of set reachable from head, parents
// first.
func topological(all map[string]*Commit, head plumbing.Hash, set map[plumbing.Hash]bool) []*Commit {
	var out []*Commit
	done := map[string]bool{}
	type frame struct {
		c    *Commit
		next int
	}
	root := all[head.String()]
	if root == nil || !set[head] {
		return nil
	}
	stack := []frame{{c: root}}
	done[root.Hash] = true
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.next < len(f.c.Parents) {
			h := f.c.Parents[f.next]
			f.next++
			if p := all[h]; p != nil && !done[h] && set[plumbing.NewHash(h)] {
				done[h] = true
				stack = append(stack, frame{c: p})
			}
			continue
		}
		out = append(out, f.c)
		stack = stack[:len(stack)-1]
	}
	return out
}

// Audit judges the whole history reachable from head as the history of
// branch, and checks that the register_head every minutes file records
// is an ancestor of head: a rewrite of anything ITPARG has seen is
// caught.
func (r *Repo) Audit(ctx context.Context, head plumbing.Hash, branch string) (*Report, *Index, error) {
	ix, err := r.IndexOf(ctx, head)
	if err != nil {
		return nil, nil, err
	}
	rep := &Report{Commits: ix.Commits, Findings: judgeRun(ix.Commits, branch, nil)}
	tfs, err := r.FS(head)
	if err != nil {
		return nil, nil, err
	}
	err = fs.WalkDir(tfs, "minutes", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "minutes" {
				return fs.SkipDir
			}
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".md") {
			return nil
		}
		data, err := tfs.ReadFile(p)
		if err != nil {
			return err
		}
		m, err := register.ParseMinutes(strings.NewReader(string(data)))
		if err != nil || m.RegisterHead == "" {
			return nil // the working-tree check reports broken minutes
		}
		if !ix.Contains(m.RegisterHead) {
			rep.Findings = append(rep.Findings, Finding{Path: p, Line: m.Line("register_head"), Rule: RuleHead,
				Message: fmt.Sprintf("register_head %s is not an ancestor of HEAD: the history ITPARG reviewed was rewritten", m.RegisterHead)})
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return rep, ix, nil
}

// Stats summarise a report for an auditor.
type Stats struct {
	Commits  int
	Signed   int
	Verified int
	// People counts commits and verified commits by author (person id,
	// or e-mail for authors not in people.yaml).
	People map[string]*PersonStats
}

// PersonStats are one author's figures.
type PersonStats struct {
	Commits  int
	Verified int
}

// Stats counts the report's commits.
func (rep *Report) Stats() Stats {
	s := Stats{People: map[string]*PersonStats{}}
	for _, c := range rep.Commits {
		s.Commits++
		if c.Verdict != Unsigned && c.Verdict != "" {
			s.Signed++
		}
		who := authorName(c)
		p := s.People[who]
		if p == nil {
			p = &PersonStats{}
			s.People[who] = p
		}
		p.Commits++
		if c.Verdict == Verified {
			s.Verified++
			p.Verified++
		}
	}
	return s
}
