package nginx

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/council/register/register"
	"github.com/council/register/site"
	"golang.org/x/crypto/bcrypt"
)

// TestRealBuild serves a real build of ../seal/testdata/reg: the
// personal-data case is in itparg's tree only, and only itparg's readers
// get it.
func TestRealBuild(t *testing.T) {
	const reg = "../seal/testdata/reg"
	f, err := os.Open(filepath.Join(reg, "register.yaml"))
	must(t, err)
	s, err := register.ParseSettings(f)
	f.Close()
	must(t, err)
	root := t.TempDir()
	public := filepath.Join(root, "public")
	err = site.Build(context.Background(), site.Input{Dir: reg, HistoryNote: "test"}, public, site.Options{Now: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)})
	must(t, err)
	htdir := filepath.Join(root, "auth")
	must(t, os.MkdirAll(htdir, 0o755))
	users := map[string][2]string{"itparg": {"ivy", "ivy's long password"}, "business-it": {"alice", "alice's long password"}}
	for a, up := range users {
		h, err := setPassword(nil, up[0], []byte(up[1]), bcrypt.MinCost)
		must(t, err)
		must(t, os.WriteFile(HtpasswdPath(htdir, a), h, 0o644))
	}
	port := freePort(t)
	conf, err := Config(s, Options{Root: public, Listen: fmt.Sprintf("127.0.0.1:%d", port), HtpasswdDir: htdir, CSP: site.CSPHeader})
	must(t, err)
	confPath := filepath.Join(public, "nginx.conf")
	must(t, os.WriteFile(confPath, conf, 0o644))
	srv := startNginx(t, confPath, port)

	ivy, alice := basic(users["itparg"][0], users["itparg"][1]), basic(users["business-it"][0], users["business-it"][1])
	for _, c := range []struct {
		path  string
		who   func(*http.Request)
		whom  string
		want  int
		shows string
		to    string // where a redirect leads
	}{
		{"/itparg/cases/INC-2026-0002.html", nil, "nobody", 401, "", ""},
		{"/itparg/cases/INC-2026-0002.html", alice, "alice", 401, "", ""},
		{"/itparg/cases/INC-2026-0002.html", ivy, "ivy", 200, "Laptop Wembridge left on a train", ""},
		// The permalink leads to the page in the same tree, whoever asks,
		// and shows nothing of it.
		{"/itparg/cases/INC-2026-0002/", nil, "nobody", 301, "", "/itparg/cases/INC-2026-0002.html"},
		{"/itparg/cases/INC-2026-0002/", ivy, "ivy", 301, "", "/itparg/cases/INC-2026-0002.html"},
		{"/itparg/data/cases.csv", ivy, "ivy", 200, "Wembridge", ""},
		{"/itparg/data/search.json", alice, "alice", 401, "", ""},
		{"/business-it/cases/INC-2026-0002.html", alice, "alice", 404, "", ""},
		{"/business-it/cases/INC-2026-0001.html", alice, "alice", 200, "Phishing wave Qorvath depot", ""},
		{"/business-it/../itparg/cases/INC-2026-0002.html", alice, "alice", 401, "", ""},
		// nginx resolves the dot-segments first: the redirect leads to
		// itparg's page, which asks for itparg's credentials.
		{"/business-it/cases/..%2f..%2fitparg/cases/INC-2026-0002/", alice, "alice", 301, "", "/itparg/cases/INC-2026-0002.html"},
		{"/business-it/%2e%2e/itparg/data/cases.json", alice, "alice", 401, "", ""},
		{"/business-it/..%2Fitparg/feed.xml", alice, "alice", 401, "", ""},
		{"/nginx.conf", ivy, "ivy", 404, "", ""},
	} {
		code, h, body := get(t, srv.base, "GET", c.path, c.who)
		if code != c.want {
			t.Errorf("GET %s as %s: %d, want %d", c.path, c.whom, code, c.want)
		}
		if c.shows != "" && !strings.Contains(body, c.shows) {
			t.Errorf("GET %s as %s lacks %q", c.path, c.whom, c.shows)
		}
		if c.to != "" && h.Get("Location") != srv.base+c.to {
			t.Errorf("GET %s: redirected to %q, want %q", c.path, h.Get("Location"), srv.base+c.to)
		}
		if c.shows == "" && (strings.Contains(body, "Wembridge") || strings.Contains(body, "narrative-pd")) {
			t.Errorf("GET %s as %s leaked the personal-data case", c.path, c.whom)
		}
		checkHeaders(t, c.path, h)
	}
}
