package seal

import (
	"bytes"
	"context"
	"crypto/rand"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/council/register/site"
)

// realMarkers are ids, titles, names and narratives of the cases in
// testdata/reg.
var realMarkers = []string{"INC-2026-0001", "INC-2026-0002", "Qorvath", "Wembridge", "narrative-open-7731", "narrative-pd-5521", "re-enter passwords", "unencrypted laptop"}

func noRealMarkers(t *testing.T, html string) {
	t.Helper()
	for _, m := range realMarkers {
		if strings.Contains(html, m) {
			t.Errorf("the locked page shows %q", m)
		}
	}
}

// buildReal builds testdata/reg with package site and seals each
// audience's tree before the site is swapped in, as register build
// --encrypt does. It returns the output folder.
func buildReal(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "public")
	err := site.Build(context.Background(), site.Input{Dir: "testdata/reg", HistoryNote: "test"}, out, site.Options{
		Now: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC),
		Finish: func(ctx context.Context, dir string) error {
			for _, a := range []string{"itparg", "business-it"} {
				k, err := NewKey(rand.Reader, []byte(testPass), Iterations)
				if err != nil {
					return err
				}
				if err := Tree(ctx, filepath.Join(dir, a), k, rand.Reader, Options{CSP: site.ContentSecurityPolicy, Title: "Access test register", Audience: a}); err != nil {
					return err
				}
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRealBuildHidesEverything searches every byte of an encrypted build
// for the cases' ids, titles and narratives.
func TestRealBuildHidesEverything(t *testing.T) {
	out := buildReal(t)
	n := 0
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		for _, m := range realMarkers {
			if bytes.Contains(bytes.ToLower(b), bytes.ToLower([]byte(m))) {
				t.Errorf("%s holds %q", p, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 30 {
		t.Fatalf("only %d files in the build", n)
	}
	// The pages really are the site's: they open to the case.
	b, _ := os.ReadFile(filepath.Join(out, "itparg", "cases", "INC-2026-0002.html"))
	page, err := Open([]byte(testPass), "cases/INC-2026-0002.html", b)
	if err != nil || !bytes.Contains(page, []byte("Laptop Wembridge left on a train")) {
		t.Fatalf("Open: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "business-it", "cases", "INC-2026-0002.html")); err == nil {
		t.Error("business-it's tree holds the personal-data case")
	}
}
