package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/council/register/site"
)

// TestFingerprint: serve notices a changed case file, and not its own
// output inside the register.
func TestFingerprint(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string, at time.Time) {
		full := filepath.Join(dir, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, []byte(s), 0o644)
		os.Chtimes(full, at, at)
	}
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	write("cases/2026/INC-2026-0001/case.md", "one", t0)
	skip := []string{filepath.Join(dir, "public")}
	a := fingerprint(dir, skip)
	write("public/itparg/index.html", "site", t0.Add(30*time.Minute))
	if b := fingerprint(dir, skip); b != a {
		t.Error("writing the site inside the register changed the fingerprint")
	}
	// A build writes its new site beside the old one and swaps it in:
	// the register's folder changes, its files do not.
	write(".public.new-1/itparg/index.html", "site", t0.Add(2*time.Hour))
	os.RemoveAll(filepath.Join(dir, "public"))
	if err := os.Rename(filepath.Join(dir, ".public.new-1"), filepath.Join(dir, "public")); err != nil {
		t.Fatal(err)
	}
	write(".public.cache/x", "cache", t0.Add(2*time.Hour))
	// Nor do an editor's swap file or an empty new folder count.
	write("cases/2026/INC-2026-0001/.case.md.swp", "swap", t0.Add(3*time.Hour))
	os.MkdirAll(filepath.Join(dir, "cases/2026/INC-2026-0002"), 0o755)
	if b := fingerprint(dir, skip); b != a {
		t.Error("a build swapping its site in, an editor's swap file or an empty folder changed the fingerprint")
	}
	write("cases/2026/INC-2026-0001/case.md", "two", t0.Add(time.Minute))
	c := fingerprint(dir, skip)
	if c == a {
		t.Error("an edited case did not change the fingerprint")
	}
	// A moved case keeps its size and time: its path tells.
	if err := os.Rename(filepath.Join(dir, "cases/2026/INC-2026-0001/case.md"), filepath.Join(dir, "cases/2026/INC-2026-0002/case.md")); err != nil {
		t.Fatal(err)
	}
	if fingerprint(dir, skip) == c {
		t.Error("a moved case did not change the fingerprint")
	}
	d := fingerprint(dir, skip)
	if err := os.Rename(filepath.Join(dir, "cases/2026/INC-2026-0002"), filepath.Join(dir, "cases/2026/INC-2026-0003")); err != nil {
		t.Fatal(err)
	}
	if fingerprint(dir, skip) == d {
		t.Error("a renamed case folder did not change the fingerprint")
	}
	// A commit moves the branch's ref; other files of .git do not count.
	write(".git/HEAD", "ref: refs/heads/main\n", t0)
	write(".git/refs/heads/main", "1111111111111111111111111111111111111111\n", t0)
	e := fingerprint(dir, skip)
	write(".git/objects/11/11", "object", t0.Add(4*time.Hour))
	write(".git/index", "index", t0.Add(4*time.Hour))
	if fingerprint(dir, skip) != e {
		t.Error("an object or the index of .git changed the fingerprint")
	}
	write(".git/refs/heads/main", "2222222222222222222222222222222222222222\n", t0.Add(5*time.Hour))
	if fingerprint(dir, skip) == e {
		t.Error("a commit (the branch's ref moved) did not change the fingerprint")
	}
}

// TestPreviewHandler: the preview sends the site's security policy and
// never caches version.txt, which pages poll to reload.
func TestPreviewHandler(t *testing.T) {
	out := t.TempDir()
	os.MkdirAll(filepath.Join(out, "a"), 0o755)
	os.WriteFile(filepath.Join(out, "a", "version.txt"), []byte("1\n"), 0o644)
	rec := httptest.NewRecorder()
	previewHandler(out).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/a/version.txt", nil))
	if rec.Code != 200 || rec.Body.String() != "1\n" {
		t.Fatalf("GET version.txt: %d %q", rec.Code, rec.Body.String())
	}
	if got := rec.Header().Get("Content-Security-Policy"); got != site.CSPHeader {
		t.Errorf("CSP header %q", got)
	}
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q", got)
	}
	// A case's permalink leads to its page in the same tree; nothing
	// else is redirected.
	for p, want := range map[string]string{
		"/itparg/cases/INC-2026-0007/":      "/itparg/cases/INC-2026-0007.html",
		"/itparg/cases/../../etc/":          "",
		"/itparg/cases/INC-2026-0007/x/":    "",
		"/itparg/cases/INC-2026-0007.html/": "",
	} {
		rec := httptest.NewRecorder()
		previewHandler(out).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		got := ""
		if rec.Code == http.StatusMovedPermanently {
			got = rec.Header().Get("Location")
		}
		if got != want {
			t.Errorf("GET %s: %d to %q, want a redirect to %q", p, rec.Code, got, want)
		}
	}
}

// TestServeDefaultsToLoopback: without --addr, serve listens on a
// loopback address only, so the preview (every tree it built, without
// authentication) is not on the network.
func TestServeDefaultsToLoopback(t *testing.T) {
	cmd := newServeCmd(&env{streams: &streams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}, Now: time.Now})
	def := cmd.Flags().Lookup("addr").DefValue
	host, _, err := net.SplitHostPort(def)
	if err != nil {
		t.Fatalf("default --addr %q: %v", def, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		t.Errorf("default --addr %q is not a loopback address", def)
	}
}

// lines sends each line written to the returned writer on the channel.
func lines(t *testing.T) (io.Writer, <-chan string) {
	r, w := io.Pipe()
	ch := make(chan string, 100)
	go func() {
		s := bufio.NewScanner(r)
		for s.Scan() {
			ch <- s.Text()
		}
		close(ch)
	}()
	t.Cleanup(func() { w.Close() })
	return w, ch
}

// waitFor reads lines until one matches, and fails the test if none
// does in time.
func waitFor(t *testing.T, ch <-chan string, re string) []string {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-ch:
			if !ok {
				t.Fatalf("output ended before a line matching %q", re)
			}
			if m := regexp.MustCompile(re).FindStringSubmatch(l); m != nil {
				return m
			}
		case <-timeout:
			t.Fatalf("no line matching %q in 30 s", re)
		}
	}
}

// TestServe runs register serve on a register with the site inside it,
// as register serve run in the register makes it: it listens on
// loopback, serves the tree of the audience it built with the site's
// security policy, answers 404 for what is not in the built trees (other
// audiences, the register's own files, paths climbing out), rebuilds when
// a case is added and keeps the previous site when a rebuild is refused.
func TestServe(t *testing.T) {
	reg := filepath.Join(t.TempDir(), "reg")
	if err := os.CopyFS(reg, os.DirFS("../../site/testdata/reg")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(reg, "public")
	stdout, outLines := lines(t)
	stderr, errLines := lines(t)
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	e := &env{streams: &streams{In: strings.NewReader(""), Out: stdout, Err: stderr}, Now: func() time.Time { return now }}
	cmd := newServeCmd(e)
	cmd.SetArgs([]string{reg, "--out", out, "--audience", "img", "--addr", "127.0.0.1:0", "--interval", "10ms"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()

	waitFor(t, errLines, `^register: built `)
	m := waitFor(t, outLines, `^serving .* on http://([^/]+)/ \(press Ctrl-C to stop\)$`)
	host, _, err := net.SplitHostPort(m[1])
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		t.Fatalf("serving on %s, not loopback", m[1])
	}
	base := "http://" + m[1]
	get := func(p string) (int, string, http.Header) {
		t.Helper()
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatalf("GET %s: %v", p, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), resp.Header
	}
	code, body, h := get("/img/")
	if code != 200 || !strings.Contains(body, "<title>Dashboard") {
		t.Fatalf("GET /img/: %d\n%s", code, body)
	}
	if got := h.Get("Content-Security-Policy"); got != site.CSPHeader {
		t.Errorf("GET /img/: CSP header %q", got)
	}
	if !strings.Contains(body, "static/reload.js") {
		t.Error("the preview's pages do not reload themselves")
	}
	if code, _, _ := get("/img/cases/INC-2026-0001/"); code != 200 {
		t.Errorf("GET a case img sees: %d", code)
	}
	for _, p := range []string{
		"/img/cases/INC-2026-0002/",            // a personal-data case img may not see
		"/itparg/",                             // an audience not built
		"/register.yaml",                       // the register beside the site
		"/../register.yaml",                    // climbing out of the site
		"/img/../../register.yaml",             //
		"/%2e%2e/register.yaml",                //
		"/..%2fregister.yaml",                  //
		"/../cases/2026/INC-2026-0002/case.md", //
		"/../.public.cache/",                   // the build cache beside the site
	} {
		if code, body, _ := get(p); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404\n%.200s", p, code, body)
		}
	}

	// A new case appears after the rebuild.
	newCase := "---\nid: INC-2026-0009\ntitle: Tailgating at the depot\nstatus: reported\nreported_at: 2026-11-28T09:00:00Z\nreported_by: a driver\n---\nSomeone followed a driver in.\n"
	writeCase := func(s string) {
		// Written whole under a hidden name, which serve does not look
		// at, then renamed: serve never sees half a file.
		d := filepath.Join(reg, "cases/2026/INC-2026-0009")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, ".case.md.tmp"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(d, ".case.md.tmp"), filepath.Join(d, "case.md")); err != nil {
			t.Fatal(err)
		}
	}
	writeCase(newCase)
	waitFor(t, errLines, `^register: built `)
	if code, body, _ := get("/img/cases/INC-2026-0009/"); code != 200 || !strings.Contains(body, "Tailgating at the depot") {
		t.Errorf("GET the new case after the rebuild: %d", code)
	}

	// A broken case: the rebuild is refused, the preview carries on
	// with the previous site.
	writeCase("---\nid: INC-2026-0009\nseverty: high\n---\n")
	waitFor(t, errLines, `^register: build refused; .* is unchanged$`)
	if code, body, _ := get("/img/cases/INC-2026-0009/"); code != 200 || !strings.Contains(body, "Tailgating at the depot") {
		t.Errorf("GET the case after a refused rebuild: %d", code)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve after Ctrl-C: %v", err)
	}
	if _, err := http.Get(base + "/img/"); err == nil {
		t.Error("still serving after Ctrl-C")
	}
}

// TestCheckLoopback: the preview listens where only this machine can
// reach it, unless --allow-remote.
func TestCheckLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr  string
		allow bool
		ok    bool
	}{
		{"127.0.0.1:8080", false, true},
		{"127.8.9.10:8080", false, true},
		{"[::1]:8080", false, true},
		{"localhost:0", false, true},
		{":8080", false, false},
		{"0.0.0.0:8080", false, false},
		{"[::]:8080", false, false},
		{"192.168.1.4:8080", false, false},
		{"intranet.example.gov.uk:8080", false, false},
		{":8080", true, true},
		{"192.168.1.4:8080", true, true},
		{"127.0.0.1", false, false}, // no port
	} {
		err := checkLoopback(tc.addr, tc.allow)
		if (err == nil) != tc.ok {
			t.Errorf("checkLoopback(%q, %v) = %v; want ok %v", tc.addr, tc.allow, err, tc.ok)
		}
	}
}
