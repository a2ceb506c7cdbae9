package history

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/council/register/register"
)

// An Index is the history reachable from one commit (its Head), oldest
// first: every commit comes after its parents, a merge's first-parent
// line before the branch it brings in.
type Index struct {
	// Head is the commit the index was read from.
	Head string
	// Commits are in topological order, oldest first.
	Commits []*Commit

	byHash map[string]*Commit
	byPath map[string][]Entry
}

// An Entry is one commit's change to one file.
type Entry struct {
	*Commit
	Change *Change
}

// Commit returns the commit with that full hash, or nil.
func (ix *Index) Commit(hash string) *Commit { return ix.byHash[hash] }

// Contains reports whether a commit is in the index: whether it is an
// ancestor of Head (or Head itself).
func (ix *Index) Contains(hash string) bool { return ix.byHash[hash] != nil }

// File returns the commits that changed a file, oldest first, with
// their change to it. Changes a merge brought in from another parent are
// left out: they appear as the commits that made them.
func (ix *Index) File(path string) []Entry {
	if ix.byPath == nil {
		ix.byPath = map[string][]Entry{}
		for _, c := range ix.Commits {
			for i := range c.Changes {
				ch := &c.Changes[i]
				if ch.Merged {
					continue
				}
				ix.byPath[ch.Path] = append(ix.byPath[ch.Path], Entry{Commit: c, Change: ch})
			}
		}
	}
	return ix.byPath[path]
}

// Case returns the trail of a case's file (not its evidence files).
func (ix *Index) Case(id string) []Entry { return ix.File(register.CasePath(id)) }

// Minutes returns the trail of a minutes file.
func (ix *Index) Minutes(id string) []Entry { return ix.File(register.MinutesPath(id)) }

// Index returns the history reachable from HEAD, reading only the
// commits the cache does not hold yet and saving the cache again.
func (r *Repo) Index(ctx context.Context) (*Index, error) {
	h, _, err := r.Head()
	if err != nil {
		return nil, err
	}
	ix, err := r.IndexOf(ctx, h)
	return ix, err
}

// IndexOf returns the history reachable from a commit, through the cache.
func (r *Repo) IndexOf(ctx context.Context, head plumbing.Hash) (*Index, error) {
	all, err := r.commits(ctx, head)
	if err != nil {
		return nil, err
	}
	return view(all, head), nil
}

// commits returns every known commit, after indexing those reachable
// from tips that were not known yet.
func (r *Repo) commits(ctx context.Context, tips ...plumbing.Hash) (map[string]*Commit, error) {
	if r.known == nil {
		r.known = map[string]*Commit{}
		if !r.fresh {
			r.known = r.loadCache()
		}
	}
	n, err := r.build(ctx, r.known, tips, nil)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		// A cache that cannot be written only costs time next run.
		_ = r.saveCache(r.known)
	}
	return r.known, nil
}

// Fresh makes the Repo ignore the cached index and judge every commit
// again (the new index is still saved). An auditor who does not trust
// the repository's Git folder wants this: the cache's checksum catches
// damage, not a forger.
func (r *Repo) Fresh() { r.fresh = true }

// view orders the commits reachable from head, parents first.
func view(all map[string]*Commit, head plumbing.Hash) *Index {
	ix := &Index{Head: head.String(), byHash: map[string]*Commit{}}
	type frame struct {
		c    *Commit
		next int
	}
	root := all[head.String()]
	if root == nil {
		return ix
	}
	stack := []frame{{c: root}}
	ix.byHash[root.Hash] = root
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.next < len(f.c.Parents) {
			p := all[f.c.Parents[f.next]]
			f.next++
			if p != nil && ix.byHash[p.Hash] == nil {
				ix.byHash[p.Hash] = p
				stack = append(stack, frame{c: p})
			}
			continue
		}
		ix.Commits = append(ix.Commits, f.c)
		stack = stack[:len(stack)-1]
	}
	return ix
}

// The cache: a magic line naming the format and the rules' version, the
// SHA-256 of the payload, and the payload: chunks of commits, each an
// 8-byte length and a gob, so they decode on all processors. Anything
// else is rebuilt, never trusted.
const cacheMagic = "register history index v1 rules 3\n"

func (r *Repo) cachePath() string { return filepath.Join(r.gitDir, "register", "index-v1.gob") }

func (r *Repo) loadCache() map[string]*Commit {
	f, err := os.Open(r.cachePath())
	if err != nil {
		return map[string]*Commit{}
	}
	defer f.Close()
	known, err := readCache(bufio.NewReaderSize(f, 1<<16))
	if err != nil {
		return map[string]*Commit{}
	}
	return known
}

// readCache reads the cache as a stream, a chunk at a time, and decodes
// the chunks on all processors as they arrive, so it never holds the
// whole file; the checksum, checked at the end, decides whether the
// decoded commits are used.
func readCache(r io.Reader) (map[string]*Commit, error) {
	damaged := errors.New("damaged history cache")
	head := make([]byte, len(cacheMagic)+sha256.Size)
	if _, err := io.ReadFull(r, head); err != nil || string(head[:len(cacheMagic)]) != cacheMagic {
		return nil, damaged
	}
	h := sha256.New()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		lists [][]*Commit
		bad   bool
	)
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	for {
		var n [8]byte
		if _, err := io.ReadFull(r, n[:]); err == io.EOF {
			break
		} else if err != nil {
			bad = true
			break
		}
		size := binary.BigEndian.Uint64(n[:])
		if size > 1<<30 {
			bad = true
			break
		}
		chunk := make([]byte, size)
		if _, err := io.ReadFull(r, chunk); err != nil {
			bad = true
			break
		}
		h.Write(n[:])
		h.Write(chunk)
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			var list []*Commit
			err := gob.NewDecoder(bytes.NewReader(chunk)).Decode(&list)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				bad = true
				return
			}
			lists = append(lists, list)
		}()
	}
	wg.Wait()
	if bad || !bytes.Equal(h.Sum(nil), head[len(cacheMagic):]) {
		return nil, damaged
	}
	known := map[string]*Commit{}
	for _, list := range lists {
		for _, c := range list {
			if c == nil || !plumbing.IsHash(c.Hash) {
				return nil, damaged
			}
			known[c.Hash] = c
		}
	}
	return known, nil
}

// cacheChunk is about how many commits a chunk of the cache holds.
const cacheChunk = 500

func (r *Repo) saveCache(known map[string]*Commit) error {
	list := make([]*Commit, 0, len(known))
	for _, c := range known {
		// Objects of a push not yet accepted may never exist.
		if !c.quarantined {
			list = append(list, c)
		}
	}
	slices.SortFunc(list, func(a, b *Commit) int { return a.Committer.When.Compare(b.Committer.When) })
	var payload bytes.Buffer
	// Chunks of a few hundred commits: gob reads a whole chunk into a
	// buffer before decoding it, so two big chunks of a 30,000-commit
	// history cost 150 MB of buffers where many small ones cost 2 MB.
	parts := max(1, runtime.GOMAXPROCS(0), len(list)/cacheChunk)
	for i := range parts {
		var chunk bytes.Buffer
		if err := gob.NewEncoder(&chunk).Encode(list[i*len(list)/parts : (i+1)*len(list)/parts]); err != nil {
			return err
		}
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(chunk.Len()))
		payload.Write(n[:])
		payload.Write(chunk.Bytes())
	}
	sum := sha256.Sum256(payload.Bytes())
	path := r.cachePath()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".index-*")
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	_, err = io.WriteString(w, cacheMagic)
	if err == nil {
		_, err = w.Write(sum[:])
	}
	if err == nil {
		_, err = w.Write(payload.Bytes())
	}
	if err == nil {
		err = w.Flush()
	}
	err = errors.Join(err, f.Close())
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("save history index: %w", err)
	}
	return nil
}
