package history

import (
	"bytes"
	"io"
	"io/fs"
	"path"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// A TreeFS is the tree of one commit as an fs.FS, so register.Load can
// read a register as it was at that commit. It is safe for concurrent
// use: the Repo is.
type TreeFS struct {
	repo *Repo
	root plumbing.Hash
	// Filter, when set, hides entries of listed folders for which it
	// returns false (path is the entry's slash path). Files can still be
	// opened by name.
	Filter func(path string, dir bool) bool
}

// FS returns the tree of a commit as an fs.FS.
func (r *Repo) FS(commit plumbing.Hash) (*TreeFS, error) {
	c, err := r.commit(commit)
	if err != nil {
		return nil, err
	}
	return &TreeFS{repo: r, root: c.TreeHash}, nil
}

// TreeFS returns a tree (such as the one `git write-tree` made of the
// index) as an fs.FS.
func (r *Repo) TreeFS(tree plumbing.Hash) *TreeFS { return &TreeFS{repo: r, root: tree} }

func (f *TreeFS) stat(name string) (entry, error) {
	if !fs.ValidPath(name) {
		return entry{}, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return entry{name: ".", dir: true, mode: 0o40000, hash: f.root}, nil
	}
	e, ok, err := f.repo.lookup(f.root, name)
	if err != nil {
		return entry{}, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if !ok {
		return entry{}, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return e, nil
}

// Open implements fs.FS.
func (f *TreeFS) Open(name string) (fs.File, error) {
	e, err := f.stat(name)
	if err != nil {
		return nil, err
	}
	info := fileInfo{e: e, name: path.Base(name)}
	if e.dir {
		list, err := f.readDir(name, e)
		if err != nil {
			return nil, err
		}
		return &dirFile{info: info, list: list}, nil
	}
	data, err := f.repo.blob(e.hash)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	info.size = int64(len(data))
	return &file{info: info, Reader: bytes.NewReader(data)}, nil
}

// ReadFile implements fs.ReadFileFS.
func (f *TreeFS) ReadFile(name string) ([]byte, error) {
	e, err := f.stat(name)
	if err != nil {
		return nil, err
	}
	if e.dir {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrInvalid}
	}
	return f.repo.blob(e.hash)
}

// ReadDir implements fs.ReadDirFS.
func (f *TreeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	e, err := f.stat(name)
	if err != nil {
		return nil, err
	}
	if !e.dir {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	return f.readDir(name, e)
}

func (f *TreeFS) readDir(name string, e entry) ([]fs.DirEntry, error) {
	t, err := f.repo.tree(e.hash)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	entries, err := t.list()
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	out := make([]fs.DirEntry, 0, len(entries))
	for _, c := range entries {
		p := c.name
		if name != "." {
			p = name + "/" + c.name
		}
		if f.Filter != nil && !f.Filter(p, c.dir) {
			continue
		}
		out = append(out, fs.FileInfoToDirEntry(fileInfo{e: c, name: c.name, size: -1}))
	}
	// Git sorts folders as if named "x/"; fs.ReadDir promises name order.
	sortDirEntries(out)
	return out, nil
}

func sortDirEntries(d []fs.DirEntry) {
	for i := 1; i < len(d); i++ {
		for j := i; j > 0 && d[j].Name() < d[j-1].Name(); j-- {
			d[j], d[j-1] = d[j-1], d[j]
		}
	}
}

type fileInfo struct {
	e    entry
	name string
	size int64
}

func (i fileInfo) Name() string { return i.name }
func (i fileInfo) Size() int64  { return max(i.size, 0) }
func (i fileInfo) Mode() fs.FileMode {
	switch {
	case i.e.dir:
		return fs.ModeDir | 0o555
	case i.e.mode == 0o120000:
		return fs.ModeSymlink | 0o444
	case i.e.mode&0o111 != 0:
		return 0o555
	}
	return 0o444
}
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return i.e.dir }
func (i fileInfo) Sys() any           { return i.e.hash }

type file struct {
	info fileInfo
	*bytes.Reader
}

func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *file) Close() error               { return nil }

type dirFile struct {
	info fileInfo
	list []fs.DirEntry
	pos  int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dirFile) Close() error               { return nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: fs.ErrInvalid}
}

func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.list[d.pos:]
	if n <= 0 {
		d.pos = len(d.list)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.pos += n
	return rest[:n], nil
}
