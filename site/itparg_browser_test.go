package site

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestITPARGBrowser runs the browser checks (axe-core WCAG 2.2 AA, no
// console errors under the CSP) on ITPARG's pages.
func TestITPARGBrowser(t *testing.T) {
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
	out := build(t, "testdata/reg", Input{History: fixtureHistory()}, itpargOptions())
	files := http.FileServer(http.Dir(out))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", CSPHeader)
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()
	pages := []string{"itparg/actions/", "itparg/report/", "itparg/breaches/", "business-it/breaches/", "business-it/report/"}
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
