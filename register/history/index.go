package history

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/council/register/register"
)

// An Ident is a Git author or committer.
type Ident struct {
	Name  string
	Email string
	When  time.Time
}

// A Commit is one commit of the history as the index records it.
type Commit struct {
	Hash      string
	Parents   []string
	Author    Ident
	Committer Ident
	Subject   string
	Trailers  []Trailer
	// AuthorID is the person in people.yaml (as of the parent) whose
	// e-mail is the author's, or "".
	AuthorID string
	// Verdict is the signature's verdict and Signer the person whose key
	// made it (for verified, wrong-signer and expired-key).
	Verdict Verdict
	Signer  string
	// SignOn lists the branches whose commits must be signed, from the
	// parent's register.yaml.
	SignOn []string
	// Changes are the files the commit changed against its first parent,
	// in path order.
	Changes []Change
	// Findings are the rules the commit broke that do not depend on the
	// branch it lands on: signing and duplicate ids are judged by
	// Judge.
	Findings []Finding

	quarantined bool
}

// Short returns the abbreviated hash.
func (c *Commit) Short() string { return c.Hash[:min(7, len(c.Hash))] }

// Own reports whether the commit makes changes of its own: any commit
// but a merge whose every change is brought in from one of its parents.
// A merge made by a hosting platform is judged by the commits it brings
// in.
func (c *Commit) Own() bool {
	if len(c.Parents) < 2 {
		return true
	}
	for _, ch := range c.Changes {
		if !ch.Merged {
			return true
		}
	}
	return false
}

// A Trailer is a "Key: value" line at the end of a commit message.
type Trailer struct{ Key, Value string }

// Kind is what a commit did to a file.
type Kind string

// Kinds of change.
const (
	Added    Kind = "add"
	Modified Kind = "modify"
	Deleted  Kind = "delete"
)

// A Change is one file a commit changed.
type Change struct {
	Path string
	Kind Kind
	// ID is the case or minutes id for case and minutes files, else "".
	ID string
	// Old and New are the blob hashes ("" when absent).
	Old, New string
	// From and To are a case's status before and after ("" when absent).
	From, To string
	// Fields are the case fields the change made, compared on decoded
	// values.
	Fields []register.FieldChange
	// Merged marks a merge's change that one of its other parents
	// already had: it was judged in the commit that made it.
	Merged bool
}

// Transition returns "from -> to", "-> to" for a new case, or "".
func (ch Change) Transition() string {
	switch {
	case ch.To == "" || ch.From == ch.To:
		return ""
	case ch.From == "":
		return "-> " + ch.To
	}
	return ch.From + " -> " + ch.To
}

// A Finding is a rule a commit broke, named by commit, file and rule.
type Finding struct {
	Commit  string
	Path    string
	Line    int
	Rule    string
	Message string
}

// String formats the finding as "abc1234 path:line: message".
func (f Finding) String() string {
	loc := register.Finding{Path: f.Path, Line: f.Line, Message: f.Message}.String()
	switch {
	case f.Commit == "":
		return loc
	case f.Path == "":
		return f.Commit[:min(7, len(f.Commit))] + ": " + loc
	}
	return f.Commit[:min(7, len(f.Commit))] + " " + loc
}

// What a commit's paths are.
func classify(p string) (kind, id string) {
	parts := strings.Split(p, "/")
	switch {
	case len(parts) == 4 && parts[0] == "cases" && parts[3] == "case.md":
		return "case", parts[2]
	case len(parts) == 5 && parts[0] == "cases" && parts[3] == "evidence":
		return "evidence", parts[2]
	case len(parts) == 3 && parts[0] == "minutes" && strings.HasSuffix(p, ".md"):
		return "minutes", strings.TrimSuffix(parts[2], ".md")
	}
	return "", ""
}

// parsed is a case or minutes file as parsed, cached by blob hash.
type parsed struct {
	c   *register.Case
	m   *register.Minutes
	err error
}

type parseCache struct {
	mu    sync.Mutex
	m     map[plumbing.Hash]*parsed
	order []plumbing.Hash
	next  int
}

const parseCacheSize = 4096

func (pc *parseCache) get(r *Repo, h plumbing.Hash, minutes bool) *parsed {
	if h.IsZero() {
		return nil
	}
	pc.mu.Lock()
	p, ok := pc.m[h]
	pc.mu.Unlock()
	if ok {
		return p
	}
	p = &parsed{}
	data, err := r.blob(h)
	switch {
	case err != nil:
		p.err = err
	case minutes:
		p.m, p.err = register.ParseMinutes(bytes.NewReader(data))
	default:
		p.c, p.err = register.ParseCase(bytes.NewReader(data))
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if len(pc.order) < parseCacheSize {
		pc.order = append(pc.order, h)
	} else {
		delete(pc.m, pc.order[pc.next])
		pc.order[pc.next] = h
		pc.next = (pc.next + 1) % parseCacheSize
	}
	pc.m[h] = p
	return p
}

// judge is the shared state of judging commits.
type judge struct {
	configs *configCache
	parses  *parseCache
}

func newJudge() *judge {
	return &judge{configs: &configCache{m: map[string]*config{}}, parses: &parseCache{m: map[plumbing.Hash]*parsed{}}}
}

// A change to judge: the tree of a commit (or of the staged index)
// against the trees of its parents.
type proposal struct {
	tree    plumbing.Hash
	parents []plumbing.Hash // parents' root trees, first parent first
	author  Ident
	commit  *object.Commit // nil for the staged index
}

// record diffs and judges one proposal.
func (j *judge) record(r *Repo, p proposal) (*Commit, error) {
	c := &Commit{Author: p.author}
	first := plumbing.ZeroHash
	if len(p.parents) > 0 {
		first = p.parents[0]
	}
	diffs, err := r.diff(first, p.tree)
	if err != nil {
		return nil, err
	}
	// A first commit is judged by its own tree: there is nothing before.
	cfgTree := first
	if len(p.parents) == 0 {
		cfgTree = p.tree
	}
	cfg, err := r.config(j.configs, cfgTree)
	if err != nil {
		return nil, err
	}
	author := cfg.people.ByEmail(p.author.Email)
	if author != nil {
		c.AuthorID = author.ID
	}
	if *cfg.settings.Signing.Required {
		c.SignOn = cfg.settings.Signing.Branches
	}
	if p.commit != nil {
		c.Verdict, c.Signer = cfg.verify(p.commit, c.AuthorID)
	}
	add := func(path string, line int, rule, format string, args ...any) {
		c.Findings = append(c.Findings, Finding{Path: path, Line: line, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	for _, d := range diffs {
		ch := Change{Path: d.path, Kind: Modified}
		if !d.old.IsZero() {
			ch.Old = d.old.String()
		}
		if !d.new.IsZero() {
			ch.New = d.new.String()
		}
		switch {
		case d.old.IsZero():
			ch.Kind = Added
		case d.new.IsZero():
			ch.Kind = Deleted
		}
		for _, other := range p.parents[min(1, len(p.parents)):] {
			e, ok, err := r.lookup(other, d.path)
			if err != nil {
				return nil, err
			}
			if ok && !e.dir && e.hash == d.new || !ok && d.new.IsZero() {
				ch.Merged = true
				break
			}
		}
		kind, id := classify(d.path)
		ch.ID = id
		switch kind {
		case "case":
			ch.ID = id
			old, new := j.parses.get(r, d.old, false), j.parses.get(r, d.new, false)
			var oc, nc *register.Case
			if old != nil {
				oc = old.c
				if oc != nil {
					ch.From = oc.Status
				}
			}
			if new != nil {
				nc = new.c
				if nc != nil {
					ch.To = nc.Status
				}
			}
			if (old == nil || oc != nil) && (new == nil || nc != nil) {
				ch.Fields = register.ChangedFields(oc, nc)
			}
			if ch.Merged {
				break
			}
			if new != nil && new.err != nil {
				for _, f := range asFindings(new.err) {
					add(d.path, f.Line, "schema", "%s", f.Message)
				}
				break
			}
			if old != nil && old.err != nil {
				break // nothing to compare with; the schema finding was the commit before's
			}
			for _, f := range (register.CaseChange{Old: oc, New: nc, Author: author}).Judge(cfg.workflow) {
				if f.Rule == register.RuleNewCase && len(p.parents) == 0 {
					continue // the first commit imports the register as it stands
				}
				add(d.path, f.Line, f.Rule, "%s", f.Message)
			}
		case "evidence":
			if ch.Merged {
				break
			}
			switch ch.Kind {
			case Deleted:
				add(d.path, 0, register.RuleEvidence, "evidence file deleted; evidence is never removed (§6.4)")
			case Modified:
				if !j.reencrypted(r, first, p.tree, d.path) {
					add(d.path, 0, register.RuleEvidence, "evidence file changed without a re-encrypted custody entry; evidence never changes (§6.4)")
				}
			}
		case "minutes":
			if ch.Merged {
				break
			}
			if ch.Kind == Deleted {
				f := register.MinutesDeleted(id)
				add(d.path, 0, f.Rule, "%s", f.Message)
				break
			}
			if new := j.parses.get(r, d.new, true); new != nil && new.err != nil {
				for _, f := range asFindings(new.err) {
					add(d.path, f.Line, "schema", "%s", f.Message)
				}
			}
		}
		c.Changes = append(c.Changes, ch)
	}
	if author == nil && c.Own() {
		add("", 0, "author", "author %s <%s> is not in people.yaml; every change is made by a known person",
			p.author.Name, p.author.Email)
	}
	return c, nil
}

// reencrypted reports whether the case owning an evidence file records
// a re-encryption of it between two trees.
func (j *judge) reencrypted(r *Repo, oldTree, newTree plumbing.Hash, evidence string) bool {
	dir := evidence[:strings.LastIndex(evidence, "/evidence/")]
	name := evidence[strings.LastIndex(evidence, "/")+1:]
	get := func(root plumbing.Hash) *register.Case {
		e, ok, err := r.lookup(root, dir+"/case.md")
		if err != nil || !ok {
			return nil
		}
		if p := j.parses.get(r, e.hash, false); p != nil {
			return p.c
		}
		return nil
	}
	for _, f := range register.Reencrypted(get(oldTree), get(newTree)) {
		if f == name {
			return true
		}
	}
	return false
}

func asFindings(err error) register.Findings {
	if fs, ok := err.(register.Findings); ok {
		return fs
	}
	return register.Findings{{Rule: "read", Message: err.Error()}}
}

// Trailers returns the "Key: value" lines of a message's last paragraph.
func Trailers(msg string) []Trailer {
	paras := strings.Split(strings.TrimSpace(msg), "\n\n")
	if len(paras) < 2 {
		return nil
	}
	var out []Trailer
	for _, line := range strings.Split(paras[len(paras)-1], "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if !ok || !trailerKey(k) {
			return nil
		}
		out = append(out, Trailer{Key: k, Value: strings.TrimSpace(v)})
	}
	return out
}

func trailerKey(k string) bool {
	if k == "" {
		return false
	}
	for i, c := range k {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && (c == '-' || c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

// pending is a commit read from the repository but not yet judged.
type pending struct {
	hash plumbing.Hash
	c    *object.Commit
	q    bool
}

// build reads and judges every commit reachable from tips that known
// does not hold yet, adding them to known. With only, it judges just
// those commits, reaching no further.
func (r *Repo) build(ctx context.Context, known map[string]*Commit, tips []plumbing.Hash, only map[plumbing.Hash]bool) (int, error) {
	var todo []pending
	seen := map[plumbing.Hash]bool{}
	trees := map[plumbing.Hash]plumbing.Hash{}
	stack := append([]plumbing.Hash(nil), tips...)
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[h] || only != nil && !only[h] {
			continue
		}
		seen[h] = true
		if k := known[h.String()]; k != nil {
			// Known, but its ancestors may not be: a range check indexes
			// only the range.
			for _, p := range k.Parents {
				stack = append(stack, plumbing.NewHash(p))
			}
			continue
		}
		if len(seen)%1024 == 0 && ctx.Err() != nil {
			return 0, ctx.Err()
		}
		c, q, err := r.commitFrom(h)
		if err != nil {
			return 0, err
		}
		todo = append(todo, pending{hash: h, c: c, q: q})
		trees[h] = c.TreeHash
		stack = append(stack, c.ParentHashes...)
	}
	if len(todo) == 0 {
		return 0, nil
	}
	out := make([]*Commit, len(todo))
	j := newJudge()
	workers := min(runtime.GOMAXPROCS(0), (len(todo)+31)/32)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	next := 0
	for range workers {
		rd := r
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Commits commits close in time share trees: hand them out in
			// runs so each worker's caches stay warm.
			const run = 16
			for ctx.Err() == nil {
				mu.Lock()
				if firstErr != nil || next >= len(todo) {
					mu.Unlock()
					return
				}
				lo := next
				next = min(next+run, len(todo))
				hi := next
				mu.Unlock()
				for i := lo; i < hi; i++ {
					c, err := j.commit(rd, todo[i], trees)
					if err != nil {
						mu.Lock()
						firstErr = err
						mu.Unlock()
						return
					}
					out[i] = c
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	for _, c := range out {
		known[c.Hash] = c
	}
	return len(out), nil
}

// commitFrom reads a commit and says whether it is still in quarantine.
func (r *Repo) commitFrom(h plumbing.Hash) (*object.Commit, bool, error) {
	if _, _, ok, _ := r.packs.read(h); ok {
		c, err := r.commit(h)
		return c, false, err
	}
	r.mu.Lock()
	q := -1
	for i, s := range r.stores {
		if s.HasEncodedObject(h) == nil {
			q = i
			break
		}
	}
	r.mu.Unlock()
	if q < 0 {
		return nil, false, fmt.Errorf("commit %s: %w", h, plumbing.ErrObjectNotFound)
	}
	c, err := r.commit(h)
	return c, q > 0, err
}

func (j *judge) commit(r *Repo, p pending, trees map[plumbing.Hash]plumbing.Hash) (*Commit, error) {
	var parents []plumbing.Hash
	for _, ph := range p.c.ParentHashes {
		t, ok := trees[ph]
		if !ok {
			pc, err := r.commit(ph)
			if err != nil {
				return nil, err
			}
			t = pc.TreeHash
		}
		parents = append(parents, t)
	}
	rec, err := j.record(r, proposal{tree: p.c.TreeHash, parents: parents, commit: p.c,
		author: Ident{Name: p.c.Author.Name, Email: p.c.Author.Email, When: p.c.Author.When}})
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", p.hash, err)
	}
	rec.Hash = p.hash.String()
	for _, ph := range p.c.ParentHashes {
		rec.Parents = append(rec.Parents, ph.String())
	}
	rec.Committer = Ident{Name: p.c.Committer.Name, Email: p.c.Committer.Email, When: p.c.Committer.When}
	rec.Subject, _, _ = strings.Cut(strings.TrimSpace(p.c.Message), "\n")
	rec.Trailers = Trailers(p.c.Message)
	rec.quarantined = p.q
	for i := range rec.Findings {
		rec.Findings[i].Commit = rec.Hash
	}
	return rec, nil
}
