package history

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
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
	fresh  bool               // ignore the cache
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

// Resolve returns the commit a revision names: a full hash, HEAD, a
// branch, a tag or a ref, optionally followed by ~N, ^ and ^N (HEAD~100,
// main^2). Other forms go to go-git, which is slower on a large
// repository: it loads its own index of the pack.
func (r *Repo) Resolve(rev string) (plumbing.Hash, error) {
	base, ops := rev, ""
	if i := strings.IndexAny(rev, "~^"); i > 0 {
		base, ops = rev[:i], rev[i:]
	}
	h, ok := r.ref(base)
	if !ok {
		g, err := r.git.ResolveRevision(plumbing.Revision(rev))
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("revision %s: %w", rev, err)
		}
		return *g, nil
	}
	for ops != "" {
		op := ops[0]
		ops = ops[1:]
		n := 1
		if j := strings.IndexFunc(ops, func(c rune) bool { return c < '0' || c > '9' }); j != 0 {
			digits := ops
			if j > 0 {
				digits = ops[:j]
			}
			v, err := strconv.Atoi(digits)
			if err != nil {
				return plumbing.ZeroHash, fmt.Errorf("revision %s: bad number", rev)
			}
			n, ops = v, ops[len(digits):]
		}
		steps, parent := n, 1
		if op == '^' {
			steps, parent = 1, n
		}
		for range steps {
			c, err := r.commit(h)
			if err != nil {
				return plumbing.ZeroHash, fmt.Errorf("revision %s: %w", rev, err)
			}
			if parent == 0 {
				break
			}
			if len(c.ParentHashes) < parent {
				return plumbing.ZeroHash, fmt.Errorf("revision %s: %s has no parent %d", rev, h.String()[:7], parent)
			}
			h = c.ParentHashes[parent-1]
		}
	}
	if _, err := r.commit(h); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("revision %s: %w", rev, err)
	}
	return h, nil
}

// ref resolves a full hash or a reference name without reading objects.
func (r *Repo) ref(name string) (plumbing.Hash, bool) {
	if len(name) == 40 && plumbing.IsHash(name) {
		return plumbing.NewHash(name), true
	}
	for _, full := range []string{name, "refs/" + name, "refs/heads/" + name, "refs/tags/" + name, "refs/remotes/" + name} {
		ref, err := r.git.Reference(plumbing.ReferenceName(full), true)
		if err != nil {
			continue
		}
		h := ref.Hash()
		// An annotated tag names a tag object; peel it to its commit.
		if t, data, err := r.raw(h); err == nil && t == plumbing.TagObject {
			if i := strings.Index(string(data), "object "); i == 0 && len(data) >= 47 {
				h = plumbing.NewHash(string(data[7:47]))
			}
		}
		return h, true
	}
	return plumbing.ZeroHash, false
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
	res, err := r.git.Reference(plumbing.HEAD, true)
	if err != nil {
		return plumbing.ZeroHash, branch, fmt.Errorf("HEAD: %w", err)
	}
	return res.Hash(), branch, nil
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
