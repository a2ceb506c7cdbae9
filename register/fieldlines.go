package register

import (
	"cmp"
	"iter"
	"slices"
	"sync"
)

// fieldLines maps a document's field paths to the lines their keys are
// on. A register of ten thousand cases holds half a million of them, so
// they are kept compact and free of pointers, which the garbage collector
// then never looks into: a path is a number in one table of the paths
// seen so far (they repeat from case to case), and a document keeps a
// sorted slice of number and line. The table is bounded, so hostile files
// with endless distinct paths cannot grow it without limit: a path past
// the bound, or a long one, stays in the document's own map.
type fieldLines struct {
	known []fieldLine // sorted by path number
	other map[string]int
}

type fieldLine struct{ path, line uint32 }

var (
	pathsMu sync.RWMutex
	pathNum = map[string]uint32{}
	paths   []string
)

const (
	maxPaths   = 1 << 16
	maxPathLen = 64
)

// pathNumber returns the number of a path, numbering it if the table has
// room; ok is false for a path the table does not hold.
func pathNumber[P ~string | ~[]byte](b P) (n uint32, ok bool) {
	pathsMu.RLock()
	n, ok = pathNum[string(b)]
	pathsMu.RUnlock()
	if ok || len(b) > maxPathLen {
		return n, ok
	}
	pathsMu.Lock()
	defer pathsMu.Unlock()
	if n, ok := pathNum[string(b)]; ok {
		return n, true
	}
	if len(paths) >= maxPaths {
		return 0, false
	}
	s := string(b)
	n = uint32(len(paths))
	paths = append(paths, s)
	pathNum[s] = n
	return n, true
}

// add records a path's line; sorted fixes the order once all are added.
// It reports false for a path the document's own map holds already
// (once finds those in the table).
func (fl *fieldLines) add(path string, line int) bool { return addLine(fl, path, line) }

// addLine is add for a path as a string or as bytes (which a cache entry
// is read as), without copying it.
func addLine[P ~string | ~[]byte](fl *fieldLines, path P, line int) bool {
	if n, ok := pathNumber(path); ok {
		fl.known = append(fl.known, fieldLine{n, uint32(line)})
		return true
	}
	if fl.other == nil {
		fl.other = map[string]int{}
	}
	if _, dup := fl.other[string(path)]; dup {
		return false
	}
	fl.other[string(path)] = line
	return true
}

func (fl *fieldLines) sorted() {
	slices.SortFunc(fl.known, func(a, b fieldLine) int { return cmp.Compare(a.path, b.path) })
}

// at returns the line of a field path, or 0.
func (fl fieldLines) at(path string) int {
	l, _ := fl.get(path)
	return l
}

// get returns the line of a field path.
func (fl fieldLines) get(path string) (int, bool) {
	pathsMu.RLock()
	n, ok := pathNum[path]
	pathsMu.RUnlock()
	if ok {
		if i, found := slices.BinarySearchFunc(fl.known, n, func(e fieldLine, n uint32) int { return cmp.Compare(e.path, n) }); found {
			return int(fl.known[i].line), true
		}
	}
	l, ok := fl.other[path]
	return l, ok
}

// all yields every path and its line, in no set order.
func (fl fieldLines) all() iter.Seq2[string, int] {
	return func(yield func(string, int) bool) {
		pathsMu.RLock()
		names := paths // appended to, never changed: a prefix stays valid
		pathsMu.RUnlock()
		for _, e := range fl.known {
			if !yield(names[e.path], int(e.line)) {
				return
			}
		}
		for p, l := range fl.other {
			if !yield(p, l) {
				return
			}
		}
	}
}

// once reports whether no path is given twice; it needs sorted.
func (fl fieldLines) once() bool {
	for i := 1; i < len(fl.known); i++ {
		if fl.known[i].path == fl.known[i-1].path {
			return false
		}
	}
	return true
}

// size is the number of paths.
func (fl fieldLines) size() int { return len(fl.known) + len(fl.other) }
