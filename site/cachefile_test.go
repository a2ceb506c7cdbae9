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

	"github.com/council/register/register"
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
	env, docs, release, err := readCacheFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer release(false)
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
	env2, docs2, release2, err := readCacheFile(again)
	if err != nil {
		t.Fatal(err)
	}
	defer release2(false)
	if env2.Env != env.Env || env2.Gen == env.Gen || !reflect.DeepEqual(docs2, docs) {
		t.Error("the cache read back differs from what was written")
	}
}

// TestCacheFileReleased: cases, summaries and fragments are read from
// the mapped file (and the late fragments from theirs); once it is released (unmapped) keeping them, what was
// decoded and every entry, decoded or not, still hold their values,
// equal to those read from a private copy. (A value left pointing into
// the file would crash here.)
func TestCacheFileReleased(t *testing.T) {
	dir := cacheOf(t)
	data, err := os.ReadFile(filepath.Join(dir, cacheFile))
	if err != nil {
		t.Fatal(err)
	}
	head, want, err := parseCacheFile(data)
	if err != nil {
		t.Fatal(err)
	}
	// The late fragments too, from a private copy.
	late, err := os.ReadFile(filepath.Join(dir, lateFile))
	if err != nil {
		t.Fatal(err)
	}
	recs, _, ok := lateRecords(late, head.Gen)
	if !ok || len(recs) == 0 {
		t.Fatal("the build kept no late fragments")
	}
	attachLate(want, recs)
	_, docs, release, err := readCacheFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]register.Case{}
	summaries := map[string]*register.Case{}
	half := 0
	for p, d := range docs {
		if d.Minutes != nil {
			continue
		}
		if half++; half%2 == 0 {
			continue // left encoded: release copies it out
		}
		if got[p], err = d.value(); err != nil {
			t.Fatal(err)
		}
		if summaries[p], _, err = d.take(p); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) == 0 {
		t.Fatal("no case in the cache")
	}
	release(true)
	for p, d := range docs {
		w := want[p]
		if c, ok := got[p]; ok {
			wc, err := w.value()
			ws, _, serr := w.take(p)
			if err != nil || serr != nil || !reflect.DeepEqual(c, wc) || !reflect.DeepEqual(summaries[p], ws) {
				t.Errorf("%s: decoded from the mapped file, it differs after release (%v, %v)", p, err, serr)
			}
		}
		if !bytes.Equal(d.Case, w.Case) || !bytes.Equal(d.Summary, w.Summary) || !reflect.DeepEqual(d.Frag, w.Frag) {
			t.Errorf("%s: the entry differs after release", p)
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
			if _, _, _, err := readCacheFile(dir); err == nil {
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
