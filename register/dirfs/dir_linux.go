//go:build linux

package dirfs

import (
	"io"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

type dir struct {
	fd   int
	path string
}

func openDir(path string) (dir, error) {
	for {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return dir{fd: -1}, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return dir{fd: fd, path: path}, nil
	}
}

func (d *dir) writeFile(name string, data []byte, perm fs.FileMode) error {
	fail := func(op string, err error) error {
		return &fs.PathError{Op: op, Path: d.path + "/" + name, Err: err}
	}
	var fd int
	var err error
	for {
		fd, err = unix.Openat(d.fd, name, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_CLOEXEC, uint32(perm.Perm()))
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return fail("open", err)
	}
	for len(data) > 0 {
		n, err := unix.Write(fd, data)
		if err == unix.EINTR {
			continue
		}
		if err == nil && n == 0 {
			err = io.ErrShortWrite
		}
		if err != nil {
			unix.Close(fd)
			return fail("write", err)
		}
		data = data[n:]
	}
	if err := unix.Close(fd); err != nil {
		return fail("close", err)
	}
	return nil
}

func (d *dir) link(name string, to *dir) error {
	if err := unix.Linkat(d.fd, name, to.fd, name, 0); err != nil {
		return &os.LinkError{Op: "link", Old: d.path + "/" + name, New: to.path + "/" + name, Err: err}
	}
	return nil
}

func (d *dir) stamp(name string) (Stamp, error) {
	var st unix.Stat_t
	for {
		err := unix.Fstatat(d.fd, name, &st, 0)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return Stamp{}, &fs.PathError{Op: "stat", Path: d.path + "/" + name, Err: err}
		}
		return Stamp{Size: st.Size, ModTime: st.Mtim.Nano()}, nil
	}
}

func (d *dir) close() error {
	if d.fd < 0 {
		return nil
	}
	err := unix.Close(d.fd)
	d.fd = -1
	return err
}
