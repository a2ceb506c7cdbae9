//go:build linux

package dirfs

import (
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

type dirFS string

func newFS(dir string) fs.FS {
	if dir == "" {
		return os.DirFS(dir) // which refuses every name, as it should
	}
	return dirFS(strings.TrimSuffix(dir, "/"))
}

// path returns the real path of name, or a *fs.PathError for op.
func (d dirFS) path(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return string(d), nil
	}
	return string(d) + "/" + name, nil
}

func open(path string, flags int) (int, error) {
	for {
		fd, err := syscall.Open(path, flags|syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

func read(fd int, b []byte) (int, error) {
	for {
		n, err := syscall.Read(fd, b)
		if err != syscall.EINTR {
			return n, err
		}
	}
}

// open opens the file name of the tree, returning its descriptor and
// real path, or a *fs.PathError that names it as the tree does.
func (d dirFS) open(name string, flags int) (int, string, error) {
	p, err := d.path("open", name)
	if err != nil {
		return -1, "", err
	}
	fd, err := open(p, flags)
	if err != nil {
		return -1, "", &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return fd, p, nil
}

func (d dirFS) Open(name string) (fs.File, error) {
	fd, p, err := d.open(name, 0)
	if err != nil {
		return nil, err
	}
	return &file{fd: fd, name: name, path: p}, nil
}

func (d dirFS) Stat(name string) (fs.FileInfo, error) { return stat(string(d), name) }

// buffers lends ReadFile and ReadDir their read buffers.
var buffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (d dirFS) ReadFile(name string) ([]byte, error) {
	fd, _, err := d.open(name, 0)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	bp := buffers.Get().(*[]byte)
	defer buffers.Put(bp)
	buf, n := *bp, 0
	for {
		if n == len(buf) {
			buf = slices.Grow(buf, len(buf))[:2*len(buf)]
		}
		k, err := read(fd, buf[n:])
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		if k == 0 {
			return slices.Clone(buf[:n]), nil
		}
		n += k
	}
}

func (d dirFS) ReadDir(name string) ([]fs.DirEntry, error) {
	fd, p, err := d.open(name, syscall.O_DIRECTORY)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	list, err := entries(fd, p)
	if err != nil {
		return nil, &fs.PathError{Op: "readdirent", Path: name, Err: err}
	}
	return list, nil
}

// entries lists the open folder fd, whose path is dir, sorted by name.
func entries(fd int, dir string) ([]fs.DirEntry, error) {
	bp := buffers.Get().(*[]byte)
	defer buffers.Put(bp)
	buf := *bp
	var ents []entry // in one allocation (a year's folder lists thousands of cases)
	for {
		n, err := syscall.ReadDirent(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			break
		}
		// Each record is struct linux_dirent64: inode (8 bytes), offset
		// (8), record length (2), type (1), name ending in NUL.
		for b := buf[:n]; len(b) >= 19; {
			size := int(binary.NativeEndian.Uint16(b[16:18]))
			if size < 19 || size > len(b) {
				return nil, errors.New("malformed directory entry")
			}
			ino, typ, rec := binary.NativeEndian.Uint64(b), b[18], b[19:size]
			b = b[size:]
			if i := slices.Index(rec, 0); i >= 0 {
				rec = rec[:i]
			}
			name := string(rec)
			if ino == 0 || name == "." || name == ".." {
				continue
			}
			e := entry{dir: dir, name: name, typ: direntType(typ)}
			if typ == syscall.DT_UNKNOWN {
				fi, err := os.Lstat(dir + "/" + name)
				if err != nil {
					continue // gone since it was listed, as os skips it
				}
				e.typ = fi.Mode().Type()
			}
			ents = append(ents, e)
		}
	}
	slices.SortFunc(ents, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	list := make([]fs.DirEntry, len(ents))
	for i := range ents {
		list[i] = &ents[i]
	}
	return list, nil
}

func direntType(t byte) fs.FileMode {
	switch t {
	case syscall.DT_DIR:
		return fs.ModeDir
	case syscall.DT_LNK:
		return fs.ModeSymlink
	case syscall.DT_FIFO:
		return fs.ModeNamedPipe
	case syscall.DT_SOCK:
		return fs.ModeSocket
	case syscall.DT_CHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case syscall.DT_BLK:
		return fs.ModeDevice
	}
	return 0
}

// An entry is one name in a folder's listing.
type entry struct {
	dir, name string
	typ       fs.FileMode
}

func (e *entry) Name() string               { return e.name }
func (e *entry) IsDir() bool                { return e.typ.IsDir() }
func (e *entry) Type() fs.FileMode          { return e.typ }
func (e *entry) Info() (fs.FileInfo, error) { return os.Lstat(e.dir + "/" + e.name) }
func (e *entry) String() string             { return fs.FormatDirEntry(e) }

// A file is an open file or folder.
type file struct {
	fd         int
	name, path string
	// list holds a folder's entries not yet returned by ReadDir.
	list   []fs.DirEntry
	listed bool
}

func (f *file) Read(b []byte) (int, error) {
	if f.fd < 0 {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: fs.ErrClosed}
	}
	if len(b) == 0 {
		return 0, nil
	}
	n, err := read(f.fd, b)
	switch {
	case err != nil:
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

func (f *file) Close() error {
	if f.fd < 0 {
		return &fs.PathError{Op: "close", Path: f.name, Err: fs.ErrClosed}
	}
	err := syscall.Close(f.fd)
	f.fd = -1
	if err != nil {
		return &fs.PathError{Op: "close", Path: f.name, Err: err}
	}
	return nil
}

func (f *file) Stat() (fs.FileInfo, error) {
	if f.fd < 0 {
		return nil, &fs.PathError{Op: "stat", Path: f.name, Err: fs.ErrClosed}
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(f.fd, &st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: f.name, Err: err}
	}
	name := f.path[strings.LastIndexByte(f.path, '/')+1:]
	return &info{name: name, st: st}, nil
}

// ReadDir lists an open folder as fs.ReadDirFile does.
func (f *file) ReadDir(n int) ([]fs.DirEntry, error) {
	if f.fd < 0 {
		return nil, &fs.PathError{Op: "readdirent", Path: f.name, Err: fs.ErrClosed}
	}
	if !f.listed {
		list, err := entries(f.fd, f.path)
		if err != nil {
			return nil, &fs.PathError{Op: "readdirent", Path: f.name, Err: err}
		}
		f.list, f.listed = list, true
	}
	if n <= 0 {
		out := f.list
		f.list = nil
		return out, nil
	}
	if len(f.list) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(f.list))
	out := f.list[:n:n]
	f.list = f.list[n:]
	return out, nil
}

// info is a file's fs.FileInfo, from fstat.
type info struct {
	name string
	st   syscall.Stat_t
}

func (i *info) Name() string       { return i.name }
func (i *info) Size() int64        { return i.st.Size }
func (i *info) IsDir() bool        { return i.Mode().IsDir() }
func (i *info) ModTime() time.Time { return time.Unix(i.st.Mtim.Unix()) }
func (i *info) Sys() any           { return &i.st }

func (i *info) Mode() fs.FileMode {
	m := fs.FileMode(i.st.Mode & 0o777)
	switch i.st.Mode & syscall.S_IFMT {
	case syscall.S_IFDIR:
		m |= fs.ModeDir
	case syscall.S_IFLNK:
		m |= fs.ModeSymlink
	case syscall.S_IFIFO:
		m |= fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		m |= fs.ModeSocket
	case syscall.S_IFCHR:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		m |= fs.ModeDevice
	}
	if i.st.Mode&syscall.S_ISUID != 0 {
		m |= fs.ModeSetuid
	}
	if i.st.Mode&syscall.S_ISGID != 0 {
		m |= fs.ModeSetgid
	}
	if i.st.Mode&syscall.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	return m
}
