package history

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/council/register/register"
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
	changed := map[string]bool{} // case folders
	paths := map[string]bool{}
	for _, ch := range rec.Changes {
		if ch.Merged || ch.Kind == Deleted {
			continue
		}
		kind, _ := classify(ch.Path)
		switch kind {
		case "case":
			changed[path.Dir(ch.Path)] = true
			paths[ch.Path] = true
		case "evidence":
			changed[path.Dir(path.Dir(ch.Path))] = true
			paths[ch.Path] = true
			data, err := r.blob(plumbing.NewHash(ch.New))
			if err != nil {
				return nil, nil, err
			}
			if msg := notEncrypted(data); msg != "" {
				findings = append(findings, Finding{Path: ch.Path, Rule: register.RuleEvidence, Message: msg})
			}
		case "minutes":
			paths[ch.Path] = true
		}
	}
	if len(paths) == 0 {
		return rec, findings, nil
	}
	// Check the changed cases as `register check` would, in a view of the
	// tree holding only them, the minutes and the register's own files.
	tfs := r.TreeFS(p.Tree)
	tfs.Filter = func(p string, dir bool) bool {
		if strings.Count(p, "/") == 2 && strings.HasPrefix(p, "cases/") {
			return changed[p]
		}
		return true
	}
	reg, loadFindings, err := register.Load(ctx, tfs)
	if err != nil {
		return nil, nil, err
	}
	all := append(loadFindings, reg.Check(ctx, register.CheckOptions{FS: tfs})...)
	for _, f := range all {
		if paths[f.Path] || changed[path.Dir(f.Path)] || changed[path.Dir(path.Dir(f.Path))] {
			findings = append(findings, Finding{Path: f.Path, Line: f.Line, Rule: f.Rule, Message: f.Message})
		}
	}
	return rec, dedupe(findings), nil
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

// CheckTree runs the working-tree check (`register check`) on a commit's
// tree.
func (r *Repo) CheckTree(ctx context.Context, commit plumbing.Hash, ev register.EvidenceChecker) (register.Findings, error) {
	tfs, err := r.FS(commit)
	if err != nil {
		return nil, err
	}
	reg, found, err := register.Load(ctx, tfs)
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", commit.String()[:7], err)
	}
	return append(found, reg.Check(ctx, register.CheckOptions{FS: tfs, Evidence: ev})...), nil
}
