package history

import (
	"bytes"
	"context"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/council/register/register"
	"github.com/council/register/register/evidence"
)

// A Proposal is a tree not yet committed (the index, written with
// `git write-tree`) with the commits it will have as parents and its
// author.
type Proposal struct {
	Tree    plumbing.Hash
	Parents []plumbing.Hash // commits: HEAD, and MERGE_HEAD when merging
	Author  Ident
}

// Staged judges a proposed commit: the rules of a change (transitions,
// roles, evidence, deletions, ids) and the working-tree check of the
// cases and minutes it changes, reading only what changed (and the
// minutes, which cases refer to). Signatures are judged when the commit
// is pushed. It returns the change as the index would record it and
// every finding.
func (r *Repo) Staged(ctx context.Context, p Proposal) (*Commit, []Finding, error) {
	var trees []plumbing.Hash
	for _, h := range p.Parents {
		c, err := r.commit(h)
		if err != nil {
			return nil, nil, err
		}
		trees = append(trees, c.TreeHash)
	}
	j := newJudge()
	rec, err := j.record(r, proposal{tree: p.Tree, parents: trees, author: p.Author})
	if err != nil {
		return nil, nil, err
	}
	findings := rec.Findings
	for _, ch := range rec.Changes {
		if kind, _ := classify(ch.Path); kind != "evidence" || ch.Merged || ch.Kind == Deleted {
			continue
		}
		data, err := r.blob(plumbing.NewHash(ch.New))
		if err != nil {
			return nil, nil, err
		}
		if msg := notEncrypted(data); msg != "" {
			findings = append(findings, Finding{Path: ch.Path, Rule: register.RuleEvidence, Message: msg})
		}
	}
	tree, err := r.checkChanged(ctx, p.Tree, rec.Changes)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range tree {
		findings = append(findings, Finding{Path: f.Path, Line: f.Line, Rule: f.Rule, Message: f.Message})
	}
	return rec, dedupe(findings), nil
}

// CheckChanged runs the working-tree check (`register check`) on a
// commit's tree for what a run of commits changed: the cases and minutes
// they touched, read in a view of the tree that holds only those, the
// cases those minutes list, all minutes and the register's own files, so
// a large register is not read whole. When the commits change
// register.yaml, people.yaml, workflow.yaml or keys/, every file is
// checked. Evidence files are judged by the evidence package's checker:
// OpenPGP messages encrypted to exactly the people entitled to them.
func (r *Repo) CheckChanged(ctx context.Context, commit plumbing.Hash, commits []*Commit) (register.Findings, error) {
	c, err := r.commit(commit)
	if err != nil {
		return nil, err
	}
	var changes []Change
	for _, cm := range commits {
		changes = append(changes, cm.Changes...)
	}
	return r.checkChanged(ctx, c.TreeHash, changes)
}

func (r *Repo) checkChanged(ctx context.Context, tree plumbing.Hash, changes []Change) (register.Findings, error) {
	report := map[string]bool{} // case folders and minutes files to report on
	load := map[string]bool{}   // case folders to load
	full := false
	for _, ch := range changes {
		kind, _ := classify(ch.Path)
		switch {
		case kind == "case":
			report[path.Dir(ch.Path)] = true
		case kind == "evidence":
			report[path.Dir(path.Dir(ch.Path))] = true
		case kind == "minutes":
			report[ch.Path] = true
			if ch.New == "" {
				continue
			}
			data, err := r.blob(plumbing.NewHash(ch.New))
			if err != nil {
				return nil, err
			}
			if m, err := register.ParseMinutes(bytes.NewReader(data)); err == nil {
				for _, rv := range m.Cases {
					if _, _, _, err := register.ParseID(rv.ID); err == nil {
						load[path.Dir(register.CasePath(rv.ID))] = true
					}
				}
				for _, a := range m.Actions {
					if _, _, _, err := register.ParseID(a.Case); err == nil {
						load[path.Dir(register.CasePath(a.Case))] = true
					}
				}
			}
		case ch.Path == register.SettingsFile || ch.Path == register.PeopleFile ||
			ch.Path == register.WorkflowFile || strings.HasPrefix(ch.Path, "keys/"):
			full = true
		}
	}
	if len(report) == 0 && !full {
		return nil, nil
	}
	for k := range report {
		load[k] = true
	}
	tfs := r.TreeFS(tree)
	if !full {
		tfs.Filter = func(p string, dir bool) bool {
			if strings.Count(p, "/") == 2 && strings.HasPrefix(p, "cases/") {
				return load[p]
			}
			return true
		}
	}
	reg, found, err := register.Load(ctx, tfs)
	if err != nil {
		return nil, err
	}
	found = append(found, reg.Check(ctx, register.CheckOptions{FS: tfs, Evidence: evidence.NewChecker(tfs)})...)
	if full {
		return found, nil
	}
	var out register.Findings
	for _, f := range found {
		if report[f.Path] || report[path.Dir(f.Path)] || report[path.Dir(path.Dir(f.Path))] {
			out = append(out, f)
		}
	}
	return out, nil
}

func dedupe(fs []Finding) []Finding {
	seen := map[Finding]bool{}
	out := fs[:0]
	for _, f := range fs {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// notEncrypted returns why data is not an encrypted OpenPGP message, or
// "". It reads only the first packet's tag: an encrypted message starts
// with a public-key or symmetric-key encrypted session key packet (or
// its armored form); anything else, such as a literal or compressed
// packet, would put plaintext evidence in the history for good.
func notEncrypted(data []byte) string {
	const refuse = "evidence is not an encrypted OpenPGP message; encrypt it with register evidence add (plaintext in Git history can never be removed)"
	if bytes.HasPrefix(data, []byte("-----BEGIN PGP MESSAGE-----")) {
		return ""
	}
	if len(data) == 0 || data[0]&0x80 == 0 {
		return refuse
	}
	tag := (data[0] >> 2) & 0x0f // old format
	if data[0]&0x40 != 0 {
		tag = data[0] & 0x3f // new format
	}
	switch tag {
	case 1, 3: // PKESK, SKESK
		return ""
	}
	return refuse
}

// Settings returns the register.yaml of a commit's tree (the defaults
// when it has none or it does not parse).
func (r *Repo) Settings(commit plumbing.Hash) *register.Settings {
	c, err := r.commit(commit)
	if err != nil {
		return register.DefaultSettings()
	}
	e, ok, err := r.lookup(c.TreeHash, register.SettingsFile)
	if err != nil || !ok {
		return register.DefaultSettings()
	}
	data, err := r.blob(e.hash)
	if err != nil {
		return register.DefaultSettings()
	}
	s, err := register.ParseSettings(bytes.NewReader(data))
	if err != nil {
		return register.DefaultSettings()
	}
	return s
}
