package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// node is a Git tree, immutable once built: a change copies the folders
// on its path, so branches share everything else.
type node struct {
	entries []entry
	hash    plumbing.Hash
	written bool
}

type entry struct {
	name string
	key  string // the name Git sorts by: a folder's ends in "/"
	blob plumbing.Hash
	dir  *node
}

// set returns a copy of n with the file at path set to blob.
func (n *node) set(path []string, blob plumbing.Hash) *node {
	out := &node{}
	if n != nil {
		out.entries = make([]entry, len(n.entries), len(n.entries)+1)
		copy(out.entries, n.entries)
	}
	e := entry{name: path[0], key: path[0]}
	if len(path) == 1 {
		e.blob = blob
	} else {
		e.key += "/"
	}
	k := e.key
	i := sort.Search(len(out.entries), func(i int) bool { return out.entries[i].key >= k })
	if i < len(out.entries) && out.entries[i].name == e.name {
		if len(path) > 1 {
			out.entries[i].dir = out.entries[i].dir.set(path[1:], blob)
		} else {
			out.entries[i].blob = blob
		}
		return out
	}
	if len(path) > 1 {
		e.dir = (*node)(nil).set(path[1:], blob)
	}
	out.entries = append(out.entries, entry{})
	copy(out.entries[i+1:], out.entries[i:])
	out.entries[i] = e
	return out
}

// writer writes the story's history into a pack.
type writer struct {
	s     *story
	pack  *packer
	files map[string][]byte // main's files
	root  *node             // main's tree
	head  plumbing.Hash
	count int
	buf   bytes.Buffer
}

var platform = object.Signature{Name: "Gitea", Email: "noreply@git.demo-council.example.gov.uk"}

func (w *writer) blob(path string, data []byte) (plumbing.Hash, error) {
	return w.pack.add(plumbing.BlobObject, data, path)
}

func (w *writer) writeTree(n *node, path string) (plumbing.Hash, error) {
	if n.written {
		return n.hash, nil
	}
	size := 0
	for _, e := range n.entries {
		size += len(e.name) + 28
	}
	data := make([]byte, 0, size)
	for _, e := range n.entries {
		h, mode := e.blob, "100644"
		if e.dir != nil {
			h, mode = e.dir.hash, "40000"
			if !e.dir.written {
				var err error
				if h, err = w.writeTree(e.dir, path+"/"+e.name); err != nil {
					return h, err
				}
			}
		}
		data = append(data, mode...)
		data = append(data, ' ')
		data = append(data, e.name...)
		data = append(data, 0)
		data = append(data, h[:]...)
	}
	h, err := w.pack.add(plumbing.TreeObject, data, "tree:"+path)
	n.hash, n.written = h, err == nil
	return h, err
}

// commit writes a commit of tree root; signed by the author's key unless
// committer is the hosting platform.
func (w *writer) commit(root *node, parents []plumbing.Hash, author *person, at time.Time, committer *object.Signature, msg string) (plumbing.Hash, error) {
	tree, err := w.writeTree(root, "")
	if err != nil {
		return tree, err
	}
	sig := object.Signature{Name: author.Name, Email: author.Email(), When: at}
	c := &object.Commit{Author: sig, Committer: sig, TreeHash: tree, ParentHashes: parents, Message: msg}
	if committer != nil {
		c.Committer = *committer
		c.Committer.When = at
	} else {
		payload := &plumbing.MemoryObject{}
		if err := c.EncodeWithoutSignature(payload); err != nil {
			return tree, err
		}
		r, _ := payload.Reader()
		off := false
		cfg := &packet.Config{Time: func() time.Time { return at }, NonDeterministicSignaturesViaNotation: &off}
		w.buf.Reset()
		if err := openpgp.ArmoredDetachSign(&w.buf, author.entity, r, cfg); err != nil {
			return tree, fmt.Errorf("sign commit of %s: %w", author.ID, err)
		}
		c.PGPSignature = w.buf.String()
	}
	obj := &plumbing.MemoryObject{}
	if err := c.Encode(obj); err != nil {
		return tree, err
	}
	r, _ := obj.Reader()
	data, err := io.ReadAll(r)
	if err != nil {
		return tree, err
	}
	w.count++
	return w.pack.add(plumbing.CommitObject, data, "")
}

func split(p string) []string { return strings.Split(p, "/") }

// A step is one change in the story, at its time.
type step struct {
	at     time.Time
	seq    int
	kind   int
	author *person
	batch  string // steps with the same batch, author and time make one commit
	c, m   int
	stage  int
}

const (
	kMeeting = iota // before commits at the same instant
	kCase
	kMerge
	kMinutes
	kLeaver // people.yaml records that someone left
	kRekey  // their evidence is re-encrypted without them
)

func (s *story) steps() []step {
	analysts := withRole(s.people, "business-it")
	var out []step
	add := func(st step) { st.seq = len(out); out = append(out, st) }
	for i, p := range s.cases {
		if p.created.IsZero() {
			continue
		}
		add(step{at: p.created, kind: kCase, author: p.creator, c: i, stage: stReported})
		if p.triaged.IsZero() {
			continue
		}
		add(step{at: p.triaged, kind: kCase, author: p.triager, batch: "triage", c: i, stage: stTriaged})
		if p.early {
			if !p.closedEarly.IsZero() {
				p.closer = duty(analysts, p.closedEarly)
				add(step{at: p.closedEarly, kind: kCase, author: p.closer, batch: "close", c: i, stage: stClosed})
			}
			continue
		}
		if p.investigating.IsZero() {
			continue
		}
		add(step{at: p.investigating, kind: kCase, author: p.investigator, c: i, stage: stInvestigating})
		if p.resolved.IsZero() {
			continue
		}
		add(step{at: p.resolved, kind: kCase, author: p.investigator, c: i, stage: stResolved})
		if p.viaPR {
			approver := byID(s.people, "lucy")
			if p.pd || p.hard {
				approver = byID(s.people, "farah")
				if p.investigator.ID == "farah" {
					approver = byID(s.people, "gareth")
				}
			}
			add(step{at: p.merged, kind: kMerge, author: approver, c: i})
		}
	}
	for _, p := range s.people {
		if !p.Left.IsZero() && p.Left.Add(day).Before(s.end) {
			add(step{at: p.Left.Add(9 * time.Hour), kind: kLeaver, author: byID(s.people, "lucy"), c: -1})
			add(step{at: p.Left.Add(10 * time.Hour), kind: kRekey, author: byID(s.people, "farah"), c: -1})
		}
	}
	jo := byID(s.people, "jo")
	for k, m := range s.meetings {
		add(step{at: m.at, kind: kMeeting, m: k})
		add(step{at: m.minutesAt, kind: kMinutes, author: jo, m: k})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.at.Equal(b.at) {
			return a.at.Before(b.at)
		}
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		return a.seq < b.seq
	})
	return out
}

// branch is an open pull request: its tree and head.
type branch struct {
	root *node
	head plumbing.Hash
	path string
	blob plumbing.Hash
	data []byte
}

func (s *story) write(ctx context.Context, w *writer, first func(w *writer) error) error {
	if err := first(w); err != nil {
		return err
	}
	steps := s.steps()
	open := map[int]*branch{}
	minutesShown := make([][]byte, len(s.meetings))
	pendingRekey := map[int]bool{}
	lastMinutes := s.start
	for i := 0; i < len(steps); {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		st := steps[i]
		j := i + 1
		if st.batch != "" {
			for j < len(steps) && steps[j].batch == st.batch && steps[j].author == st.author && steps[j].at.Equal(st.at) {
				j++
			}
		}
		group := steps[i:j]
		i = j
		switch st.kind {
		case kMeeting:
			s.meetings[st.m].head = w.head.String()
		case kMerge:
			b := open[st.c]
			delete(open, st.c)
			p := s.cases[st.c]
			w.root = w.root.set(split(b.path), b.blob)
			w.files[b.path] = b.data
			p.cur = stResolved
			msg := fmt.Sprintf("Merge pull request 'Resolve %s' (#%d) from %s/%s into main\n", p.id, p.prNumber, p.investigator.ID, strings.ToLower(p.id))
			h, err := w.commit(w.root, []plumbing.Hash{w.head, b.head}, st.author, st.at, &platform, msg)
			if err != nil {
				return err
			}
			w.head = h
			if pendingRekey[st.c] {
				delete(pendingRekey, st.c)
				if err := s.rekeyCommit(w, []int{st.c}, byID(s.people, "farah"), st.at.Add(time.Minute)); err != nil {
					return err
				}
			}
		case kLeaver:
			data := peopleFile(s.people, st.at)
			h, err := w.blob("people.yaml", data)
			if err != nil {
				return err
			}
			root := w.root.set([]string{"people.yaml"}, h)
			w.files["people.yaml"] = data
			h, err = w.commit(root, []plumbing.Hash{w.head}, st.author, st.at, nil, "people.yaml: record that Kofi Mensah has left\n\nHe keeps the authorship of his commits; he gets no new evidence.\n")
			if err != nil {
				return err
			}
			w.root, w.head = root, h
		case kRekey:
			var now []int
			for ci, p := range s.cases {
				if len(p.evidence) == 0 || p.evidence[0].by.activeAt(st.at) || p.cur < stInvestigating {
					continue
				}
				if open[ci] != nil {
					pendingRekey[ci] = true
					continue
				}
				now = append(now, ci)
			}
			if len(now) > 0 {
				if err := s.rekeyCommit(w, now, st.author, st.at); err != nil {
					return err
				}
			}
		case kCase:
			root := w.root
			var ids, trans []string
			var b *branch
			for _, g := range group {
				p := s.cases[g.c]
				path := casePath(p)
				if g.stage == stInvestigating {
					if err := s.seal(s.seed, g.c, p); err != nil {
						return err
					}
					for _, e := range p.evidence {
						ep := strings.TrimSuffix(path, "case.md") + "evidence/" + e.file
						h, err := w.blob(ep, e.ciphertext)
						if err != nil {
							return err
						}
						root = root.set(split(ep), h)
						w.files[ep] = e.ciphertext
					}
				}
				data := s.render(p, g.stage, "")
				h, err := w.blob(path, data)
				if err != nil {
					return err
				}
				root = root.set(split(path), h)
				ids = append(ids, p.id)
				if g.stage == stReported {
					trans = append(trans, "-> reported")
				} else {
					prev := g.stage - 1
					if g.stage == stClosed {
						prev = stTriaged
					}
					trans = append(trans, stageNames[prev]+" -> "+stageNames[g.stage])
				}
				if g.stage == stResolved && p.viaPR {
					b = &branch{root: root, path: path, blob: h, data: data}
				} else {
					w.files[path] = data
					p.cur = g.stage
				}
			}
			msg := caseMessage(s, group, ids, trans)
			if b != nil {
				h, err := w.commit(b.root, []plumbing.Hash{w.head}, st.author, st.at, nil, msg)
				if err != nil {
					return err
				}
				b.head = h
				open[st.c] = b
				continue
			}
			h, err := w.commit(root, []plumbing.Hash{w.head}, st.author, st.at, nil, msg)
			if err != nil {
				return err
			}
			w.root, w.head = root, h
		case kMinutes:
			m := s.meetings[st.m]
			root := w.root
			set := func(path string, data []byte) error {
				h, err := w.blob(path, data)
				if err != nil {
					return err
				}
				root = root.set(split(path), h)
				w.files[path] = data
				return nil
			}
			var trans []string
			for _, rv := range m.reviewed {
				if rv.decision == "deferred" {
					continue
				}
				p := s.cases[rv.c]
				if err := set(casePath(p), s.render(p, stReviewed, m.id)); err != nil {
					return err
				}
				p.cur = stReviewed
				trans = append(trans, p.id+": resolved -> reviewed")
			}
			for _, c := range m.closes {
				p := s.cases[c]
				if err := set(casePath(p), s.render(p, stClosed, s.meetings[p.reviewMeeting].id)); err != nil {
					return err
				}
				p.cur = stClosed
				trans = append(trans, p.id+": reviewed -> closed")
			}
			var updated []string
			for k := range st.m {
				if !actionsChanged(s.meetings[k], lastMinutes, m.minutesAt) {
					continue
				}
				data := s.renderMinutes(s.meetings[k], m.minutesAt)
				if bytes.Equal(data, minutesShown[k]) {
					continue
				}
				minutesShown[k] = data
				if err := set(minutesPath(s.meetings[k]), data); err != nil {
					return err
				}
				updated = append(updated, s.meetings[k].id)
			}
			data := s.renderMinutes(m, m.minutesAt)
			minutesShown[st.m] = data
			if err := set(minutesPath(m), data); err != nil {
				return err
			}
			lastMinutes = m.minutesAt
			var msg strings.Builder
			fmt.Fprintf(&msg, "Minutes of ITPARG meeting %s\n\n", m.id)
			fmt.Fprintf(&msg, "Reviewed: %d. Closed: %d. Meeting of %s.\n", len(trans)-len(m.closes), len(m.closes), m.at.Format("2 January 2006"))
			if len(updated) > 0 {
				fmt.Fprintf(&msg, "Action statuses brought up to date in the minutes of %s.\n", strings.Join(updated, ", "))
			}
			if len(trans) > 0 {
				msg.WriteString("\n")
				for _, t := range trans {
					id, tr, _ := strings.Cut(t, ": ")
					fmt.Fprintf(&msg, "Case: %s\nTransition: %s\n", id, tr)
				}
			}
			h, err := w.commit(root, []plumbing.Hash{w.head}, st.author, st.at, nil, msg.String())
			if err != nil {
				return err
			}
			w.root, w.head = root, h
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("internal error: %d pull requests left open", len(open))
	}
	return nil
}

// rekeyCommit re-encrypts the evidence of cases whose investigator has
// left and commits it with the custody entries.
func (s *story) rekeyCommit(w *writer, cases []int, by *person, at time.Time) error {
	root := w.root
	var msg strings.Builder
	fmt.Fprintf(&msg, "Re-encrypt the evidence of %d cases without a person who has left\n\n", len(cases))
	for _, ci := range cases {
		p := s.cases[ci]
		if err := s.rekey(ci, p, by, at); err != nil {
			return err
		}
		path := casePath(p)
		for _, e := range p.evidence {
			ep := strings.TrimSuffix(path, "case.md") + "evidence/" + e.file
			h, err := w.blob(ep, e.ciphertext)
			if err != nil {
				return err
			}
			root = root.set(split(ep), h)
			w.files[ep] = e.ciphertext
		}
		minutes := ""
		if p.reviewMeeting >= 0 {
			minutes = s.meetings[p.reviewMeeting].id
		}
		data := s.render(p, p.cur, minutes)
		h, err := w.blob(path, data)
		if err != nil {
			return err
		}
		root = root.set(split(path), h)
		w.files[path] = data
		fmt.Fprintf(&msg, "Case: %s\n", p.id)
	}
	h, err := w.commit(root, []plumbing.Hash{w.head}, by, at, nil, msg.String())
	if err != nil {
		return err
	}
	w.root, w.head = root, h
	return nil
}

func actionsChanged(m *meeting, from, to time.Time) bool {
	in := func(t time.Time) bool { return !t.IsZero() && t.After(from) && !t.After(to) }
	for _, a := range m.actions {
		if in(a.done) || in(a.dropped) {
			return true
		}
	}
	return false
}

func casePath(p *plan) string {
	return fmt.Sprintf("cases/%04d/%s/case.md", p.reportedAt.Year(), p.id)
}

func minutesPath(m *meeting) string { return fmt.Sprintf("minutes/%s/%s.md", m.id[:4], m.id) }

func caseMessage(s *story, group []step, ids, trans []string) string {
	var b strings.Builder
	st := group[0]
	p := s.cases[st.c]
	switch {
	case len(group) > 1:
		verb := "Triage"
		if st.stage == stClosed {
			verb = "Close"
		}
		fmt.Fprintf(&b, "%s %d cases: %s\n", verb, len(group), strings.Join(ids, ", "))
	case st.stage == stReported:
		fmt.Fprintf(&b, "%s: report %s\n", p.id, lowerFirst(p.title))
	case st.stage == stTriaged:
		fmt.Fprintf(&b, "%s: triage as %s, investigator %s\n", p.id, p.cat0, p.investigator.ID)
	case st.stage == stInvestigating:
		fmt.Fprintf(&b, "%s: start investigation\n", p.id)
	case st.stage == stResolved:
		fmt.Fprintf(&b, "%s: resolve\n", p.id)
	case st.stage == stClosed:
		fmt.Fprintf(&b, "%s: close event, nothing more needed\n", p.id)
	}
	b.WriteString("\n")
	for i, id := range ids {
		fmt.Fprintf(&b, "Case: %s\nTransition: %s\n", id, trans[i])
	}
	return b.String()
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// Mode of every file in the register.
var fileMode = filemode.Regular
