package register

import (
	"bytes"
	"context"
	"encoding/gob"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

// loadCached loads fsys with a parse cache read from file and saves it,
// returning the register, its load findings and how many files the run
// parsed (rather than took from the cache).
func loadCached(t *testing.T, fsys fstest.MapFS, file, salt string) (*Register, Findings, int) {
	t.Helper()
	c := OpenParseCache(file, salt)
	r, found, err := LoadWith(context.Background(), fsys, LoadOptions{Cache: c})
	if err != nil {
		t.Fatal(err)
	}
	parsed := c.added
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	return r, found, parsed
}

// benchFS is a register from the benchmark's generator, in memory.
func benchFS(t *testing.T, cases int) fstest.MapFS {
	t.Helper()
	dir := t.TempDir()
	if err := writeBenchRegister(dir, cases, cases/40+1, 3); err != nil {
		t.Fatal(err)
	}
	m := fstest.MapFS{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		m[filepath.ToSlash(rel)] = mapFile(string(data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestParseCacheRoundTrip: a register loaded from the cache is deeply
// equal to the one parsed, field by field, line by line, byte by byte of
// narrative, for every kind of case and minutes the generators write.
func TestParseCacheRoundTrip(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{"base": baseRegister(t), "generated": benchFS(t, 400)} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "cache")
			plain, plainFound, err := Load(context.Background(), fsys)
			if err != nil {
				t.Fatal(err)
			}
			cold, coldFound, parsed := loadCached(t, fsys, file, "a")
			if want := len(plain.Cases) + len(plain.Minutes); parsed != want || want == 0 {
				t.Fatalf("cold run parsed %d files; want all %d", parsed, want)
			}
			warm, warmFound, parsed := loadCached(t, fsys, file, "a")
			if parsed != 0 {
				t.Fatalf("warm run parsed %d files; want none", parsed)
			}
			for _, r := range []*Register{cold, warm} {
				if !reflect.DeepEqual(r.Cases, plain.Cases) {
					t.Fatalf("cases from the cache differ from the parsed ones:\n%s", firstDiff(r.Cases, plain.Cases))
				}
				if !reflect.DeepEqual(r.Minutes, plain.Minutes) {
					t.Fatal("minutes from the cache differ from the parsed ones")
				}
			}
			if !slices.Equal(coldFound, plainFound) || !slices.Equal(warmFound, plainFound) {
				t.Fatalf("findings differ: plain %v, cold %v, warm %v", plainFound, coldFound, warmFound)
			}
		})
	}
}

// firstDiff names the first case that differs, to make a failure
// readable.
func firstDiff(got, want []*Case) string {
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			return "first differing case: " + want[i].Path
		}
	}
	return "the lists have different lengths"
}

// TestParseCacheMalformed runs the malformed corpus twice through one
// cache: the second run, which takes every file that parsed from the
// cache, reports exactly the expected findings with their lines.
func TestParseCacheMalformed(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cache")
	for run := range 2 {
		for _, m := range readMalformed(t) {
			fsys := baseRegister(t)
			for _, p := range m.remove {
				delete(fsys, p)
			}
			for _, p := range m.touch {
				fsys[p] = mapFile("placeholder")
			}
			fsys[m.place] = &fstest.MapFile{Data: m.data, Mode: 0o644}
			r, found, parsed := loadCached(t, fsys, file, "a")
			if run == 1 && parsed > 1 {
				t.Errorf("%s: warm run parsed %d files", m.name, parsed)
			}
			if r != nil {
				found = append(found, r.Check(context.Background(), CheckOptions{FS: fsys})...)
			}
			found.Sort()
			var got []string
			for _, f := range found {
				got = append(got, f.String())
			}
			if !slices.Equal(got, m.want) {
				t.Errorf("run %d, %s: findings differ\n got:\n%s\nwant:\n%s", run+1, m.name, strings.Join(got, "\n"), strings.Join(m.want, "\n"))
			}
		}
	}
}

// TestParseCacheNeverStale: an edited file is parsed again, and a file
// that no longer parses is reported, not served from the cache.
func TestParseCacheNeverStale(t *testing.T) {
	fsys := baseRegister(t)
	file := filepath.Join(t.TempDir(), "cache")
	loadCached(t, fsys, file, "a")
	var p string
	for k := range fsys {
		if strings.HasSuffix(k, "case.md") {
			p = k
			break
		}
	}
	data := string(fsys[p].Data)
	fsys[p] = mapFile(strings.Replace(data, "\ntitle: ", "\ntitle: Edited - ", 1))
	r, _, parsed := loadCached(t, fsys, file, "a")
	if parsed != 1 {
		t.Fatalf("parsed %d files after editing one", parsed)
	}
	if c := r.Case(strings.Split(p, "/")[2]); c == nil || !strings.HasPrefix(c.Title, "Edited - ") {
		t.Fatalf("the edited title is not loaded: %+v", c)
	}
	fsys[p] = mapFile(strings.Replace(data, "\nstatus: ", "\nstatus: nonsense\nstatus: ", 1))
	_, found, _ := loadCached(t, fsys, file, "a")
	if len(found) == 0 {
		t.Fatal("a duplicate key went unreported with a warm cache")
	}
}

// TestParseCacheDamaged: a damaged, truncated, foreign or unwritable
// cache is ignored, never an error, and a good one is written in its
// place.
func TestParseCacheDamaged(t *testing.T) {
	fsys := baseRegister(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "cache")
	loadCached(t, fsys, file, "a")
	good, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	flip := slices.Clone(good)
	flip[len(flip)/2] ^= 0x40
	for name, data := range map[string][]byte{
		"flipped byte": flip,
		"truncated":    good[:len(good)/2],
		"empty":        {},
		"garbage":      []byte(strings.Repeat("register parse cache 1\n", 100)),
	} {
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, found, parsed := loadCached(t, fsys, file, "a")
		if len(found) != 0 || parsed != len(r.Cases)+len(r.Minutes) {
			t.Errorf("%s: %d findings, %d of %d files parsed; want all parsed afresh", name, len(found), parsed, len(r.Cases)+len(r.Minutes))
		}
		if _, _, parsed := loadCached(t, fsys, file, "a"); parsed != 0 {
			t.Errorf("%s: the cache was not rewritten whole (%d files parsed again)", name, parsed)
		}
	}
	// Another build's cache is not used.
	if _, _, parsed := loadCached(t, fsys, file, "b"); parsed == 0 {
		t.Error("a cache written by another build was used")
	}
	// A cache that cannot be written is an error for Save only.
	c := OpenParseCache(filepath.Join(file, "inside-a-file"), "a")
	if _, _, err := LoadWith(context.Background(), fsys, LoadOptions{Cache: c}); err != nil {
		t.Fatal(err)
	}
	if c.Save() == nil {
		t.Error("saving under a file succeeded")
	}
}

// TestParseCacheConcurrent: runs that load and save one cache at once
// all succeed, and the file left behind is whole.
func TestParseCacheConcurrent(t *testing.T) {
	fsys := benchFS(t, 100)
	file := filepath.Join(t.TempDir(), "cache")
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			c := OpenParseCache(file, "a")
			if _, _, err := LoadWith(context.Background(), fsys, LoadOptions{Cache: c}); err != nil {
				t.Error(err)
			}
			if err := c.Save(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if _, _, parsed := loadCached(t, fsys, file, "a"); parsed != 0 {
		t.Errorf("after concurrent runs the cache lacks %d files", parsed)
	}
	if left, _ := filepath.Glob(file + ".tmp-*"); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// TestCaseGob: a case kept with gob (as the site's build cache keeps
// them) comes back deeply equal, field lines and narrative included, so
// Has answers as before: a plain gob of the struct lost them, and the
// breaches record of a rebuild showed "–" for people affected.
func TestCaseGob(t *testing.T) {
	r, found, err := Load(context.Background(), benchFS(t, 120))
	if err != nil || len(found) > 0 {
		t.Fatal(err, found)
	}
	type holder struct {
		Case    Case
		Minutes *Minutes
	}
	breaches := 0
	for i, c := range r.Cases {
		in := holder{Case: *c, Minutes: r.Minutes[i%len(r.Minutes)]}
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(in); err != nil {
			t.Fatal(err)
		}
		var out holder
		if err := gob.NewDecoder(&buf).Decode(&out); err != nil {
			t.Fatal(err)
		}
		out.Case.Path, out.Minutes.ID, out.Minutes.Path = c.Path, in.Minutes.ID, in.Minutes.Path
		if !reflect.DeepEqual(&out.Case, c) || !reflect.DeepEqual(out.Minutes, in.Minutes) {
			t.Fatalf("%s: differs after a gob round trip", c.ID)
		}
		if c.Has("breach.people_affected") {
			breaches++
		}
	}
	if breaches == 0 {
		t.Fatal("the generated register has no breach details to test")
	}
}

// TestMinutesFieldsRoundTrip: minutes through MarshalFields keep every
// field and nothing of the file they were parsed from (no body, every
// line 1); damage is an error that leaves the minutes as they were.
func TestMinutesFieldsRoundTrip(t *testing.T) {
	r, _, err := Load(context.Background(), benchFS(t, 400))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Minutes) == 0 {
		t.Fatal("the generated register has no minutes")
	}
	for _, m := range r.Minutes {
		enc, err := m.MarshalFields()
		if err != nil {
			t.Fatal(err)
		}
		var got Minutes
		if err := got.UnmarshalFields(enc); err != nil {
			t.Fatalf("%s: %v", m.Path, err)
		}
		if got.Body() != nil || got.Line("cases") != 1 {
			t.Errorf("%s: decoded fields kept the body or the lines", m.Path)
		}
		want := *m
		want.doc, want.Path, want.ID = nil, "", "" // (whoever keeps minutes knows where they came from)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: fields differ after the round trip", m.Path)
		}
		whole, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if err := got.UnmarshalFields(whole); err == nil {
			t.Errorf("%s: UnmarshalFields took minutes with their document", m.Path)
		}
		if err := got.UnmarshalFields(enc[:len(enc)-1]); err == nil {
			t.Errorf("%s: UnmarshalFields took a cut encoding", m.Path)
		}
	}
}
