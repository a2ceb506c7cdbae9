// Package history reads a register's Git history as its audit trail: an
// index of every commit with the case and minutes files it touched, the
// transitions and field changes it made, its signature verdict, and the
// rules it broke.
//
// The index is built in one walk of the commits, diffing each commit's
// tree against its first parent by comparing tree entries by hash and
// descending only into subtrees whose hashes differ; go-git's DiffTree and
// Log with a path filter are far too slow for a register of 30,000
// commits (see DESIGN.md, "History"). The finished index is cached in
// the repository's Git folder (register/index-v1.gob), keyed by commit
// hash, so the next run only reads new commits.
package history

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/go-git/go-billy/v5/helper/mount"
	"github.com/go-git/go-billy/v5/helper/polyfill"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/osfs"
)

// A Repo is an open register repository. It keeps its pack files open
// until Close. Its methods may be called from several goroutines.
type Repo struct {
	git    *git.Repository
	gitDir string // the (common) Git folder: where the index cache lives
	// stores read objects, the first one that has them wins: the
	// repository, then a pre-receive quarantine of pushed objects.
	stores []storer.EncodedObjectStorer
	fs     []*filesystem.Storage
	packs  *packs     // the repository's packs, read directly
	mu     sync.Mutex // go-git's storage is not safe for concurrent use
	trees  *treeCache
	known  map[string]*Commit // the index cache, once loaded
}

// Open opens the repository at or above dir (a working copy or a bare
// repository). GIT_DIR and, during a pre-receive hook,
// GIT_QUARANTINE_PATH are honoured as git itself honours them.
func Open(dir string) (*Repo, error) {
	detect := true
	if d := os.Getenv("GIT_DIR"); d != "" {
		if !filepath.IsAbs(d) {
			d = filepath.Join(dir, d)
		}
		dir, detect = d, false
	} else if isBare(dir) {
		detect = false
	}
	g, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: detect, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("%s: not a Git repository (the register's history is its audit trail; run git init)", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: open repository: %w", dir, err)
	}
	st, ok := g.Storer.(*filesystem.Storage)
	if !ok {
		return nil, fmt.Errorf("%s: repository is not on disk", dir)
	}
	r := &Repo{trees: newTreeCache()}
	// Reopen the same folder keeping pack files open: go-git's default
	// reopens the pack for every object read.
	keep := filesystem.NewStorageWithOptions(st.Filesystem(), cache.NewObjectLRU(64<<20),
		filesystem.Options{KeepDescriptors: true})
	var wt = (*git.Worktree)(nil)
	if w, err := g.Worktree(); err == nil {
		wt = w
	}
	if wt != nil {
		r.git, err = git.Open(keep, wt.Filesystem)
	} else {
		r.git, err = git.Open(keep, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: open repository: %w", dir, err)
	}
	r.gitDir = commonDir(st)
	r.packs = openPacks(filepath.Join(r.gitDir, "objects"))
	r.stores = []storer.EncodedObjectStorer{keep}
	r.fs = []*filesystem.Storage{keep}
	if q := os.Getenv("GIT_QUARANTINE_PATH"); q != "" {
		qs, err := quarantine(q)
		if err != nil {
			r.Close()
			return nil, err
		}
		r.stores = append(r.stores, qs)
		r.fs = append(r.fs, qs)
	}
	return r, nil
}

// isBare reports whether dir is a Git folder itself (a bare repository).
func isBare(dir string) bool {
	for _, name := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return false
		}
	}
	return true
}

// quarantine opens the folder where git keeps objects of a push until
// pre-receive accepts it.
func quarantine(path string) (*filesystem.Storage, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("quarantine %s: %w", path, err)
	}
	fs := polyfill.New(mount.New(memfs.New(), "objects", osfs.New(path)))
	return filesystem.NewStorageWithOptions(fs, cache.NewObjectLRU(16<<20), filesystem.Options{KeepDescriptors: true}), nil
}

func commonDir(st *filesystem.Storage) string {
	root := st.Filesystem().Root()
	if data, err := os.ReadFile(filepath.Join(root, "commondir")); err == nil {
		d := strings.TrimSpace(string(data))
		if !filepath.IsAbs(d) {
			d = filepath.Join(root, d)
		}
		return filepath.Clean(d)
	}
	return root
}

// Close releases the open pack files.
func (r *Repo) Close() error {
	err := r.packs.close()
	for _, s := range r.fs {
		err = errors.Join(err, s.Close())
	}
	return err
}

// GitDir returns the repository's Git folder.
func (r *Repo) GitDir() string { return r.gitDir }

// Resolve returns the commit a revision (a hash, a branch, a tag, HEAD,
// HEAD~2) names.
func (r *Repo) Resolve(rev string) (plumbing.Hash, error) {
	if plumbing.IsHash(rev) {
		h := plumbing.NewHash(rev)
		if _, err := r.object(plumbing.CommitObject, h); err == nil {
			return h, nil
		}
	}
	h, err := r.git.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("revision %s: %w", rev, err)
	}
	return *h, nil
}

// Head returns the commit HEAD points to and the branch it is on ("" when
// detached).
func (r *Repo) Head() (plumbing.Hash, string, error) {
	ref, err := r.git.Reference(plumbing.HEAD, false)
	if err != nil {
		return plumbing.ZeroHash, "", fmt.Errorf("HEAD: %w", err)
	}
	branch := ""
	if ref.Type() == plumbing.SymbolicReference {
		branch = ref.Target().Short()
	}
	h, err := r.git.ResolveRevision("HEAD")
	if err != nil {
		return plumbing.ZeroHash, branch, fmt.Errorf("HEAD: %w", err)
	}
	return *h, branch, nil
}

// Branch returns the commit a branch points to, or the zero hash.
func (r *Repo) Branch(name string) plumbing.Hash {
	ref, err := r.git.Reference(plumbing.NewBranchReferenceName(name), true)
	if err != nil {
		return plumbing.ZeroHash
	}
	return ref.Hash()
}

// raw reads an object's type and content: from the packs, else through
// go-git (loose objects, a quarantine, alternates).
func (r *Repo) raw(h plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	if t, data, ok, err := r.packs.read(h); ok || err != nil {
		return t, data, err
	}
	o, err := r.object(plumbing.AnyObject, h)
	if err != nil {
		return 0, nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	data, err := readAll(o)
	return o.Type(), data, err
}

// object reads an object through go-git from the first store that has
// it.
func (r *Repo) object(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var err error
	for _, s := range r.stores {
		var o plumbing.EncodedObject
		if o, err = s.EncodedObject(t, h); err == nil {
			return o, nil
		}
	}
	return nil, fmt.Errorf("object %s: %w", h, err)
}

// typed reads an object that must be of type t.
func (r *Repo) typed(t plumbing.ObjectType, h plumbing.Hash) ([]byte, error) {
	got, data, err := r.raw(h)
	if err != nil {
		return nil, err
	}
	if got != t {
		return nil, fmt.Errorf("object %s is a %s, not a %s", h, got, t)
	}
	return data, nil
}

// commit reads and decodes a commit.
func (r *Repo) commit(h plumbing.Hash) (*object.Commit, error) {
	data, err := r.typed(plumbing.CommitObject, h)
	if err != nil {
		return nil, err
	}
	o := &plumbing.MemoryObject{}
	o.SetType(plumbing.CommitObject)
	o.Write(data)
	c := &object.Commit{}
	if err := c.Decode(o); err != nil {
		return nil, fmt.Errorf("commit %s: %w", h, err)
	}
	c.Hash = h
	return c, nil
}

// blob reads a whole blob. The content is shared: do not modify it.
func (r *Repo) blob(h plumbing.Hash) ([]byte, error) {
	return r.typed(plumbing.BlobObject, h)
}
