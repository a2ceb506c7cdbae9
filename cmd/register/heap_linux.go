package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"golang.org/x/sys/unix"
)

// hugeHeapSize is how much of the heap hugeHeap asks to be backed by
// huge pages: the heap a build is held to (buildMemoryLimit), plus room
// for what the collector has not yet freed.
const hugeHeapSize = 256 << 20

// hugeHeap asks Linux to back the first size bytes of the heap with
// transparent huge pages, unless godebug (the GODEBUG variable) says
// disablethp=1, Go's own switch for them.
//
// Go maps its heap in ordinary pages, and Linux (with transparent huge
// pages set to "madvise", Debian's default) gives them 4 KiB at a time,
// each on its first touch. A rebuild of the 10,000-case register after
// one edit touched about 70 MB of fresh heap: 16,000 page faults, each
// dear on a virtual machine. Marked for huge pages, the same memory
// faults in 2 MiB at a time, and the rebuild took a third less time
// (0.36 s against 0.24 s, interleaved runs).
//
// The runtime cannot be asked to mark its heap, so hugeHeap allocates a
// block of size bytes, marks it, and has it collected: the runtime hands
// out the lowest free pages first, and the block is the first thing on
// the heap, so what the process allocates next lands in the marked
// range. The mark stays on the range when the runtime later returns
// pages of it to the system (it does so with madvise, never by
// unmapping). Nothing is touched: memory the process never uses costs
// nothing but address space.
//
// It reports whether it marked the block; where the system has no
// transparent huge pages the mark is refused, and nothing changes. It
// allocates nothing where the address space is limited (ulimit -v) or
// the system commits memory strictly (vm.overcommit_memory 2): there
// the untouched block counts against the limit, and a refused
// allocation is fatal in Go.
func hugeHeap(size int, godebug string) (marked bool) {
	for _, s := range strings.Split(godebug, ",") {
		if strings.TrimSpace(s) == "disablethp=1" {
			return false
		}
	}
	var as unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_AS, &as) != nil || as.Cur != unix.RLIM_INFINITY {
		return false
	}
	if mode, err := os.ReadFile("/proc/sys/vm/overcommit_memory"); err != nil || strings.TrimSpace(string(mode)) == "2" {
		return false
	}
	// One collection, not two: the block would start one of its own.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	func() {
		block := make([]byte, size)
		marked = unix.Madvise(block, unix.MADV_HUGEPAGE) == nil
	}()
	runtime.GC()
	return marked
}
