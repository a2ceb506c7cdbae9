//go:build unix

package history

import (
	"os"
	"syscall"
)

// mapFile maps a pack file into memory read-only, so reading an object
// costs no system call; nil when it cannot.
func mapFile(f *os.File) []byte {
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

func unmapFile(data []byte) error {
	if data == nil {
		return nil
	}
	return syscall.Munmap(data)
}
