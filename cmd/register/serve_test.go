package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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
	write("cases/2026/INC-2026-0001/case.md", "two", t0.Add(time.Minute))
	c := fingerprint(dir, skip)
	if c == a {
		t.Error("an edited case did not change the fingerprint")
	}
	if err := os.Rename(filepath.Join(dir, "cases/2026/INC-2026-0001"), filepath.Join(dir, "cases/2026/INC-2026-0002")); err != nil {
		t.Fatal(err)
	}
	if fingerprint(dir, skip) == c {
		t.Error("a renamed case folder did not change the fingerprint")
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
}
