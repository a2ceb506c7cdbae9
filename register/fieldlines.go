package register

import (
	"slices"
	"strings"
	"sync"
)

// fieldLines maps a document's field paths to the lines their keys are
// on, sorted by path. A register of ten thousand cases holds half a
// million of them, so they are kept compact: one slice per document
// rather than a map, and the paths, which repeat from case to case,
// shared.
type fieldLines []fieldLine

type fieldLine struct {
	path string
	line int
}

// newFieldLines returns the lines of m in compact form.
func newFieldLines(m map[string]int) fieldLines {
	out := make(fieldLines, 0, len(m))
	for p, l := range m {
		out = append(out, fieldLine{intern(p), l})
	}
	slices.SortFunc(out, func(a, b fieldLine) int { return strings.Compare(a.path, b.path) })
	return out
}

// get returns the line of a field path.
func (fl fieldLines) get(path string) (int, bool) {
	i, ok := slices.BinarySearchFunc(fl, path, func(e fieldLine, p string) int { return strings.Compare(e.path, p) })
	if !ok {
		return 0, false
	}
	return fl[i].line, true
}

// interned holds the field paths seen so far. It is bounded, so hostile
// files with endless distinct paths cannot grow it without limit: past
// the bound a path is simply not shared.
var (
	internMu sync.RWMutex
	interned = map[string]string{}
)

const maxInterned = 1 << 16

// internBytes is intern of string(b), without making the string when
// it is already shared (a cached register decodes half a million).
func internBytes(b []byte) string {
	internMu.RLock()
	v, ok := interned[string(b)]
	internMu.RUnlock()
	if ok {
		return v
	}
	return intern(string(b))
}

func intern(s string) string {
	internMu.RLock()
	v, ok := interned[s]
	internMu.RUnlock()
	if ok {
		return v
	}
	internMu.Lock()
	defer internMu.Unlock()
	if v, ok := interned[s]; ok {
		return v
	}
	if len(interned) < maxInterned && len(s) <= 64 {
		interned[s] = s
	}
	return s
}
