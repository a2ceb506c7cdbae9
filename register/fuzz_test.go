package register

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/adrg/frontmatter"
	"gopkg.in/yaml.v3"
)

// addSeeds adds the files of testdata matching the patterns to f's seed
// corpus.
func addSeeds(f *testing.F, patterns ...string) {
	for _, p := range patterns {
		files, err := filepath.Glob(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			// Large seeds make every mutation slow and their
			// minimisation take the whole fuzzing time.
			if len(data) <= 16<<10 {
				f.Add(data)
			}
		}
	}
}

// checkLines fails if a finding points past the end of data.
func checkLines(t *testing.T, data []byte, err error) {
	t.Helper()
	fs, ok := err.(Findings)
	if !ok {
		t.Fatalf("error is %T, not Findings: %v", err, err)
	}
	if len(fs) == 0 {
		t.Fatal("failed with no findings")
	}
	lines := bytes.Count(data, []byte("\n")) + 1
	for _, f := range fs {
		if f.Line < 0 || f.Line > lines {
			t.Errorf("finding on line %d of a %d-line file: %s", f.Line, lines, f.Message)
		}
		if f.Message == "" {
			t.Errorf("finding on line %d has no message", f.Line)
		}
	}
}

// fuzzRegister is a register holding just the fuzzed case or minutes,
// with the test people and the built-in workflow.
func fuzzRegister(t *testing.T, c *Case, m *Minutes) *Register {
	r := &Register{
		Settings: DefaultSettings(),
		People:   testPeople(t),
		Workflow: DefaultWorkflow(),
		Paths:    map[string]string{},
		Evidence: map[string][]string{},
		cases:    map[string]*Case{},
		minutes:  map[string]*Minutes{},
	}
	if c != nil {
		c.Path = "cases/2026/INC-2026-0100/case.md"
		r.Cases = []*Case{c}
		r.cases[c.ID] = c
		r.Evidence[c.ID] = []string{"E01-seat.pgp"}
	}
	if m != nil {
		m.ID = "2026-12-01"
		m.Path = "minutes/2026/2026-12-01.md"
		r.Minutes = []*Minutes{m}
		r.minutes[m.ID] = m
	}
	return r
}

// checkFindingLines fails if a checker finding about the file at p
// points past its end.
func checkFindingLines(t *testing.T, data []byte, p string, fs Findings) {
	t.Helper()
	lines := bytes.Count(data, []byte("\n")) + 1
	for _, f := range fs {
		if f.Path == p && (f.Line < 0 || f.Line > lines) {
			t.Errorf("check finding on line %d of a %d-line file: %s", f.Line, lines, f.Message)
		}
	}
}

func FuzzParseCase(f *testing.F) {
	addSeeds(f, "testdata/malformed/case-*.md", "testdata/base/cases/*/*/case.md")
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCase(bytes.NewReader(data))
		if err != nil {
			if c != nil {
				t.Error("a case and an error")
			}
			checkLines(t, data, err)
			return
		}
		for field, l := range c.doc.Lines.all() {
			if l < 1 || l > bytes.Count(data, []byte("\n"))+1 {
				t.Errorf("field %s on line %d, outside the file", field, l)
			}
		}
		if c.BodyLine() < 1 || len(c.Body()) > len(data) {
			t.Errorf("body line %d, body %d bytes of %d", c.BodyLine(), len(c.Body()), len(data))
		}
		sameAsYAMLv3(t, data, c)
		cached := new(Case)
		if err := decodeCached(encodeCached(reflect.ValueOf(c).Elem(), c.doc, 0), reflect.ValueOf(cached).Elem(), &cached.doc); err != nil || !reflect.DeepEqual(cached, c) {
			t.Errorf("the parse cache does not give back the parsed case (%v)", err)
		}
		r := fuzzRegister(t, c, nil)
		fs := r.Check(context.Background(), CheckOptions{})
		checkFindingLines(t, data, c.Path, fs)
		_ = DefaultWorkflow().StateMissing(c, r.Env())
	})
}

func FuzzParseMinutes(f *testing.F) {
	addSeeds(f, "testdata/malformed/minutes-*.md", "testdata/base/minutes/*/*.md")
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMinutes(bytes.NewReader(data))
		if err != nil {
			if m != nil {
				t.Error("minutes and an error")
			}
			checkLines(t, data, err)
			return
		}
		for field, l := range m.doc.Lines.all() {
			if l < 1 || l > bytes.Count(data, []byte("\n"))+1 {
				t.Errorf("field %s on line %d, outside the file", field, l)
			}
		}
		r := fuzzRegister(t, nil, m)
		fs := r.Check(context.Background(), CheckOptions{})
		checkFindingLines(t, data, m.Path, fs)
	})
}

// sameAsYAMLv3 checks the one-pass decoder against yaml.v3's own Decode
// of the same front matter: what the checker accepts, it reads exactly
// as yaml.v3 would.
func sameAsYAMLv3(t *testing.T, data []byte, c *Case) {
	t.Helper()
	want := new(Case)
	strict := frontmatter.NewFormat("---", "---", yaml.Unmarshal)
	if _, err := frontmatter.MustParse(bytes.NewReader(data), want, strict); err != nil {
		t.Fatalf("yaml.v3 refuses what the parser accepted: %v", err)
	}
	got := *c
	got.doc, got.Path = nil, ""
	if !reflect.DeepEqual(&got, want) {
		t.Errorf("decoded case differs from yaml.v3's:\n got %+v\nwant %+v", got, *want)
	}
}

// The one-pass decoder reads the valid files of testdata as yaml.v3
// does.
func TestDecodeMatchesYAMLv3(t *testing.T) {
	files, _ := filepath.Glob("testdata/base/cases/*/*/case.md")
	dir := t.TempDir()
	if err := writeBenchRegister(dir, 60, 3, 3); err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join(dir, "cases/*/*/case.md"))
	for _, f := range append(files, more...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParseCase(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		sameAsYAMLv3(t, data, c)
	}
}

// FuzzParseCacheEntry: whatever bytes a cache entry holds, decoding it
// fails cleanly or gives a value, never a panic or a huge allocation.
func FuzzParseCacheEntry(f *testing.F) {
	for _, p := range []string{"testdata/base/cases/2026/INC-2026-0001/case.md"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		c, fs := parseCase(data)
		if fs != nil {
			f.Fatal(fs)
		}
		f.Add(encodeCached(reflect.ValueOf(c).Elem(), c.doc, 0))
	}
	f.Fuzz(func(t *testing.T, enc []byte) {
		c := new(Case)
		_ = decodeCached(enc, reflect.ValueOf(c).Elem(), &c.doc)
		m := new(Minutes)
		_ = decodeCached(enc, reflect.ValueOf(m).Elem(), &m.doc)
	})
}
