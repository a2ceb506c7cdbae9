package register

import (
	"fmt"
	"maps"
	"strings"
	"testing"
)

// TestFieldLinesPastTheTable: paths the shared table does not hold (too
// long, or past its bound) are still found, and listed.
func TestFieldLinesPastTheTable(t *testing.T) {
	long := "breach." + strings.Repeat("x", maxPathLen)
	m := map[string]int{"id": 2, "title": 3, long: 9}
	for i := range 5 {
		m[fmt.Sprintf("updates[%d].note", i)] = 10 + i
	}
	fl := newFieldLines(m)
	if fl.size() != len(m) {
		t.Fatalf("size %d, want %d", fl.size(), len(m))
	}
	for p, want := range m {
		if got, ok := fl.get(p); !ok || got != want {
			t.Errorf("get(%q) = %d, %v; want %d", p, got, ok, want)
		}
	}
	if _, ok := fl.get("severity"); ok {
		t.Error("a path never given has a line")
	}
	if _, ok := fl.other[long]; !ok {
		t.Error("a path longer than the table takes is not kept apart")
	}
	got := map[string]int{}
	for p, l := range fl.all() {
		if _, dup := got[p]; dup {
			t.Errorf("all yields %q twice", p)
		}
		got[p] = l
	}
	if !maps.Equal(got, m) {
		t.Errorf("all yields %v, want %v", got, m)
	}
}

// newFieldLines returns the lines of m in compact form.
func newFieldLines(m map[string]int) fieldLines {
	fl := fieldLines{known: make([]fieldLine, 0, len(m))}
	for p, l := range m {
		fl.add(p, l)
	}
	fl.sorted()
	return fl
}
