package site

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// cacheOf builds the small register with a cache and returns the
// cache's folder.
func cacheOf(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cache")
	pages, nav := ITPARG()
	opts := Options{Now: testNow, Pages: pages, Nav: nav, CacheDir: dir}
	if err := Build(context.Background(), Input{Dir: "testdata/reg", History: fixtureHistory()}, filepath.Join(t.TempDir(), "public"), opts); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCacheFileRoundTrip: what is written is read back the same,
// cases, minutes and fragments.
func TestCacheFileRoundTrip(t *testing.T) {
	dir := cacheOf(t)
	env, docs, err := readCacheFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	var cases, minutes, frags int
	for _, d := range docs {
		switch {
		case d.Minutes != nil:
			minutes++
		case len(d.Case) > 0:
			cases++
		}
		if d.Frag != nil && len(d.Frag.Row) > 0 {
			frags++
		}
	}
	if cases == 0 || minutes == 0 || frags == 0 {
		t.Fatalf("the cache holds %d cases, %d minutes, %d with fragments", cases, minutes, frags)
	}
	again := t.TempDir()
	if _, err := writeCacheFile(again, env.Env, docs); err != nil {
		t.Fatal(err)
	}
	env2, docs2, err := readCacheFile(again)
	if err != nil {
		t.Fatal(err)
	}
	if env2.Env != env.Env || env2.Gen == env.Gen || !reflect.DeepEqual(docs2, docs) {
		t.Error("the cache read back differs from what was written")
	}
}

// TestReadCacheFile: the entries read are those of the cache file's
// bytes with the late fragments file's records attached, and a case
// decoded from them holds its values once the bytes are overwritten.
func TestReadCacheFile(t *testing.T) {
	dir := cacheOf(t)
	data, err := os.ReadFile(filepath.Join(dir, cacheFile))
	if err != nil {
		t.Fatal(err)
	}
	head, want, err := parseCacheFile(bytes.Clone(data))
	if err != nil {
		t.Fatal(err)
	}
	late, err := os.ReadFile(filepath.Join(dir, lateFile))
	if err != nil {
		t.Fatal(err)
	}
	recs, _, ok := lateRecords(late, head.Gen)
	if !ok || len(recs) == 0 {
		t.Fatal("the build kept no late fragments")
	}
	attachLate(want, recs)
	_, docs, err := readCacheFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != len(want) {
		t.Fatalf("read %d entries, want %d", len(docs), len(want))
	}
	for p, d := range docs {
		w := want[p]
		if w == nil || !bytes.Equal(d.Case, w.Case) || !bytes.Equal(d.Summary, w.Summary) || !reflect.DeepEqual(d.Frag, w.Frag) {
			t.Errorf("%s: the entry read differs from the file's", p)
		}
	}
	// What decoding keeps is its own: a case decoded from bytes since
	// overwritten reads as one decoded from a copy.
	for p, w := range want {
		if w.Minutes != nil {
			continue
		}
		d := &cachedCase{Case: bytes.Clone(w.Case), Summary: bytes.Clone(w.Summary)}
		c, err := d.value()
		s, _, serr := d.take(p)
		if err != nil || serr != nil {
			t.Fatal(err, serr)
		}
		clear(d.Case)
		clear(d.Summary)
		wc, _ := w.value()
		ws, _, _ := w.take(p)
		if !reflect.DeepEqual(c, wc) || !reflect.DeepEqual(s, ws) {
			t.Errorf("%s: a decoded case changes with the bytes it was decoded from", p)
		}
	}
}

// TestCacheFileDamaged: a cut or changed byte anywhere makes the file
// unreadable, never half read; the build then works from the files.
func TestCacheFileDamaged(t *testing.T) {
	dir := cacheOf(t)
	good, err := os.ReadFile(filepath.Join(dir, cacheFile))
	if err != nil {
		t.Fatal(err)
	}
	step := max(1, len(good)/300)
	for i := 0; i < len(good); i += step {
		for _, bad := range [][]byte{good[:i], flip(good, i)} {
			if err := os.WriteFile(filepath.Join(dir, cacheFile), bad, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, _, err := readCacheFile(dir); err == nil {
				t.Fatalf("a cache damaged at byte %d of %d was read", i, len(good))
			}
		}
	}
	// The build with a damaged cache is the build without one.
	os.WriteFile(filepath.Join(dir, cacheFile), flip(good, len(good)/2), 0o644)
	pages, nav := ITPARG()
	with := filepath.Join(t.TempDir(), "public")
	if err := Build(context.Background(), Input{Dir: "testdata/reg", History: fixtureHistory()}, with, Options{Now: testNow, Pages: pages, Nav: nav, CacheDir: dir}); err != nil {
		t.Fatal(err)
	}
	without := filepath.Join(t.TempDir(), "public")
	if err := Build(context.Background(), Input{Dir: "testdata/reg", History: fixtureHistory()}, without, Options{Now: testNow, Pages: pages, Nav: nav}); err != nil {
		t.Fatal(err)
	}
	if a, b := snapshot(t, with), snapshot(t, without); a != b {
		t.Errorf("the build with a damaged cache differs:\n%s", diffLines(a, b))
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x40
	return c
}

// FuzzCacheFile: whatever the file holds (its checksum made right, so
// the reader looks inside), reading it returns an error or entries,
// never panics.
func FuzzCacheFile(f *testing.F) {
	f.Add([]byte(cacheMagic()))
	f.Add(append([]byte(cacheMagic()), 3, 1, 'x', 0))
	f.Fuzz(func(t *testing.T, body []byte) {
		parseCacheFile(binary.BigEndian.AppendUint32(bytes.Clone(body), crc32.Checksum(body, castagnoli)))
	})
}
