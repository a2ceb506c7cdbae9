//go:build !linux

package dirfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

type dir struct{ path string }

func openDir(path string) (dir, error) {
	st, err := os.Stat(path)
	if err == nil && !st.IsDir() {
		err = &fs.PathError{Op: "open", Path: path, Err: errNotDir}
	}
	return dir{path}, err
}

var errNotDir = errors.New("not a directory")

func (d *dir) writeFile(name string, data []byte, perm fs.FileMode) error {
	return os.WriteFile(filepath.Join(d.path, name), data, perm)
}

func (d *dir) link(name string, to *dir) error {
	return os.Link(filepath.Join(d.path, name), filepath.Join(to.path, name))
}

func (d *dir) stamp(name string) (Stamp, error) {
	st, err := os.Stat(filepath.Join(d.path, filepath.FromSlash(name)))
	if err != nil {
		return Stamp{}, err
	}
	return Stamp{Size: st.Size(), ModTime: st.ModTime().UnixNano()}, nil
}

func (d *dir) close() error { return nil }
