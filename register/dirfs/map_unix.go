//go:build unix

package dirfs

import (
	"io"
	"os"
	"syscall"
)

// Map maps a file into memory read-only: reading it then costs no system
// call, and no fresh memory (the pages are the kernel's cache of the
// file). nil when it cannot; then read the file. The bytes are valid
// until Unmap: nothing may keep a slice of them past that.
func Map(f *os.File) []byte {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 || st.Size() != int64(int(st.Size())) {
		return nil
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil
	}
	return data
}

// MapFile maps the named file, or reads it where it cannot be mapped;
// mapped says which, and so whether to Unmap the bytes when done.
func MapFile(name string) (data []byte, mapped bool, err error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, false, err
	}
	defer f.Close() // a mapping outlives the descriptor
	if data := Map(f); data != nil {
		return data, true, nil
	}
	data, err = io.ReadAll(f)
	return data, false, err
}

// Unmap unmaps what Map mapped; nil is nothing to unmap.
func Unmap(data []byte) error {
	if data == nil {
		return nil
	}
	return syscall.Munmap(data)
}
