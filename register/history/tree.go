package history

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// A tree is a Git tree object: its raw content, which diffs read
// directly, and its entries in Git's order, decoded on first use.
type tree struct {
	raw     []byte
	once    sync.Once
	entries []entry
	err     error
}

type entry struct {
	name string
	dir  bool
	mode uint32
	hash plumbing.Hash
}

// list returns the decoded entries.
func (t *tree) list() ([]entry, error) {
	t.once.Do(func() { t.entries, t.err = parseTree(t.raw) })
	return t.entries, t.err
}

// find returns the entry of that name.
func (t *tree) find(name string) (entry, bool) {
	entries, err := t.list()
	if err != nil {
		return entry{}, false
	}
	// Git orders a folder as if its name ended in "/".
	for _, key := range [2]string{name, name + "/"} {
		i := sort.Search(len(entries), func(i int) bool { return sortName(entries[i]) >= key })
		if i < len(entries) && sortName(entries[i]) == key {
			return entries[i], true
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

// rawEntry is an entry read in place from a raw tree.
type rawEntry struct {
	name []byte
	mode uint32
	hash []byte
}

func (e rawEntry) dir() bool { return e.mode == 0o40000 }

// entryAt reads the entry at offset i of a raw tree and returns the
// offset of the next.
func entryAt(raw []byte, i int) (rawEntry, int, error) {
	sp := bytes.IndexByte(raw[i:], ' ')
	if sp < 0 {
		return rawEntry{}, 0, fmt.Errorf("corrupt tree entry")
	}
	var mode uint32
	for _, c := range raw[i : i+sp] {
		if c < '0' || c > '7' {
			return rawEntry{}, 0, fmt.Errorf("corrupt tree entry mode")
		}
		mode = mode<<3 | uint32(c-'0')
	}
	n := i + sp + 1
	nul := bytes.IndexByte(raw[n:], 0)
	if nul < 0 || len(raw) < n+nul+21 {
		return rawEntry{}, 0, fmt.Errorf("corrupt tree entry")
	}
	return rawEntry{name: raw[n : n+nul], mode: mode, hash: raw[n+nul+1 : n+nul+21]}, n + nul + 21, nil
}

// parseTree decodes a raw tree object: entries of "mode name\0hash".
// The names share one string, so a large folder costs one allocation.
func parseTree(raw []byte) ([]entry, error) {
	text := string(raw)
	out := make([]entry, 0, bytes.Count(raw, []byte{0}))
	for i := 0; i < len(raw); {
		e, next, err := entryAt(raw, i)
		if err != nil {
			return nil, err
		}
		start := len(raw[:i]) + (len(raw[i:next]) - 21 - len(e.name))
		x := entry{name: text[start : start+len(e.name)], mode: e.mode, dir: e.dir()}
		copy(x.hash[:], e.hash)
		out = append(out, x)
		i = next
	}
	return out, nil
}

// treeCache keeps trees by hash, shared by the index workers, bounded
// in bytes: consecutive commits share most of their trees, so recent
// ones are what is asked for again.
type treeCache struct {
	mu    sync.Mutex
	trees map[plumbing.Hash]*tree
	order []plumbing.Hash
	size  int
}

const treeCacheBytes = 32 << 20

func newTreeCache() *treeCache {
	return &treeCache{trees: map[plumbing.Hash]*tree{}}
}

func (c *treeCache) get(h plumbing.Hash) *tree {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.trees[h]
}

func (c *treeCache) put(h plumbing.Hash, t *tree) *tree {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.trees[h]; ok {
		return old
	}
	for c.size+len(t.raw) > treeCacheBytes && len(c.order) > 0 {
		old := c.order[0]
		c.order = c.order[1:]
		c.size -= len(c.trees[old].raw)
		delete(c.trees, old)
	}
	c.order = append(c.order, h)
	c.size += len(t.raw)
	c.trees[h] = t
	return t
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
	raw, err := r.typed(plumbing.TreeObject, h)
	if err != nil {
		return nil, err
	}
	return r.trees.put(h, &tree{raw: raw}), nil
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

// diffInto compares two raw trees in place: it skips their common
// leading bytes to the entry they fall in, then walks both in step and
// stops as soon as the rest of both is byte for byte the same. A commit
// that changes one case of a 2,500-entry year folder reads no entry but
// the changed one.
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
	ra, rb := ta.raw, tb.raw
	common := commonPrefix(ra, rb)
	// Names and modes hold no NUL, so an entry ends 20 bytes after its
	// first NUL; the walk below parses (and so validates) what follows.
	i := 0
	for i < len(ra) {
		z := bytes.IndexByte(ra[i:], 0)
		if z < 0 || i+z+21 > common {
			break
		}
		i += z + 21
	}
	j := i
	for i < len(ra) || j < len(rb) {
		if len(ra)-i == len(rb)-j && bytes.Equal(ra[i:], rb[j:]) {
			return nil
		}
		var x, y *rawEntry
		var xe, ye rawEntry
		var ni, nj int
		if i < len(ra) {
			if xe, ni, err = entryAt(ra, i); err != nil {
				return fmt.Errorf("tree %s: %w", a, err)
			}
			x = &xe
		}
		if j < len(rb) {
			if ye, nj, err = entryAt(rb, j); err != nil {
				return fmt.Errorf("tree %s: %w", b, err)
			}
			y = &ye
		}
		if x != nil && y != nil {
			switch c := compareRaw(xe, ye); {
			case c < 0:
				y = nil
			case c > 0:
				x = nil
			}
		}
		if x != nil {
			i = ni
		}
		if y != nil {
			j = nj
		}
		if err := r.diffEntries(out, prefix, x, y); err != nil {
			return err
		}
	}
	return nil
}

func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	// Compare in chunks with the vectorised bytes.Equal, then by byte.
	for i+256 <= n && bytes.Equal(a[i:i+256], b[i:i+256]) {
		i += 256
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// compareRaw orders entries as Git does: by name, a folder as if its
// name ended in "/".
func compareRaw(a, b rawEntry) int {
	n := min(len(a.name), len(b.name))
	if c := bytes.Compare(a.name[:n], b.name[:n]); c != 0 {
		return c
	}
	ca, cb := byteAfter(a, n), byteAfter(b, n)
	switch {
	case ca < cb:
		return -1
	case ca > cb:
		return 1
	}
	return 0
}

func byteAfter(e rawEntry, n int) int {
	switch {
	case n < len(e.name):
		return int(e.name[n])
	case e.dir():
		return '/'
	}
	return -1
}

func (r *Repo) diffEntries(out *[]fileDiff, prefix string, x, y *rawEntry) error {
	var name []byte
	if x != nil {
		name = x.name
	} else {
		name = y.name
	}
	p := prefix + string(name)
	var xh, yh plumbing.Hash
	if x != nil {
		copy(xh[:], x.hash)
	}
	if y != nil {
		copy(yh[:], y.hash)
	}
	switch {
	case x != nil && y != nil && xh == yh && x.mode == y.mode:
		return nil
	case x != nil && y != nil && x.dir() && y.dir():
		return r.diffInto(out, p+"/", xh, yh)
	case x != nil && y != nil && !x.dir() && !y.dir():
		*out = append(*out, fileDiff{path: p, old: xh, new: yh})
		return nil
	}
	if x != nil {
		if x.dir() {
			if err := r.diffInto(out, p+"/", xh, plumbing.ZeroHash); err != nil {
				return err
			}
		} else {
			*out = append(*out, fileDiff{path: p, old: xh})
		}
	}
	if y != nil {
		if y.dir() {
			return r.diffInto(out, p+"/", plumbing.ZeroHash, yh)
		}
		*out = append(*out, fileDiff{path: p, new: yh})
	}
	return nil
}
