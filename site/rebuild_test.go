package site

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/council/register/register"
	"github.com/council/register/register/demo"
	"github.com/council/register/register/dirfs"
)

// TestRebuildDemo rebuilds a demo register, which has every kind of case
// (breaches, ICO decisions, evidence, updates, reviews), after edits of
// a narrative, a breach detail, a title and an impact, and after no edit at all,
// and compares each result with a build from nothing. A rebuild takes
// the unchanged cases from the build cache, where what the register's
// pages need is kept apart from the rest of each case (see Case): a page
// made from the wrong part shows here. Likewise the history read back
// from its kept form (DecodeInput), which decodes each case's events
// only for its page, must build what the history given as events does.
// Without history, with it given, with it read back; builds of one
// process each and of one resident Builder.
func TestRebuildDemo(t *testing.T) {
	for _, history := range []string{"no history", "history", "history read back"} {
		for _, resident := range []bool{false, true} {
			name := history + ", " + map[bool]string{false: "process", true: "resident"}[resident]
			t.Run(name, func(t *testing.T) { testRebuildDemo(t, history, resident) })
		}
	}
}

// testRebuildDemo: history is "no history", "history" (given as events)
// or "history read back" (by DecodeInput, as register build reads it).
func testRebuildDemo(t *testing.T, history string, resident bool) {
	dir := writeDemo(t)
	in := Input{Dir: dir}
	if history != "no history" {
		in.History = demoHistory(t, dir)
	}
	given := in // what the builds from nothing are given
	if history == "history read back" {
		kept, err := DecodeInput(EncodeInput("key", in))
		if err != nil {
			t.Fatal(err)
		}
		kept.Dir = dir
		in = kept
	}
	build := Build
	if resident {
		build = new(Builder).Build
	}
	out := filepath.Join(t.TempDir(), "public")
	opts := Options{Now: testNow, CacheDir: filepath.Join(t.TempDir(), "cache")}
	opts.Pages, opts.Nav = ITPARG()
	same := func(when string) {
		t.Helper()
		if err := build(context.Background(), in, out, opts); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		fresh := filepath.Join(t.TempDir(), "fresh")
		if err := Build(context.Background(), given, fresh, Options{Now: testNow, Pages: opts.Pages, Nav: opts.Nav}); err != nil {
			t.Fatal(err)
		}
		if a, b := snapshot(t, out), snapshot(t, fresh); a != b {
			t.Errorf("%s: the rebuild differs from a build from nothing:\n%s", when, diffLines(a, b))
		}
	}
	same("first build")
	report := readFile(t, filepath.Join(out, "itparg", "report", "chart-impact.svg"))

	breach := caseFile(t, dir, "^breach:")
	edit(t, dir, breach, func(s string) string { return s + "\nA line added to the narrative.\n" })
	edit(t, dir, breach, func(s string) string {
		return regexp.MustCompile(`(?m)^  people_affected: \d+$`).ReplaceAllString(s, "  people_affected: 4321")
	})
	titled := caseFile(t, dir, "^title: [A-Za-z]")
	edit(t, dir, titled, func(s string) string {
		return regexp.MustCompile(`(?m)^title: .*$`).ReplaceAllString(s, "${0}, edited")
	})
	// An edit the summary report shows (it counts cases by impact).
	impact := caseFile(t, dir, `^impact: \[confidentiality\]$`)
	edit(t, dir, impact, func(s string) string {
		return strings.Replace(s, "\nimpact: [confidentiality]\n", "\nimpact: [availability]\n", 1)
	})
	same("rebuild after edits")
	if readFile(t, filepath.Join(out, "itparg", "report", "chart-impact.svg")) == report {
		t.Error("the summary report's impact chart is as before the impact was edited")
	}
	same("rebuild after no edit")
	if !strings.Contains(readFile(t, filepath.Join(out, "itparg", "breaches", "breaches.csv")), "4321") {
		t.Error("the breach record does not show the edited breach detail")
	}
}

// writeDemo writes the 60-case demo register the rebuild tests use and
// returns its folder.
func writeDemo(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "reg")
	if _, err := demo.Write(context.Background(), dir, filepath.Join(t.TempDir(), "keys"),
		demo.Options{Cases: 60, Seed: 5, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// loadRegister loads the register in dir, which must have no problem.
func loadRegister(t *testing.T, dir string) *register.Register {
	t.Helper()
	r, found, err := register.Load(context.Background(), dirfs.New(dir))
	if err != nil || len(found) > 0 {
		t.Fatal(err, found)
	}
	return r
}

// caseFile is the path of the first case file (by path) with a line
// matching pattern.
func caseFile(t *testing.T, dir, pattern string) string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "cases", "*", "*", "case.md"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	re := regexp.MustCompile("(?m)" + pattern)
	for _, p := range paths {
		if re.MatchString(readFile(t, p)) {
			return p
		}
	}
	t.Fatalf("no case file of the demo matches %s", pattern)
	return ""
}

// edit rewrites a file with change, modified a minute later than now.
func edit(t *testing.T, dir, p string, change func(string) string) {
	t.Helper()
	rel, _ := filepath.Rel(dir, p)
	writeLater(t, dir, rel, change(readFile(t, p)), time.Minute)
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// demoHistory is a history of the demo's cases as the build would be
// given it: each created when reported, and moved to its status a day
// later by a signed commit, through resolved when it got that far.
func demoHistory(t *testing.T, dir string) map[string][]Event {
	t.Helper()
	r := loadRegister(t, dir)
	h := map[string][]Event{}
	for i, c := range r.Cases {
		at := c.ReportedAt.Add(time.Hour)
		evs := []Event{{Commit: strings.Repeat("a", 39) + string(rune('0'+i%10)), Time: at, Author: "alice",
			AuthorName: "Alice", Signature: "good", Signer: "alice", Transition: "-> reported", Fields: []string{"id", "status"}}}
		if c.Status != "reported" {
			evs = append(evs, Event{Commit: strings.Repeat("b", 40), Time: at.Add(24 * time.Hour), Author: "sam",
				AuthorName: "Sam", Signature: "unsigned", Transition: "reported -> " + c.Status, Fields: []string{"status"}})
		}
		h[c.ID] = evs
	}
	return h
}

// TestSummaryRoundTrip: the cache's form of each demo case's summary
// decodes to the same summary. A field added to summary but not to its
// codec fails here.
func TestSummaryRoundTrip(t *testing.T) {
	dir := writeDemo(t)
	r := loadRegister(t, dir)
	var ico, notified, review, breach int
	for _, c := range r.Cases {
		want := summary(c)
		enc := encodeSummary(&want)
		if !bytes.Equal(encodeSummary(c), enc) {
			t.Errorf("%s: the case whole encodes another summary than its summary does", c.ID)
		}
		got, err := decodeSummary(enc)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("%s: the summary read back is\n%+v\nwant\n%+v", c.ID, *got, want)
		}
		if c.ICO != nil {
			ico++
			if c.ICO.NotifiedAt != nil {
				notified++
			}
		}
		if c.Review != nil {
			review++
		}
		if c.Breach != nil {
			breach++
		}
	}
	if ico == 0 || notified == 0 || review == 0 || breach == 0 {
		t.Errorf("the demo has %d ICO decisions, %d notified, %d reviews, %d breaches: each part untried", ico, notified, review, breach)
	}
}

// FuzzDecodeSummary: whatever the bytes, decoding a summary returns a
// case or an error, never panics.
func FuzzDecodeSummary(f *testing.F) {
	f.Add(encodeSummary(&register.Case{ID: "INC-2026-0001", Types: []register.Type{"malware"}, ICO: &register.ICO{}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		if c, err := decodeSummary(data); (c == nil) == (err == nil) {
			t.Fatalf("case %v and error %v", c, err)
		}
	})
}

// TestRebuildKeepsLateFragments: a build from nothing writes its cache
// while the audiences' pages are made, before the breach record's
// per-case sections and CSV records are made; they are kept in the late
// fragments file, so that the next build that remakes the record (after
// an edit of a personal-data case) takes them from the cache. So is a
// rebuild's, which writes no new cache file for one edit.
func TestRebuildKeepsLateFragments(t *testing.T) {
	dir := writeDemo(t)
	out := filepath.Join(t.TempDir(), "public")
	cacheDir := filepath.Join(t.TempDir(), "cache")
	opts := Options{Now: testNow, CacheDir: cacheDir}
	opts.Pages, opts.Nav = ITPARG()
	check := func(when string) {
		t.Helper()
		if err := Build(context.Background(), Input{Dir: dir}, out, opts); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		_, docs, err := readCacheFile(cacheDir)
		if err != nil {
			t.Fatal(err)
		}
		kept, pd := 0, 0
		for p, d := range docs {
			if d.Minutes != nil {
				continue
			}
			if rc, _, err := d.take(p); err != nil || !rc.PersonalData {
				continue
			}
			pd++
			if d.Frag != nil && d.Frag.More["breach-section"] != nil && d.Frag.More["breach-csv"] != nil {
				kept++
			}
		}
		if pd < 3 || kept != pd {
			t.Errorf("%s: %d of %d personal-data cases have their breach fragments kept", when, kept, pd)
		}
	}
	check("first build")
	p := caseFile(t, dir, "^personal_data: true$")
	edit(t, dir, p, func(s string) string { return s + "\nA line added to the narrative.\n" })
	check("rebuild")
	edit(t, dir, p, func(s string) string { return s + "\nAnother line.\n" })
	check("second rebuild")
}
