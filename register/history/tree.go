package history

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// A tree is a decoded Git tree object: its entries in Git's order, with
// names pointing into the raw object.
type tree struct {
	entries []entry
}

type entry struct {
	name string
	dir  bool
	mode uint32
	hash plumbing.Hash
}

// find returns the entry of that name.
func (t *tree) find(name string) (entry, bool) {
	// Git orders a folder as if its name ended in "/".
	for _, key := range [2]string{name, name + "/"} {
		i := sort.Search(len(t.entries), func(i int) bool { return sortName(t.entries[i]) >= key })
		if i < len(t.entries) && sortName(t.entries[i]) == key {
			return t.entries[i], true
		}
	}
	return entry{}, false
}

func sortName(e entry) string {
	if e.dir {
		return e.name + "/"
	}
	return e.name
}

// parseTree decodes a raw tree object: entries of "mode name\0hash".
func parseTree(raw []byte) (*tree, error) {
	t := &tree{entries: make([]entry, 0, bytes.Count(raw, []byte{0}))}
	for len(raw) > 0 {
		sp := bytes.IndexByte(raw, ' ')
		if sp < 0 {
			return nil, fmt.Errorf("corrupt tree entry")
		}
		var mode uint32
		for _, c := range raw[:sp] {
			if c < '0' || c > '7' {
				return nil, fmt.Errorf("corrupt tree entry mode")
			}
			mode = mode<<3 | uint32(c-'0')
		}
		raw = raw[sp+1:]
		nul := bytes.IndexByte(raw, 0)
		if nul < 0 || len(raw) < nul+1+20 {
			return nil, fmt.Errorf("corrupt tree entry")
		}
		e := entry{name: string(raw[:nul]), mode: mode, dir: mode == 0o40000}
		copy(e.hash[:], raw[nul+1:nul+21])
		t.entries = append(t.entries, e)
		raw = raw[nul+21:]
	}
	return t, nil
}

// treeCache keeps decoded trees by hash, shared by the index workers.
type treeCache struct {
	mu    sync.Mutex
	trees map[plumbing.Hash]*tree
	order []plumbing.Hash
	next  int
}

const treeCacheSize = 8192

func newTreeCache() *treeCache {
	return &treeCache{trees: map[plumbing.Hash]*tree{}}
}

func (c *treeCache) get(h plumbing.Hash) *tree {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.trees[h]
}

func (c *treeCache) put(h plumbing.Hash, t *tree) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.trees[h]; ok {
		return
	}
	// A ring of the last treeCacheSize trees: consecutive commits share
	// most of their trees, so recent ones are what is asked for again.
	if len(c.order) < treeCacheSize {
		c.order = append(c.order, h)
	} else {
		delete(c.trees, c.order[c.next])
		c.order[c.next] = h
		c.next = (c.next + 1) % treeCacheSize
	}
	c.trees[h] = t
}

var emptyTree = &tree{}

// tree reads a tree object, through the cache. The zero hash is the empty
// tree (the parent of a first commit).
func (r *Repo) tree(h plumbing.Hash) (*tree, error) {
	if h.IsZero() {
		return emptyTree, nil
	}
	if t := r.trees.get(h); t != nil {
		return t, nil
	}
	o, err := r.object(plumbing.TreeObject, h)
	if err != nil {
		return nil, err
	}
	raw, err := readAll(o)
	if err != nil {
		return nil, err
	}
	t, err := parseTree(raw)
	if err != nil {
		return nil, fmt.Errorf("tree %s: %w", h, err)
	}
	r.trees.put(h, t)
	return t, nil
}

func readAll(o plumbing.EncodedObject) ([]byte, error) {
	rd, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	buf := make([]byte, 0, o.Size())
	w := bytes.NewBuffer(buf)
	if _, err := io.Copy(w, rd); err != nil {
		return nil, err
	}
	return w.Bytes(), nil
}

// lookup returns the entry at a slash path below a root tree.
func (r *Repo) lookup(root plumbing.Hash, path string) (entry, bool, error) {
	e := entry{dir: true, hash: root}
	for path != "" {
		name := path
		if i := bytes.IndexByte([]byte(path), '/'); i >= 0 {
			name, path = path[:i], path[i+1:]
		} else {
			path = ""
		}
		if !e.dir {
			return entry{}, false, nil
		}
		t, err := r.tree(e.hash)
		if err != nil {
			return entry{}, false, err
		}
		var ok bool
		if e, ok = t.find(name); !ok {
			return entry{}, false, nil
		}
	}
	return e, true, nil
}

// A fileDiff is one file that differs between two trees: the zero hash
// stands for "absent".
type fileDiff struct {
	path     string
	old, new plumbing.Hash
}

// diff lists the files that differ between two trees, descending only
// into folders whose hashes differ. A file replaced by a folder (or the
// reverse) shows as the file deleted and the folder's files added.
func (r *Repo) diff(a, b plumbing.Hash) ([]fileDiff, error) {
	var out []fileDiff
	err := r.diffInto(&out, "", a, b)
	return out, err
}

func (r *Repo) diffInto(out *[]fileDiff, prefix string, a, b plumbing.Hash) error {
	if a == b {
		return nil
	}
	ta, err := r.tree(a)
	if err != nil {
		return err
	}
	tb, err := r.tree(b)
	if err != nil {
		return err
	}
	ea, eb := ta.entries, tb.entries
	// Skip the common head and tail by hash: most commits change one
	// entry of a large folder.
	for len(ea) > 0 && len(eb) > 0 && ea[0] == eb[0] {
		ea, eb = ea[1:], eb[1:]
	}
	for len(ea) > 0 && len(eb) > 0 && ea[len(ea)-1] == eb[len(eb)-1] {
		ea, eb = ea[:len(ea)-1], eb[:len(eb)-1]
	}
	for len(ea) > 0 || len(eb) > 0 {
		var x, y *entry
		switch {
		case len(eb) == 0:
			x = &ea[0]
		case len(ea) == 0:
			y = &eb[0]
		default:
			switch c := compareEntries(ea[0], eb[0]); {
			case c < 0:
				x = &ea[0]
			case c > 0:
				y = &eb[0]
			default:
				x, y = &ea[0], &eb[0]
			}
		}
		if x != nil {
			ea = ea[1:]
		}
		if y != nil {
			eb = eb[1:]
		}
		if err := r.diffEntries(out, prefix, x, y); err != nil {
			return err
		}
	}
	return nil
}

func compareEntries(a, b entry) int {
	if a.name == b.name {
		if a.dir == b.dir {
			return 0
		}
		if a.dir {
			return 1
		}
		return -1
	}
	an, bn := sortName(a), sortName(b)
	if an < bn {
		return -1
	}
	return 1
}

func (r *Repo) diffEntries(out *[]fileDiff, prefix string, x, y *entry) error {
	name := ""
	if x != nil {
		name = x.name
	} else {
		name = y.name
	}
	p := prefix + name
	switch {
	case x != nil && y != nil && x.hash == y.hash && x.mode == y.mode:
		return nil
	case x != nil && y != nil && x.dir && y.dir:
		return r.diffInto(out, p+"/", x.hash, y.hash)
	case x != nil && y != nil && !x.dir && !y.dir:
		*out = append(*out, fileDiff{path: p, old: x.hash, new: y.hash})
		return nil
	}
	if x != nil {
		if x.dir {
			if err := r.diffInto(out, p+"/", x.hash, plumbing.ZeroHash); err != nil {
				return err
			}
		} else {
			*out = append(*out, fileDiff{path: p, old: x.hash})
		}
	}
	if y != nil {
		if y.dir {
			return r.diffInto(out, p+"/", plumbing.ZeroHash, y.hash)
		}
		*out = append(*out, fileDiff{path: p, new: y.hash})
	}
	return nil
}
