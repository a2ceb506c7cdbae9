package seal

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/council/register/site"
)

const (
	testPass = "correct horse battery staple"
	testCSP  = site.ContentSecurityPolicy
)

// markers are the case details the test tree holds; none may be readable
// once sealed.
var markers = []string{"INC-2026-0007", "Phishing wave at Depot", "Zebedee Quartermain", "narrative-9c1e: the laptop was left on the 8:15 train"}

func page(title, body string, depth int) string {
	up := strings.Repeat("../", depth)
	return `<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>` + title + `</title>
<link rel="stylesheet" href="` + up + `static/site.css">
<script src="` + up + `static/app.js" defer></script></head>
<body><main><h1 id="top">` + title + `</h1><p>` + body + `</p>
<p><a href="` + up + `cases/INC-2026-0007/">case</a> <a href="` + up + `index.html">home</a> <a href="` + up + `data/register.csv">CSV</a></p>
<h2 id="history">History</h2></main></body></html>
`
}

// writeTree writes a small audience tree with every marker in pages and
// data files.
func writeTree(t *testing.T, dir string) {
	t.Helper()
	files := map[string]string{
		"index.html":                     page("Dashboard", "open: INC-2026-0007 Phishing wave at Depot", 0),
		"cases/INC-2026-0007/index.html": page("INC-2026-0007 Phishing wave at Depot", "Reported by Zebedee Quartermain. narrative-9c1e: the laptop was left on the 8:15 train", 2),
		"cases/index.html":               page("Cases", "INC-2026-0007 Phishing wave at Depot", 1),
		"data/register.csv":              "id,title,reporter\nINC-2026-0007,Phishing wave at Depot,Zebedee Quartermain\n",
		"data/register.json":             `[{"id":"INC-2026-0007","title":"Phishing wave at Depot","narrative":"narrative-9c1e: the laptop was left on the 8:15 train"}]`,
		"feed.atom":                      "<feed><title>INC-2026-0007 Phishing wave at Depot</title></feed>",
		"search/index.json":              `{"INC-2026-0007":"Zebedee Quartermain"}`,
		"static/site.css":                "body { color: #0b0c0c }\n",
		"static/app.js":                  "document.body.setAttribute('data-app-ran', 'yes');\ndocument.addEventListener('DOMContentLoaded', function () { document.body.setAttribute('data-ready', 'yes'); });\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func sealTree(t *testing.T, dir string) *Key {
	t.Helper()
	k, err := NewKey(rand.Reader, []byte(testPass), Iterations)
	if err != nil {
		t.Fatal(err)
	}
	if err := Tree(context.Background(), dir, k, rand.Reader, Options{Title: "Incident register", Audience: "IT Policy & Regulation Group", CSP: testCSP}); err != nil {
		t.Fatal(err)
	}
	return k
}

func TestTreeHidesEverything(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir)
	sealTree(t, dir)
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		for _, m := range markers {
			for _, form := range [][]byte{[]byte(m), []byte(strings.ToLower(m)), []byte(base64.StdEncoding.EncodeToString([]byte(m)))} {
				if bytes.Contains(bytes.ToLower(b), bytes.ToLower(form)) {
					t.Errorf("%s holds %q", p, form)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("only %d files", n)
	}
	for _, f := range []string{"static/seal.js", "static/seal.css", "static/app.js"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	shell, _ := os.ReadFile(filepath.Join(dir, "cases/INC-2026-0007/index.html"))
	for _, want := range []string{`src="../../static/seal.js"`, `data-root="../../"`, `data-iterations="600000"`, `http-equiv="Content-Security-Policy"`, "script-src &#39;self&#39;"} {
		if !bytes.Contains(shell, []byte(want)) {
			t.Errorf("shell lacks %s:\n%s", want, shell)
		}
	}
	if regexp.MustCompile(`<script>|<script [^>]*>[^<]*[;(]`).Match(bytes.ReplaceAll(shell, []byte(`type="application/octet-stream"`), nil)) {
		t.Errorf("shell has an inline script:\n%s", shell)
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir)
	orig, _ := os.ReadFile(filepath.Join(dir, "cases/INC-2026-0007/index.html"))
	origCSV, _ := os.ReadFile(filepath.Join(dir, "data/register.csv"))
	sealTree(t, dir)
	sealed, _ := os.ReadFile(filepath.Join(dir, "cases/INC-2026-0007/index.html"))
	got, err := Open([]byte(testPass), "cases/INC-2026-0007/index.html", sealed)
	if err != nil || !bytes.Equal(got, orig) {
		t.Fatalf("Open: %v\n%s", err, got)
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "data/register.csv"))
	if got, err := Open([]byte(testPass), "data/register.csv", csv); err != nil || !bytes.Equal(got, origCSV) {
		t.Fatalf("Open CSV: %v %q", err, got)
	}
	if _, err := Open([]byte(testPass+"!"), "cases/INC-2026-0007/index.html", sealed); !errors.Is(err, ErrPassphrase) {
		t.Errorf("wrong passphrase: %v", err)
	}
	// Moved to another page's place.
	if _, err := Open([]byte(testPass), "cases/index.html", sealed); !errors.Is(err, ErrTampered) {
		t.Errorf("moved page: %v", err)
	}
	// One byte of the ciphertext changed, in each position class.
	m := sealedRe.FindSubmatchIndex(sealed)
	ct, _ := base64.StdEncoding.DecodeString(string(sealed[m[4]:m[5]]))
	for _, i := range []int{0, 11, 12, len(ct) / 2, len(ct) - 1} {
		bad := bytes.Clone(ct)
		bad[i] ^= 1
		forged := append(bytes.Clone(sealed[:m[4]]), []byte(base64.StdEncoding.EncodeToString(bad))...)
		forged = append(forged, sealed[m[5]:]...)
		if _, err := Open([]byte(testPass), "cases/INC-2026-0007/index.html", forged); !errors.Is(err, ErrTampered) {
			t.Errorf("byte %d changed: %v", i, err)
		}
	}
	if _, err := Open([]byte(testPass), "x.html", []byte("<p>plain")); !errors.Is(err, ErrNotSealed) {
		t.Errorf("plain: %v", err)
	}
	// Sealing twice is refused.
	k, _ := NewKey(rand.Reader, []byte(testPass), Iterations)
	if err := Tree(context.Background(), dir, k, rand.Reader, Options{CSP: testCSP}); err == nil || !strings.Contains(err.Error(), "already sealed") {
		t.Errorf("second seal: %v", err)
	}
}

func TestNewKeyRefuses(t *testing.T) {
	if _, err := NewKey(rand.Reader, []byte("short"), Iterations); err == nil {
		t.Error("short passphrase accepted")
	}
	if _, err := NewKey(rand.Reader, []byte(testPass), 1000); err == nil {
		t.Error("1000 iterations accepted")
	}
	if _, err := NewKey(bytes.NewReader(nil), []byte(testPass), Iterations); err == nil {
		t.Error("no randomness accepted")
	}
	a, _ := NewKey(rand.Reader, []byte(testPass), Iterations)
	b, _ := NewKey(rand.Reader, []byte(testPass), Iterations)
	if a.ID == b.ID || bytes.Equal(a.Salt, b.Salt) || bytes.Equal(a.Wrapped, b.Wrapped) {
		t.Error("two keys share an id, salt or wrapping")
	}
}

// BenchmarkTree seals a tree of 2,000 case pages of 8 KB (run with
// -benchtime=1x; the key derivation is measured in BenchmarkNewKey).
func BenchmarkTree(b *testing.B) {
	k, err := NewKey(rand.Reader, []byte(testPass), Iterations)
	if err != nil {
		b.Fatal(err)
	}
	body := strings.Repeat("<p>narrative text of the case, escaped and rendered.</p>\n", 140)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		for j := 0; j < 2000; j++ {
			p := filepath.Join(dir, "cases", "INC-2026-"+strconv.Itoa(10000+j), "index.html")
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte(page("case", body, 2)), 0o644)
		}
		b.StartTimer()
		if err := Tree(context.Background(), dir, k, rand.Reader, Options{CSP: testCSP}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewKey(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := NewKey(rand.Reader, []byte(testPass), Iterations); err != nil {
			b.Fatal(err)
		}
	}
}

// Files of a tree may be hard links shared with other trees and a cache:
// sealing one tree must leave the others' files as they were.
func TestTreeKeepsHardLinks(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, filepath.Join(dir, "a"))
	cache := filepath.Join(dir, "cache.html")
	must(t, os.WriteFile(cache, []byte(page("Shared", "INC-2026-0007 Phishing wave at Depot", 2)), 0o644))
	shared := filepath.Join(dir, "a", "cases", "INC-2026-0007", "index.html")
	must(t, os.Remove(shared))
	must(t, os.Link(cache, shared))
	sealTree(t, filepath.Join(dir, "a"))
	b, _ := os.ReadFile(cache)
	if !bytes.Contains(b, []byte("Phishing wave at Depot")) {
		t.Fatalf("sealing changed the linked cache file:\n%s", b)
	}
	if b, _ := os.ReadFile(shared); !isSealed(b) {
		t.Fatal("the tree's file was not sealed")
	}
}
