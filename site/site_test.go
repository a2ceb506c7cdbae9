package site

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var testNow = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

// fixtureHistory is a history for the fixed register, standing in for
// the Git index.
func fixtureHistory() map[string][]Event {
	return map[string][]Event{
		"INC-2026-0001": {
			{Commit: "1111111111111111111111111111111111111111", Time: time.Date(2026, 3, 2, 9, 12, 0, 0, time.UTC),
				Author: "alice", AuthorName: "Alice Analyst", Signature: "good", Signer: "alice",
				Fields: []string{"id", "title", "status"}},
			{Commit: "2222222222222222222222222222222222222222", Time: time.Date(2026, 11, 6, 10, 0, 0, 0, time.UTC),
				Author: "ivy", AuthorName: "Ivy Itparg", Signature: "good", Signer: "ivy",
				Transition: "reviewed -> closed", Fields: []string{"status", "lessons"}},
		},
	}
}

func build(t *testing.T, dir string, in Input, opts Options) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "public")
	in.Dir = dir
	if opts.Now.IsZero() {
		opts.Now = testNow
	}
	if err := Build(context.Background(), in, out, opts); err != nil {
		t.Fatalf("Build: %v", err)
	}
	return out
}

// files lists every file of a tree, slash paths, sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGolden compares every page and data file of every tree of the
// fixed register with testdata/golden (go test ./site -update rewrites
// them; review the diff).
func TestGolden(t *testing.T) {
	out := build(t, "testdata/reg", Input{History: fixtureHistory(), Audit: &AuditStatus{
		Head: "4b825dc642cb6eb9a060e54bf8d69288fbee4904", Commits: 12, Signed: 12, Verified: 11,
		Findings: []string{"commit 3333333: signature by an unknown key"}, Checked: testNow}}, Options{})
	golden := "testdata/golden"
	if *update {
		os.RemoveAll(golden)
	}
	got := files(t, out)
	for _, f := range got {
		if strings.HasPrefix(f, ".") || strings.Contains(f, "/static/") || strings.HasSuffix(f, "version.txt") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		g := filepath.Join(golden, f)
		if *update {
			os.MkdirAll(filepath.Dir(g), 0o755)
			if err := os.WriteFile(g, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(g)
		if err != nil {
			t.Errorf("%s: no golden file (run go test ./site -update): %v", f, err)
			continue
		}
		if !bytes.Equal(data, want) {
			t.Errorf("%s differs from %s (run go test ./site -update and review the diff)", f, g)
		}
	}
	if *update {
		return
	}
	for _, g := range files(t, golden) {
		if !slices.Contains(got, g) {
			t.Errorf("%s: golden file but the build no longer writes it", g)
		}
	}
}

// TestStructure checks every page of every tree: it parses, its ids are
// unique, every internal link and resource resolves inside the same tree,
// and nothing is loaded from elsewhere.
func TestStructure(t *testing.T) {
	out := build(t, "testdata/reg", Input{History: fixtureHistory()}, Options{})
	checkTrees(t, out)
}

func checkTrees(t *testing.T, out string) {
	t.Helper()
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	pages := 0
	for _, e := range entries {
		tree := filepath.Join(out, e.Name())
		for _, f := range files(t, tree) {
			if strings.HasSuffix(f, ".html") {
				checkPage(t, tree, f)
				pages++
			}
		}
	}
	if pages == 0 {
		t.Fatal("no pages built")
	}
}

func checkPage(t *testing.T, tree, page string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(tree, page))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	ids := map[string]bool{}
	var links []string
	var walk func(n *html.Node, prose bool)
	walk = func(n *html.Node, prose bool) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if v := strings.ToLower(a.Val); strings.Contains(v, "javascript:") || strings.Contains(v, "data:text") {
					t.Errorf("%s: attribute %s=%q", page, a.Key, a.Val)
				}
				switch {
				case a.Key == "id":
					if ids[a.Val] {
						t.Errorf("%s: duplicate id %q", page, a.Val)
					}
					ids[a.Val] = true
				case a.Key == "class" && slices.Contains(strings.Fields(a.Val), "app-prose"):
					prose = true
				case strings.HasPrefix(a.Key, "on"):
					t.Errorf("%s: event handler attribute %s", page, a.Key)
				case a.Key == "style":
					t.Errorf("%s: inline style", page)
				}
			}
			switch n.Data {
			case "iframe", "object", "embed", "svg", "math", "form" + "x", "base", "frame":
				t.Errorf("%s: <%s> element", page, n.Data)
			case "script":
				if attr(n, "src") == "" || n.FirstChild != nil {
					t.Errorf("%s: inline script", page)
				}
			case "style":
				t.Errorf("%s: <style> element", page)
			}
			for _, k := range []string{"href", "src", "action", "data-index"} {
				v, ok := attrOK(n, k)
				if !ok {
					continue
				}
				u, err := url.Parse(strings.TrimSpace(v))
				switch {
				case err != nil:
					t.Errorf("%s: bad URL %q", page, v)
				case u.Scheme == "http" || u.Scheme == "https":
					if !(prose && n.Data == "a" && k == "href") {
						t.Errorf("%s: off-site %s %q on <%s>", page, k, v, n.Data)
					}
				case u.Scheme != "" || u.Host != "":
					t.Errorf("%s: %s %q has a scheme or host", page, k, v)
				case strings.HasPrefix(v, "#"):
					links = append(links, v)
				default:
					links = append(links, u.Path)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, prose)
		}
	}
	walk(doc, false)
	for _, l := range links {
		if strings.HasPrefix(l, "#") {
			if !ids[l[1:]] {
				t.Errorf("%s: link to missing #%s", page, l[1:])
			}
			continue
		}
		target := path.Join(path.Dir(page), l)
		switch {
		case l == "":
			target = page // an empty link is the page itself
		case strings.HasSuffix(l, "/") || l == "." || l == "./":
			target = path.Join(target, "index.html")
		}
		if strings.HasPrefix(target, "../") || target == ".." {
			t.Errorf("%s: link %q leaves the tree", page, l)
			continue
		}
		if _, err := os.Stat(filepath.Join(tree, filepath.FromSlash(target))); err != nil {
			t.Errorf("%s: link %q: %s is not in the tree", page, l, target)
		}
	}
}

func attr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// writeRegister writes a register from a map of paths to contents.
func writeRegister(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, data := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const people = `people:
  - id: alice
    name: Alice Analyst
    email: alice@example.gov.uk
    roles: [business-it]
  - id: sam
    name: Sam Simo
    email: sam@example.gov.uk
    roles: [simo]
`

// payloads are hostile texts put into every field and narrative.
var payloads = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(2)>`,
	`javascript:alert(3)`,
	`<svg onload=alert(4)><script>alert(5)</script></svg>`,
	`<iframe src="https://evil.example/"></iframe>`,
	`=HYPERLINK("https://evil.example/","x")`,
	`+cmd|' /C calc'!A0`,
	`-2+3`,
	`@SUM(A1)`,
	"\tTAB",
}

func TestHostileRegisterRendersInert(t *testing.T) {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	var cases = map[string]string{
		"register.yaml": "name: " + q(payloads[0]) + "\norganisation: " + q(payloads[1]) + "\n",
		"people.yaml":   people,
	}
	for i, p := range payloads {
		id := fmt.Sprintf("INC-2026-%04d", i+1)
		cases["cases/2026/"+id+"/case.md"] = fmt.Sprintf(`---
id: %s
title: %s
status: investigating
reported_at: 2026-11-27T08:30:00Z
reported_by: %s
line_manager: %s
category: incident
types: [other]
impact: [integrity]
investigator: %s
resolution: %s
no_change_reason: %s
lessons: [%s]
evidence:
  - file: %s
    sha256: %s
    size: 1
    collected_by: %s
    collected_at: 2026-11-27T10:00:00Z
    description: %s
    custody:
      - at: 2026-11-27T10:00:00Z
        by: %s
        action: collected
        reason: %s
updates:
  - at: 2026-11-27T11:00:00Z
    by: %s
    to: %s
    note: %s
---
%s

[click](javascript:alert(6)) [entity](jav&#x61;script:alert(7)) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCg4KTwvc2NyaXB0Pg==)
<a href="javascript:alert(9)">raw link</a>
<script>alert(10)</script>
<iframe src="https://evil.example/"></iframe>
<svg><script>alert(11)</script></svg>
![x](javascript:alert(12)) ![remote](https://evil.example/track.png)
<img src=x onerror=alert(13)>
`, id, q(p), q(p), q(p), q(p), q(p), q(p), q(p), q(p+".pgp"), q(p), q(p), q(p), q(p), q(p), q(p), q(p), q(p), p)
	}
	cases["minutes/2026/2026-11-05.md"] = fmt.Sprintf("---\ndate: 2026-11-05\ntitle: %s\nchair: %s\nattendees: [%s]\ncases:\n  - id: INC-2026-0001\n    decision: accepted\n    note: %s\nactions:\n  - id: A1\n    action: %s\n    owner: %s\n    due: 2026-11-20\n    status: open\n---\n%s\n<script>alert(14)</script>\n",
		q(payloads[0]), q(payloads[1]), q(payloads[3]), q(payloads[4]), q(payloads[0]), q(payloads[5]), payloads[1])
	dir := writeRegister(t, cases)
	out := build(t, dir, Input{History: map[string][]Event{"INC-2026-0001": {{Commit: payloads[0], Author: payloads[1],
		AuthorName: payloads[0], Signature: payloads[3], Transition: payloads[4], Fields: []string{payloads[0]}}}}}, Options{})
	checkTrees(t, out)
	for _, f := range files(t, out) {
		data, _ := os.ReadFile(filepath.Join(out, f))
		s := strings.ToLower(string(data))
		switch {
		case strings.HasSuffix(f, ".html"):
			// Text may hold the payloads escaped ("&lt;img … onerror=");
			// checkTrees proves no element or attribute carries them.
			for _, bad := range []string{"<script>", "<iframe", "<svg", "<img", "href=\"javascript:", "href=\"jav&#x61;script", "href=\"data:"} {
				if strings.Contains(s, bad) {
					t.Errorf("%s: contains %q", f, bad)
				}
			}
		case strings.HasSuffix(f, ".csv"):
			r := csv.NewReader(bytes.NewReader(data))
			recs, err := r.ReadAll()
			if err != nil {
				t.Fatalf("%s: not RFC 4180: %v", f, err)
			}
			for _, rec := range recs[1:] {
				for _, cell := range rec {
					if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
						t.Errorf("%s: cell %q is not neutralised", f, cell)
					}
				}
			}
		case strings.HasSuffix(f, ".json"):
			var v []map[string]any
			if err := json.Unmarshal(data, &v); err != nil {
				t.Errorf("%s: %v", f, err)
			}
			if strings.Contains(string(data), "<script") {
				t.Errorf("%s: raw <script in JSON", f)
			}
		case strings.HasSuffix(f, ".xml"):
			if strings.Contains(string(data), "<script") {
				t.Errorf("%s: raw <script in feed", f)
			}
		}
	}
}

// TestAudienceLeak gives every field of restricted cases and minutes a
// unique marker and proves by byte search that no file of a tree that
// may not see them holds any marker.
func TestAudienceLeak(t *testing.T) {
	const settings = `name: Leak test
organisation: Example Council
audiences:
  - name: itparg
    roles: [itparg]
  - name: simo
    roles: [simo]
  - name: business-it
    roles: [business-it]
  - name: img
    roles: [img]
`
	n := 0
	m := func(kind string) string { n++; return fmt.Sprintf("MARK%s%03dX", kind, n) }
	restricted := map[string][]string{} // marker kind → audiences that may see it
	var markers []struct{ mark, kind string }
	mk := func(kind string) string {
		s := m(kind)
		markers = append(markers, struct{ mark, kind string }{s, kind})
		return s
	}
	restricted["pd"] = []string{"itparg", "simo"}
	restricted["ov"] = []string{"img"}
	restricted["mi"] = []string{"simo"}
	caseFile := func(id, kind string, pd bool, audiences string) string {
		return fmt.Sprintf(`---
id: %s
title: %s
status: investigating
reported_at: 2026-11-27T08:30:00Z
reported_by: %s
line_manager: %s
category: incident
types: [other]
impact: [integrity]
personal_data: %v
investigator: %s
%sresolution: %s
no_change_reason: %s
lessons: [%s]
ico:
  decision: no-notify
  reason: %s
  reference: %s
breach:
  data_categories: [%s]
  consequences: %s
  measures: %s
  subjects_told: no
  subjects_reason: %s
evidence:
  - file: %s.pgp
    sha256: %s
    size: 1
    collected_by: %s
    collected_at: 2026-11-27T10:00:00Z
    description: %s
    custody:
      - at: 2026-11-27T10:00:00Z
        by: %s
        action: collected
        reason: %s
updates:
  - at: 2026-11-27T11:00:00Z
    by: %s
    to: %s
    note: %s
---
%s
`, id, mk(kind), mk(kind), mk(kind), pd, mk(kind), audiences, mk(kind), mk(kind), mk(kind), mk(kind), mk(kind),
			mk(kind), mk(kind), mk(kind), mk(kind), mk(kind), mk(kind), mk(kind), mk(kind), mk(kind), mk(kind), mk(kind), mk(kind), mk(kind), mk(kind))
	}
	reg := map[string]string{
		"register.yaml":                    settings,
		"people.yaml":                      people,
		"cases/2026/INC-2026-0001/case.md": caseFile("INC-2026-0001", "pd", true, ""),
		"cases/2026/INC-2026-0002/case.md": caseFile("INC-2026-0002", "ov", false, "audiences: [img]\n"),
		"cases/2026/INC-2026-0003/case.md": "---\nid: INC-2026-0003\ntitle: An open case everyone sees\nstatus: reported\nreported_at: 2026-11-27T08:30:00Z\nreported_by: alice\n---\nNothing secret.\n",
		"minutes/2026/2026-11-05.md": fmt.Sprintf("---\ndate: 2026-11-05\ntitle: %s\nchair: %s\naudiences: [simo]\ncases:\n  - id: INC-2026-0001\n    decision: accepted\n    note: %s\nactions:\n  - id: A1\n    action: %s\n    owner: %s\n    due: 2026-11-20\n    status: open\n---\n%s\n",
			mk("mi"), mk("mi"), mk("mi"), mk("mi"), mk("mi"), mk("mi")),
		// Minutes every tree sees, reviewing restricted cases: they
		// must not name them to trees that may not see them.
		"minutes/2026/2026-11-06.md": "---\ndate: 2026-11-06\ntitle: Open minutes\ncases:\n  - id: INC-2026-0001\n    decision: accepted\n  - id: INC-2026-0002\n    decision: accepted\nactions:\n  - id: A1\n    action: Follow up\n    owner: alice\n    due: 2026-11-20\n    status: open\n    case: INC-2026-0002\n---\nOpen notes.\n",
	}
	dir := writeRegister(t, reg)
	hist := map[string][]Event{
		"INC-2026-0001": {{Commit: "c1", Author: "sam", AuthorName: mk("pd"), Time: testNow}},
		"INC-2026-0002": {{Commit: "c2", Author: "sam", AuthorName: mk("ov"), Time: testNow}},
	}
	audit := &AuditStatus{Head: "abc", Commits: 3, Findings: []string{
		"c1 cases/2026/INC-2026-0001/case.md:4: " + mk("pd"),
		"c2 cases/2026/INC-2026-0002/case.md:4: " + mk("ov"),
		"c3: commit is not signed"}}
	out := build(t, dir, Input{History: hist, Audit: audit}, Options{})
	// Ids are markers too: a tree that may not see a case must not even
	// name it.
	ids := map[string]string{"INC-2026-0001": "pd", "INC-2026-0002": "ov"}
	for _, aud := range []string{"itparg", "simo", "business-it", "img"} {
		tree := filepath.Join(out, aud)
		for _, f := range files(t, tree) {
			data, err := os.ReadFile(filepath.Join(tree, f))
			if err != nil {
				t.Fatal(err)
			}
			for _, mm := range markers {
				if bytes.Contains(data, []byte(mm.mark)) != slices.Contains(restricted[mm.kind], aud) && bytes.Contains(data, []byte(mm.mark)) {
					t.Errorf("%s/%s holds %s, which %s may not see", aud, f, mm.mark, aud)
				}
			}
			for id, kind := range ids {
				if !slices.Contains(restricted[kind], aud) && bytes.Contains(data, []byte(id)) {
					t.Errorf("%s/%s names %s, which %s may not see", aud, f, id, aud)
				}
			}
		}
	}
	// And the trees that may see them do hold them (the test can fail).
	data, err := os.ReadFile(filepath.Join(out, "simo", "cases", "INC-2026-0001.html"))
	if err != nil || !bytes.Contains(data, []byte("MARKpd")) {
		t.Errorf("simo's page of INC-2026-0001 lacks its markers: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "img", "cases", "INC-2026-0002.html")); err != nil {
		t.Errorf("img cannot see the case shown to it: %v", err)
	}
	// Minutes every tree sees name to each the cases it may see (trees
	// share a page only when it is the same for both).
	for aud, id := range map[string]string{"itparg": "INC-2026-0001", "simo": "INC-2026-0001", "img": "INC-2026-0002"} {
		data, err := os.ReadFile(filepath.Join(out, aud, "minutes", "2026-11-06", "index.html"))
		if err != nil || !bytes.Contains(data, []byte(`href="../../cases/`+id+`.html"`)) {
			t.Errorf("%s's page of the open minutes does not link to %s, which it may see (%v)", aud, id, err)
		}
	}
}

// TestFailedBuildKeepsSite breaks a case after a good build: the build
// fails with the file's path and line, and the previous site is intact.
func TestFailedBuildKeepsSite(t *testing.T) {
	dir := writeRegister(t, map[string]string{
		"register.yaml":                    "name: R\norganisation: O\n",
		"people.yaml":                      people,
		"cases/2026/INC-2026-0001/case.md": "---\nid: INC-2026-0001\ntitle: Fine\nstatus: reported\nreported_at: 2026-11-27T08:30:00Z\nreported_by: alice\n---\nBody.\n",
	})
	out := filepath.Join(t.TempDir(), "public")
	opts := Options{Now: testNow, CacheDir: filepath.Join(t.TempDir(), "cache")}
	if err := Build(context.Background(), Input{Dir: dir}, out, opts); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, out)
	bad := "---\nid: INC-2026-0001\ntitle: Broken\nstatus: reported\nseverty: high\nreported_at: 2026-11-27T08:30:00Z\n---\n"
	os.WriteFile(filepath.Join(dir, "cases/2026/INC-2026-0001/case.md"), []byte(bad), 0o644)
	err := Build(context.Background(), Input{Dir: dir}, out, opts)
	var be *BuildError
	if !errors.As(err, &be) {
		t.Fatalf("Build of a broken register: %v, want a BuildError", err)
	}
	if got := be.Findings[0].String(); !strings.HasPrefix(got, "cases/2026/INC-2026-0001/case.md:5: ") {
		t.Errorf("finding %q does not point at the file and line", got)
	}
	if after := snapshot(t, out); after != before {
		t.Error("the failed build changed the previous site")
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".public.new-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary trees left behind: %v", leftovers)
	}
}

// TestBuildRefusesForeignFolder: a build never replaces a folder it did
// not write.
func TestBuildRefusesForeignFolder(t *testing.T) {
	out := t.TempDir()
	os.WriteFile(filepath.Join(out, "thesis.txt"), []byte("precious"), 0o644)
	err := Build(context.Background(), Input{Dir: "testdata/reg"}, out, Options{Now: testNow})
	if err == nil || !strings.Contains(err.Error(), "not a site that register build wrote") {
		t.Fatalf("Build into a foreign folder: %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(out, "thesis.txt")); string(data) != "precious" {
		t.Fatal("the foreign folder was touched")
	}
}

func snapshot(t *testing.T, dir string) string {
	var b strings.Builder
	for _, f := range files(t, dir) {
		data, _ := os.ReadFile(filepath.Join(dir, f))
		fmt.Fprintf(&b, "%s %x\n", f, data)
	}
	return b.String()
}

// TestRebuild edits, adds and hides cases between cached builds and
// compares the result with a build from scratch: builds of one process
// each (register build), and builds of one resident Builder (register
// serve).
func TestRebuild(t *testing.T) {
	t.Run("process", func(t *testing.T) { testRebuild(t, Build) })
	var resident Builder
	t.Run("resident", func(t *testing.T) { testRebuild(t, resident.Build) })
}

func testRebuild(t *testing.T, Build func(context.Context, Input, string, Options) error) {
	dir := writeRegister(t, map[string]string{
		"register.yaml":                    "name: R\norganisation: O\n",
		"people.yaml":                      people,
		"cases/2026/INC-2026-0001/case.md": reportedCase("INC-2026-0001", "First", ""),
		"cases/2026/INC-2026-0002/case.md": reportedCase("INC-2026-0002", "Second", ""),
		"cases/2026/INC-2026-0003/case.md": reportedCase("INC-2026-0003", "Third", ""),
		"minutes/2026/2026-11-05.md":       minutesText("2026-11-05", "Kept"),
		"minutes/2026/2026-11-12.md":       minutesText("2026-11-12", "Edited"),
		"minutes/2026/2026-11-19.md":       minutesText("2026-11-19", "Deleted"),
		"cases/2025/INC-2025-0001/case.md": strings.ReplaceAll(reportedCase("INC-2025-0001", "Deleted", ""), "2026-11-27", "2025-06-01"),
	})
	out := filepath.Join(t.TempDir(), "public")
	opts := Options{Now: testNow, CacheDir: filepath.Join(t.TempDir(), "cache")}
	if err := Build(context.Background(), Input{Dir: dir}, out, opts); err != nil {
		t.Fatal(err)
	}
	write := func(p, s string) { writeLater(t, dir, p, s, time.Minute) }
	// Now a personal-data case: the minutes that review it show it no
	// more to audiences that may not see it.
	write("cases/2026/INC-2026-0001/case.md", reportedCase("INC-2026-0001", "First edited", "personal_data: true\n"))
	write("cases/2026/INC-2026-0002/case.md", reportedCase("INC-2026-0002", "Second", "personal_data: true\n"))
	write("cases/2026/INC-2026-0004/case.md", reportedCase("INC-2026-0004", "Fourth", ""))
	write("minutes/2026/2026-11-12.md", minutesText("2026-11-12", "Edited again"))
	// Gone: their pages, a year's list and a minutes folder must go too.
	for _, p := range []string{"minutes/2026/2026-11-19.md", "cases/2025/INC-2025-0001/case.md"} {
		if err := os.Remove(filepath.Join(dir, p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := Build(context.Background(), Input{Dir: dir}, out, opts); err != nil {
		t.Fatal(err)
	}
	if page, err := os.ReadFile(filepath.Join(out, "itparg", "minutes", "2026-11-12", "index.html")); err != nil || !strings.Contains(string(page), "Edited again") {
		t.Errorf("the edited minutes are not rebuilt (%v)", err)
	}
	fresh := filepath.Join(t.TempDir(), "fresh")
	if err := Build(context.Background(), Input{Dir: dir}, fresh, Options{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	if a, b := snapshot(t, out), snapshot(t, fresh); a != b {
		t.Errorf("the cached rebuild differs from a fresh build:\n%s", diffLines(a, b))
	}
	for _, gone := range []string{"register/year-2025", "minutes/2026-11-19", "cases/INC-2025-0001.html"} {
		if _, err := os.Stat(filepath.Join(out, "itparg", gone)); err == nil {
			t.Errorf("%s is still in the rebuilt tree", gone)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "img", "cases", "INC-2026-0002.html")); err == nil {
		t.Error("img still has INC-2026-0002, which became a personal-data case")
	}
}

// TestRebuildKeepsUnshownPages: an edit of a case's narrative, which
// the lists do not show, leaves their pages as they were (the same
// files, not written again), while the search index, which holds the
// narrative, is made anew. The style sheet, and the feed (the edit
// changes no entry), are kept too, an hour later.
func TestRebuildKeepsUnshownPages(t *testing.T) {
	dir, out, opts := twoCases(t)
	if err := Build(context.Background(), Input{Dir: dir}, out, opts); err != nil {
		t.Fatal(err)
	}
	stat := func(p string) os.FileInfo {
		t.Helper()
		st, err := os.Stat(filepath.Join(out, "itparg", p))
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	list, search := stat("register/all/1.html"), stat("data/search.json")
	css, feed := stat("static/site.css"), stat("feed.xml")
	writeLater(t, dir, "cases/2026/INC-2026-0001/case.md",
		reportedCase("INC-2026-0001", "First", "")+"A sentence added to the narrative.\n", time.Minute)
	opts.Now = opts.Now.Add(time.Hour)
	if err := Build(context.Background(), Input{Dir: dir}, out, opts); err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(list, stat("register/all/1.html")) {
		t.Error("the list of all cases was written again after an edit it does not show")
	}
	if !os.SameFile(css, stat("static/site.css")) || !os.SameFile(feed, stat("feed.xml")) {
		t.Error("the style sheet or the feed was written again, unchanged")
	}
	if os.SameFile(search, stat("data/search.json")) {
		t.Error("the search index was kept after an edit of a narrative it holds")
	}
	if !strings.Contains(readFile(t, filepath.Join(out, "itparg", "data", "search.json")), "A sentence added") {
		t.Error("the search index does not hold the edited narrative")
	}
}

// twoCases writes a register of two reported cases and returns its
// folder, a folder to build it into and options with a build cache.
func twoCases(t *testing.T) (dir, out string, opts Options) {
	dir = writeRegister(t, map[string]string{
		"register.yaml":                    "name: R\norganisation: O\n",
		"people.yaml":                      people,
		"cases/2026/INC-2026-0001/case.md": reportedCase("INC-2026-0001", "First", ""),
		"cases/2026/INC-2026-0002/case.md": reportedCase("INC-2026-0002", "Second", ""),
	})
	return dir, filepath.Join(t.TempDir(), "public"), Options{Now: testNow, CacheDir: filepath.Join(t.TempDir(), "cache")}
}

// reportedCase is a case file in state reported, with extra fields.
func reportedCase(id, title, extra string) string {
	return "---\nid: " + id + "\ntitle: " + title + "\nstatus: reported\nreported_at: 2026-11-27T08:30:00Z\nreported_by: alice\n" + extra + "---\nBody of " + title + ".\n"
}

// writeLater writes the file p of the register in dir, modified at
// after now, as an editor's save would be.
func writeLater(t *testing.T, dir, p, s string, at time.Duration) {
	t.Helper()
	full := filepath.Join(dir, p)
	os.MkdirAll(filepath.Dir(full), 0o755)
	if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(at)
	os.Chtimes(full, later, later)
}

// TestResidentBuilder: what a Builder keeps between builds is used only
// while it still holds. Another process's build of the same output
// replaces the manifest the Builder keeps in memory; a refused build
// leaves the Builder able to build the mended register; every result
// equals a fresh build.
func TestResidentBuilder(t *testing.T) {
	dir, out, opts := twoCases(t)
	var b Builder
	write := func(p, s string, at time.Duration) { writeLater(t, dir, p, s, at) }
	same := func(step string, hist ...map[string][]Event) {
		t.Helper()
		fresh := filepath.Join(t.TempDir(), "fresh")
		in := Input{Dir: dir}
		if len(hist) > 0 {
			in.History = hist[0]
		}
		if err := Build(context.Background(), in, fresh, Options{Now: testNow}); err != nil {
			t.Fatal(err)
		}
		if a, f := snapshot(t, out), snapshot(t, fresh); a != f {
			t.Errorf("%s: the tree differs from a fresh build:\n%s", step, diffLines(a, f))
		}
	}
	if err := b.Build(context.Background(), Input{Dir: dir}, out, opts); err != nil {
		t.Fatal(err)
	}
	kept := b.manifest
	if kept == nil {
		t.Fatal("the Builder kept no manifest")
	}
	write("cases/2026/INC-2026-0001/case.md", reportedCase("INC-2026-0001", "First edited", ""), time.Minute)
	if err := b.Build(context.Background(), Input{Dir: dir}, out, opts); err != nil {
		t.Fatal(err)
	}
	if b.manifest == kept {
		t.Error("the Builder kept the previous build's manifest")
	}
	same("resident rebuild")

	// Another process builds the same output: the Builder's manifest no
	// longer describes the trees, and must not be used.
	write("cases/2026/INC-2026-0002/case.md", reportedCase("INC-2026-0002", "Second, by another process", "personal_data: true\n"), 2*time.Minute)
	if err := Build(context.Background(), Input{Dir: dir}, out, opts); err != nil {
		t.Fatal(err)
	}
	if m := b.readManifest(opts.CacheDir); m == b.manifest {
		t.Error("the Builder takes its own manifest though another build replaced the file")
	}
	write("cases/2026/INC-2026-0002/case.md", reportedCase("INC-2026-0002", "Second, by the resident builder", ""), 3*time.Minute)
	if err := b.Build(context.Background(), Input{Dir: dir}, out, opts); err != nil {
		t.Fatal(err)
	}
	same("after another process's build")

	// A refused build, then the register mended.
	write("cases/2026/INC-2026-0001/case.md", "---\nid: INC-2026-0001\ntitle: [unclosed\n---\n", 4*time.Minute)
	var be *BuildError
	if err := b.Build(context.Background(), Input{Dir: dir}, out, opts); !errors.As(err, &be) {
		t.Fatalf("a broken case: Build = %v, want a BuildError", err)
	}
	write("cases/2026/INC-2026-0001/case.md", reportedCase("INC-2026-0001", "First mended", ""), 5*time.Minute)
	if err := b.Build(context.Background(), Input{Dir: dir}, out, opts); err != nil {
		t.Fatal(err)
	}
	same("after a refused build")

	// A new history (a commit): the case pages whose events changed are
	// made again, though the Builder summed the last history.
	hist := fixtureHistory()
	if err := b.Build(context.Background(), Input{Dir: dir, History: hist}, out, opts); err != nil {
		t.Fatal(err)
	}
	same("with a history", hist)
	next := fixtureHistory()
	next["INC-2026-0001"] = append(next["INC-2026-0001"], Event{Commit: "3333333333333333333333333333333333333333",
		Time: testNow.Add(-time.Hour), Author: "alice", AuthorName: "Alice Analyst", Signature: "good", Signer: "alice", Fields: []string{"title"}})
	if err := b.Build(context.Background(), Input{Dir: dir, History: next}, out, opts); err != nil {
		t.Fatal(err)
	}
	same("with the next history", next)
	if page, _ := os.ReadFile(filepath.Join(out, "itparg", "cases", "INC-2026-0001.html")); !strings.Contains(string(page), "3333333333") {
		t.Error("the case page does not show the new commit")
	}
}

// TestRebuildClockMovesOn: a case page that says how long ago the ICO
// deadline passed is rendered again when that changes, not served from
// the cache with yesterday's words.
func TestRebuildClockMovesOn(t *testing.T) {
	dir := writeRegister(t, map[string]string{
		"register.yaml": "name: R\norganisation: O\n",
		"people.yaml":   people,
		"cases/2026/INC-2026-0001/case.md": "---\nid: INC-2026-0001\ntitle: Lost laptop\nstatus: reported\n" +
			"reported_at: 2026-11-20T08:30:00Z\nreported_by: alice\npersonal_data: true\n---\nA laptop was lost.\n",
	})
	out := filepath.Join(t.TempDir(), "public")
	opts := Options{Now: testNow, CacheDir: filepath.Join(t.TempDir(), "cache")}
	if err := Build(context.Background(), Input{Dir: dir}, out, opts); err != nil {
		t.Fatal(err)
	}
	opts.Now = testNow.Add(49 * time.Hour)
	if err := Build(context.Background(), Input{Dir: dir}, out, opts); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "fresh")
	if err := Build(context.Background(), Input{Dir: dir}, fresh, Options{Now: opts.Now}); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(out, "itparg", "cases", "INC-2026-0001.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "The deadline passed 7 days 2 hours ago") {
		t.Errorf("the rebuilt case page does not say how long ago the deadline passed now")
	}
	if a, b := snapshot(t, out), snapshot(t, fresh); a != b {
		t.Errorf("the cached rebuild differs from a fresh build:\n%s", diffLines(a, b))
	}
}

// minutesText is a minutes file reviewing INC-2026-0001.
func minutesText(date, title string) string {
	return "---\ndate: " + date + "\ntitle: " + title + "\nchair: sam\nattendees: [sam, alice]\ncases:\n" +
		"  - id: INC-2026-0001\n    decision: accepted\n    lessons: [Report sooner.]\n---\nNotes of " + title + ".\n"
}

func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for _, l := range al {
		if !slices.Contains(bl, l) {
			out = append(out, "- "+l[:min(len(l), 120)])
		}
	}
	for _, l := range bl {
		if !slices.Contains(al, l) {
			out = append(out, "+ "+l[:min(len(l), 120)])
		}
	}
	return strings.Join(out, "\n")
}

// TestBrowser runs testdata/browser/check.mjs in Debian's chromium over
// the fixed register's site, served on loopback with the site's CSP as a
// header: axe-core on every page type, search and the filter. It skips
// loudly when chromium, node or the npm packages are missing (make test
// installs them: apt-get install chromium nodejs npm; npm ci in
// testdata/browser).
func TestBrowser(t *testing.T) {
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("SKIP browser tests: no chromium at %s (apt-get install chromium)", chromium)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("SKIP browser tests: node is not installed (apt-get install nodejs npm)")
	}
	browser, _ := filepath.Abs("../testdata/browser")
	if _, err := os.Stat(filepath.Join(browser, "node_modules", "playwright-core")); err != nil {
		t.Skip("SKIP browser tests: run npm ci in testdata/browser")
	}
	out := build(t, "testdata/reg", Input{History: fixtureHistory()}, Options{})
	files := http.FileServer(http.Dir(out))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", CSPHeader)
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()
	pages := []string{"itparg/", "itparg/register/", "itparg/register/all/1.html", "itparg/cases/INC-2026-0001.html",
		"itparg/cases/INC-2026-0002.html", "itparg/minutes/", "itparg/minutes/2026-11-05/", "itparg/audit/",
		"itparg/accessibility/", "itparg/search/", "img/"}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{filepath.Join(browser, "check.mjs"), srv.URL + "/"}, pages...)...)
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	outb, err := cmd.CombinedOutput()
	t.Logf("%s", outb)
	if err != nil {
		t.Fatalf("browser checks failed: %v", err)
	}
}

// TestPagination builds lists of several pages and checks every page
// and link of them.
func TestPagination(t *testing.T) {
	files := map[string]string{"register.yaml": "name: R\norganisation: O\n", "people.yaml": people}
	for i := 1; i <= 3*listSize+7; i++ {
		id := fmt.Sprintf("INC-2026-%04d", i)
		files["cases/2026/"+id+"/case.md"] = "---\nid: " + id + "\ntitle: Case " + id + "\nstatus: reported\nreported_at: 2026-11-27T08:30:00Z\nreported_by: alice\n---\nBody.\n"
	}
	out := build(t, writeRegister(t, files), Input{}, Options{})
	checkTrees(t, out)
	last, err := os.ReadFile(filepath.Join(out, "img", "register", "all", "4.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(last, []byte("INC-2026-0307")) || bytes.Contains(last, []byte("INC-2026-0300/")) {
		t.Error("the last page does not hold exactly the last cases")
	}
	if !bytes.Contains(last, []byte(`href="3.html" rel="prev"`)) {
		t.Error("the last page has no link to the previous one")
	}
}

// TestCacheKeyedToBuild: a build of another program does not reuse what
// the cache holds (it may render differently): every case page is made
// again.
func TestCacheKeyedToBuild(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	opts := Options{Now: testNow, CacheDir: filepath.Join(t.TempDir(), "cache")}
	rendered := ""
	opts.Trace = func(phase string, _ time.Duration) {
		if strings.HasPrefix(phase, "case pages") {
			rendered = phase
		}
	}
	for _, tc := range []struct{ build, want string }{
		{"a", "case pages (4 rendered)"},
		{"a", "case pages (0 rendered)"},
		{"b", "case pages (4 rendered)"},
	} {
		opts.Build = tc.build
		if err := Build(context.Background(), Input{Dir: "testdata/reg"}, out, opts); err != nil {
			t.Fatal(err)
		}
		if rendered != tc.want {
			t.Errorf("build %s: %q, want %q", tc.build, rendered, tc.want)
		}
	}
}

// TestTreesSharePages: a page that two trees show byte for byte is one
// file linked into both; a page that differs, or names its audience, is
// each tree's own.
func TestTreesSharePages(t *testing.T) {
	out := build(t, "testdata/reg", Input{History: fixtureHistory()}, Options{})
	same := func(a, b string) bool {
		t.Helper()
		x, err := os.Stat(filepath.Join(out, a))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.Stat(filepath.Join(out, b))
		if err != nil {
			t.Fatal(err)
		}
		return os.SameFile(x, y)
	}
	for _, tc := range []struct {
		a, b  string
		share bool
	}{
		{"itparg/register/all/1.html", "simo/register/all/1.html", true}, // the same cases
		{"itparg/minutes/2026-11-05/index.html", "audit/minutes/2026-11-05/index.html", true},
		{"itparg/data/cases.json", "simo/data/cases.json", true},
		{"itparg/data/cases.json", "audit/data/cases.json", false},       // a case only ITPARG sees
		{"itparg/register/all/1.html", "img/register/all/1.html", false}, // img sees fewer cases
		{"itparg/index.html", "simo/index.html", false},                  // the dashboard names its audience
	} {
		if got := same(tc.a, tc.b); got != tc.share {
			t.Errorf("%s and %s one file: %v, want %v", tc.a, tc.b, got, tc.share)
		}
	}
}
