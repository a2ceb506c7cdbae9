package site

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestLateFile: fragments appended are read back in order, for the
// generation they were written for only, and attached to the entries of
// the same path and sum (the last of a name winning).
func TestLateFile(t *testing.T) {
	dir := t.TempDir()
	first := []lateFragment{{"cases/a", "s1", "breach-section", []byte("one")}, {"cases/b", "s2", "breach-section", []byte("two")}}
	again := []lateFragment{{"cases/a", "s1", "breach-section", []byte("three")}}
	var known os.FileInfo // the second append goes to the file as the first left it, unread
	for _, frags := range [][]lateFragment{first, again} {
		var err error
		if known, err = appendLate(dir, "g1", frags, known); err != nil {
			t.Fatal(err)
		}
	}
	data := readLateFile(t, dir)
	recs, end, ok := lateRecords(data, "g1")
	if !ok || end != len(data) || !reflect.DeepEqual(recs, append(append([]lateFragment(nil), first...), again...)) {
		t.Fatalf("read back %v (end %d of %d, ok %v)", recs, end, len(data), ok)
	}
	docs := map[string]*cachedCase{"cases/a": {Sum: "s1", Frag: &fragments{}}, "cases/b": {Sum: "changed", Frag: &fragments{}}}
	attachLate(docs, recs)
	if got := string(docs["cases/a"].Frag.More["breach-section"]); got != "three" || docs["cases/b"].Frag.More != nil {
		t.Errorf("attached %q to a, %v to b (whose file changed)", got, docs["cases/b"].Frag.More)
	}
	if _, _, ok := lateRecords(data, "g2"); ok {
		t.Error("fragments of another generation were read")
	}
	if _, err := appendLate(dir, "g2", again, nil); err != nil {
		t.Fatal(err)
	}
	if recs, _, ok := lateRecords(readLateFile(t, dir), "g2"); !ok || !reflect.DeepEqual(recs, again) {
		t.Errorf("a new generation's file holds %v", recs)
	}
	if _, err := appendLate(dir, "", again, nil); err == nil {
		t.Error("fragments were kept without a cache file")
	}
}

// TestLateFileDamaged: a file cut or changed anywhere gives the records
// before the damage, never an error or a panic; the next append drops
// what follows the damage, so its own records can be read.
func TestLateFileDamaged(t *testing.T) {
	dir := t.TempDir()
	frags := []lateFragment{{"cases/a", "s1", "x", []byte("one")}, {"cases/b", "s2", "x", []byte("two")}, {"cases/c", "s3", "x", []byte("three")}}
	if _, err := appendLate(dir, "g", frags, nil); err != nil {
		t.Fatal(err)
	}
	good := readLateFile(t, dir)
	more := lateFragment{"cases/d", "s4", "x", []byte("four")}
	head := len(lateHead("g"))
	for i := range len(good) {
		for _, bad := range [][]byte{good[:i], flip(good, i)} {
			recs, _, ok := lateRecords(bad, "g")
			if i < head {
				if ok {
					t.Fatalf("a head damaged at byte %d was read", i)
				}
				continue
			}
			if !ok || len(recs) > len(frags) || len(recs) > 0 && !reflect.DeepEqual(recs, frags[:len(recs)]) {
				t.Fatalf("damaged at byte %d: read %v", i, recs)
			}
			if err := os.WriteFile(filepath.Join(dir, lateFile), bad, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := appendLate(dir, "g", []lateFragment{more}, nil); err != nil {
				t.Fatal(err)
			}
			after, end, ok := lateRecords(readLateFile(t, dir), "g")
			if want := append(append([]lateFragment(nil), recs...), more); !ok || !reflect.DeepEqual(after, want) || end == 0 {
				t.Fatalf("damaged at byte %d, then appended to: read %v, want %v", i, after, want)
			}
		}
	}
}

func readLateFile(t *testing.T, dir string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, lateFile))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Clone(data)
}
