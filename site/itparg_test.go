package site

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func itpargOptions() Options {
	pages, nav := ITPARG()
	return Options{Pages: pages, Nav: nav}
}

// TestITPARGPages builds the fixed register with ITPARG's pages: every
// page passes the structural checks, and each tree has the actions, the
// report and the breach record, the record's details and CSV only where
// the audience may see breach details.
func TestITPARGPages(t *testing.T) {
	out := build(t, "testdata/reg", Input{History: fixtureHistory()}, itpargOptions())
	checkTrees(t, out)
	read := func(audience, p string) string {
		data, err := os.ReadFile(filepath.Join(out, audience, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	for _, a := range []string{"itparg", "simo", "business-it", "img", "audit"} {
		for _, p := range []string{"actions/index.html", "report/index.html", "report/report.css", "breaches/index.html"} {
			read(a, p)
		}
		if !strings.Contains(read(a, "report/index.html"), `<link rel="stylesheet" href="report.css">`) {
			t.Errorf("%s: report without its stylesheet", a)
		}
		if !strings.Contains(read(a, "actions/index.html"), `href="../minutes/2026-11-05/"`) {
			t.Errorf("%s: action without a link to its minutes", a)
		}
	}
	// The fixture's personal-data cases: INC-2026-0002 and INC-2025-0004.
	for _, a := range []string{"itparg", "simo", "audit"} {
		page := read(a, "breaches/index.html")
		for _, want := range []string{"INC-2026-0002", "INC-2025-0004", `href="breaches.csv"`} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: breach record lacks %s", a, want)
			}
		}
		if csv := read(a, "breaches/breaches.csv"); !strings.Contains(csv, "INC-2026-0002,") {
			t.Errorf("%s: breaches.csv lacks INC-2026-0002", a)
		}
	}
	for _, a := range []string{"business-it", "img"} {
		if _, err := os.Stat(filepath.Join(out, a, "breaches", "breaches.csv")); err == nil {
			t.Errorf("%s: has breaches.csv", a)
		}
		for _, p := range []string{"actions/index.html", "report/index.html", "breaches/index.html"} {
			page := read(a, p)
			for _, leak := range []string{"INC-2026-0002", "INC-2025-0004", "INC-2026-0003", "Letter sent to the wrong address"} {
				if strings.Contains(page, leak) {
					t.Errorf("%s/%s shows %s", a, p, leak)
				}
			}
		}
	}
	// Server room door (INC-2026-0003) is for itparg and simo only.
	if !strings.Contains(read("itparg", "report/index.html"), "Cases reported in the period</dt><dd class=\"govuk-summary-list__value\">4") {
		t.Error("itparg's report does not count its 4 cases")
	}
	if !strings.Contains(read("business-it", "report/index.html"), "Cases reported in the period</dt><dd class=\"govuk-summary-list__value\">1") {
		t.Error("business-it's report does not count its 1 case")
	}
	// Times are measured from the history: INC-2026-0001 was closed by
	// its second commit, 249 days after it was reported.
	resolve := regexp.MustCompile(`Time to resolve</th>\s*<td[^>]*>1</td>\s*<td[^>]*>5976.8 h \(249.0 days\)</td>`)
	for _, a := range []string{"itparg", "simo"} {
		if !resolve.MatchString(read(a, "report/index.html")) {
			t.Errorf("%s: the report does not measure INC-2026-0001's time to resolve from its history", a)
		}
	}
}

// TestITPARGActionLeak: an action about a case an audience may not see
// does not appear in its tree.
func TestITPARGActionLeak(t *testing.T) {
	dir := writeRegister(t, map[string]string{
		"register.yaml": "name: Leak test\norganisation: Example Council\n",
		"people.yaml":   people,
		"cases/2026/INC-2026-0001/case.md": "---\nid: INC-2026-0001\ntitle: MARKPDTITLE\nstatus: investigating\n" +
			"reported_at: 2026-11-01T09:00:00Z\nreported_by: alice\ncategory: incident\ntypes: [other]\nimpact: [integrity]\n" +
			"personal_data: true\ninvestigator: sam\nbreach:\n  data_categories: [names]\n  consequences: MARKPDEFFECT\n---\nBody.\n",
		"minutes/2026/2026-11-05.md": "---\ndate: 2026-11-05\nchair: alice\nactions:\n" +
			"  - {id: A1, action: MARKPDACTION, owner: alice, due: 2026-11-20, status: open, case: INC-2026-0001}\n" +
			"  - {id: A2, action: MARKPLAIN, owner: alice, due: 2026-11-20, status: open}\n---\n",
	})
	out := build(t, dir, Input{}, itpargOptions())
	checkTrees(t, out)
	grep := func(audience, mark string) bool {
		found := false
		for _, f := range files(t, filepath.Join(out, audience)) {
			data, err := os.ReadFile(filepath.Join(out, audience, filepath.FromSlash(f)))
			if err != nil {
				t.Fatal(err)
			}
			found = found || strings.Contains(string(data), mark)
		}
		return found
	}
	for _, mark := range []string{"MARKPDTITLE", "MARKPDEFFECT", "MARKPDACTION"} {
		if grep("business-it", mark) || grep("img", mark) {
			t.Errorf("%s leaks into business-it or img", mark)
		}
		if !grep("itparg", mark) {
			t.Errorf("%s missing from itparg", mark)
		}
	}
	if !grep("business-it", "MARKPLAIN") {
		t.Error("an action about no case is missing from business-it")
	}
}

// TestBreachesRecordPerAudience: audiences that share the breaches
// record's rendering share it only when they see the same breach cases;
// a personal-data case kept to the SIMO is in the SIMO's record alone.
func TestBreachesRecordPerAudience(t *testing.T) {
	pd := func(id, title, extra string) string {
		return "---\nid: " + id + "\ntitle: " + title + "\nstatus: reported\nreported_at: 2026-11-27T08:30:00Z\n" +
			"reported_by: alice\npersonal_data: true\n" + extra + "---\nA breach.\n"
	}
	dir := writeRegister(t, map[string]string{
		"register.yaml":                    "name: R\norganisation: O\n",
		"people.yaml":                      people,
		"cases/2026/INC-2026-0001/case.md": pd("INC-2026-0001", "Shared breach", ""),
		"cases/2026/INC-2026-0002/case.md": pd("INC-2026-0002", "Kept to the SIMO", "audiences: [simo]\n"),
	})
	out := filepath.Join(t.TempDir(), "public")
	pages, nav := ITPARG()
	if err := Build(context.Background(), Input{Dir: dir}, out, Options{Now: testNow, Pages: pages, Nav: nav}); err != nil {
		t.Fatal(err)
	}
	read := func(aud string) string {
		data, err := os.ReadFile(filepath.Join(out, aud, "breaches", "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	if simo := read("simo"); !strings.Contains(simo, "Kept to the SIMO") || !strings.Contains(simo, "Shared breach") {
		t.Error("the SIMO's breaches record lacks a case the SIMO sees")
	}
	if itparg := read("itparg"); strings.Contains(itparg, "Kept to the SIMO") || !strings.Contains(itparg, "Shared breach") {
		t.Error("ITPARG's breaches record is not the record of the cases ITPARG sees")
	}
}

// TestBreachesRecordFromCache: a rebuild that takes unchanged cases from
// the build cache writes the same breaches record as a build without
// one (the cache once dropped which fields a case wrote, and the record
// then said "–" for the people affected).
func TestBreachesRecordFromCache(t *testing.T) {
	pd := func(id, title string) string {
		return "---\nid: " + id + "\ntitle: " + title + "\nstatus: reported\nreported_at: 2026-11-27T08:30:00Z\n" +
			"reported_by: alice\npersonal_data: true\nbreach:\n  data_categories: [contact details]\n" +
			"  people_affected: 12\n  records_affected: 40\n  special_category: false\n---\nA breach.\n"
	}
	dir := writeRegister(t, map[string]string{
		"register.yaml":                    "name: R\norganisation: O\n",
		"people.yaml":                      people,
		"cases/2026/INC-2026-0001/case.md": pd("INC-2026-0001", "Unchanged breach"),
		"cases/2026/INC-2026-0002/case.md": pd("INC-2026-0002", "Edited breach"),
	})
	pages, nav := ITPARG()
	opts := Options{Now: testNow, Pages: pages, Nav: nav, CacheDir: filepath.Join(t.TempDir(), "cache")}
	out := filepath.Join(t.TempDir(), "public")
	if err := Build(context.Background(), Input{Dir: dir}, out, opts); err != nil {
		t.Fatal(err)
	}
	edited := filepath.Join(dir, "cases/2026/INC-2026-0002/case.md")
	if err := os.WriteFile(edited, []byte(pd("INC-2026-0002", "Edited breach, again")), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	os.Chtimes(edited, later, later)
	if err := Build(context.Background(), Input{Dir: dir}, out, opts); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "fresh")
	opts.CacheDir = ""
	if err := Build(context.Background(), Input{Dir: dir}, fresh, opts); err != nil {
		t.Fatal(err)
	}
	for _, aud := range []string{"simo", "itparg"} {
		a, err := os.ReadFile(filepath.Join(out, aud, "breaches", "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(fresh, aud, "breaches", "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: the rebuilt breaches record differs from a fresh build's", aud)
		}
		if !strings.Contains(string(a), ">12<") {
			t.Errorf("%s: the record does not say 12 people were affected", aud)
		}
	}
}
