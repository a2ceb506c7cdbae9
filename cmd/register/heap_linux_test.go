package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestHugeHeap checks that what the process allocates after hugeHeap
// lies in memory marked for huge pages, as /proc/self/smaps says.
func TestHugeHeap(t *testing.T) {
	if hugeHeap(64<<20, "madvdontneed=1, disablethp=1") {
		t.Fatal("hugeHeap marked the heap although GODEBUG says disablethp=1")
	}
	// Under a limit of address space, however large, it allocates
	// nothing.
	var as unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_AS, &as); err != nil {
		t.Fatal(err)
	}
	if as.Cur == unix.RLIM_INFINITY {
		limited := as
		limited.Cur = 1 << 44
		if err := unix.Setrlimit(unix.RLIMIT_AS, &limited); err != nil {
			t.Fatal(err)
		}
		marked := hugeHeap(64<<20, "")
		if err := unix.Setrlimit(unix.RLIMIT_AS, &as); err != nil {
			t.Fatal(err)
		}
		if marked {
			t.Error("hugeHeap marked the heap under a limit of address space")
		}
	}
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage"); err != nil {
		t.Skip("this system has no transparent huge pages")
	}
	if !hugeHeap(64<<20, "") {
		t.Fatal("hugeHeap did not mark the heap")
	}
	// The runtime fills the free pages below the marked block first: a
	// block allocated now lies mostly, not wholly, in the marked range.
	const size = 16 << 20
	b := make([]byte, size)
	lo := uintptr(unsafe.Pointer(&b[0]))
	marked, err := hugeBytes(lo, lo+size)
	if err != nil {
		t.Fatal(err)
	}
	if marked < size*3/4 {
		t.Errorf("of a block of %d bytes allocated after hugeHeap, %d lie in memory marked for huge pages", size, marked)
	}
}

// hugeBytes returns how many bytes of the addresses [lo, hi) lie in
// mappings marked for huge pages (VmFlags hg in /proc/self/smaps).
func hugeBytes(lo, hi uintptr) (uintptr, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var n, overlap uintptr
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		var start, end uintptr
		if k, _ := fmt.Sscanf(line, "%x-%x ", &start, &end); k == 2 {
			overlap = 0
			if start < hi && lo < end {
				overlap = min(end, hi) - max(start, lo)
			}
			continue
		}
		if flags, ok := strings.CutPrefix(line, "VmFlags:"); ok && strings.Contains(flags+" ", " hg ") {
			n += overlap
		}
	}
	return n, s.Err()
}
