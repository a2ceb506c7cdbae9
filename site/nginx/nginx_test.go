package nginx

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/council/register/register"
	"github.com/council/register/site"
	"golang.org/x/crypto/bcrypt"
)

func settings() *register.Settings {
	s := register.DefaultSettings()
	s.Audiences = []register.Audience{
		{Name: "itparg", Title: "IT Policy & Regulation Group", Roles: []string{"itparg"}},
		{Name: "simo", Title: "SIMO and DPO", Roles: []string{"simo"}},
		{Name: "business-it", Title: "Business IT", Roles: []string{"business-it"}},
	}
	return s
}

// secret is the marker only audience a's tree holds.
func secret(a string) string { return "MARKER-" + strings.ToUpper(a) + "-7f3a" }

// writeTrees writes a small site: per audience an index, a case page, an
// alternative index name and a dotfile, each holding the audience's marker.
func writeTrees(t *testing.T, root string, s *register.Settings) {
	t.Helper()
	for _, a := range s.Audiences {
		files := map[string]string{
			"index.html":                          "dashboard " + secret(a.Name),
			"cases/INC-2026-0007.html":            "case " + secret(a.Name),
			"cases/index.htm":                     "alt index " + secret(a.Name),
			"data/register.json":                  `{"m":"` + secret(a.Name) + `"}`,
			".git/config":                         "dotfolder " + secret(a.Name),
			".secret":                             "dotfile " + secret(a.Name),
			"cases/INC-2026-0007/.htaccess":       "dotfile " + secret(a.Name),
			"cases/INC-2026-0008/notes/index.htm": "alt " + secret(a.Name),
		}
		for name, body := range files {
			p := filepath.Join(root, a.Name, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte("<!DOCTYPE html><title>x</title><p>"+body+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Planted links from itparg's tree into simo's: a file and a folder.
	must(t, os.Symlink(filepath.Join(root, "simo", "cases", "INC-2026-0007.html"), filepath.Join(root, "itparg", "leak.html")))
	must(t, os.Symlink("../simo", filepath.Join(root, "itparg", "simo-tree")))
	must(t, os.WriteFile(filepath.Join(root, "top.html"), []byte("top "+secret("top")), 0o644))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// server is a running nginx.
type server struct {
	base string
	dir  string
}

// startNginx runs nginx in the foreground as a single process on a free
// loopback port with conf included in its http block, and stops it when
// the test ends.
func startNginx(t *testing.T, confPath string, port int) *server {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		for _, p := range []string{"/usr/sbin/nginx", "/sbin/nginx"} {
			if _, err2 := os.Stat(p); err2 == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		t.Skip("SKIP: nginx is not installed (apt-get install nginx); the web-server gate is NOT tested")
	}
	dir := t.TempDir()
	mime := "/etc/nginx/mime.types"
	if _, err := os.Stat(mime); err != nil {
		t.Skipf("SKIP: %s missing; the web-server gate is NOT tested", mime)
	}
	main := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 64; }
http {
	include %[2]s;
	default_type application/octet-stream;
	access_log %[1]s/access.log;
	client_body_temp_path %[1]s/client;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	include %[3]s;
}
`, dir, mime, confPath)
	mainPath := filepath.Join(dir, "main.conf")
	must(t, os.WriteFile(mainPath, []byte(main), 0o644))
	if out, err := exec.Command(bin, "-t", "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", mainPath).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t refused the configuration: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", mainPath)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	must(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			if b, err := os.ReadFile(filepath.Join(dir, "error.log")); err == nil {
				t.Logf("nginx error.log:\n%s", b)
			}
		}
	})
	// Wait until it accepts connections, or exits.
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-done:
			b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited: %v\n%s", err, b)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("nginx did not start listening")
		}
	}
	return &server{base: "http://" + addr, dir: dir}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// get sends a raw request path (not cleaned by Go) and returns the
// status, headers and body.
func get(t *testing.T, base, method, rawPath string, set func(*http.Request)) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+"/", nil)
	must(t, err)
	req.URL.Opaque = rawPath
	if set != nil {
		set(req)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	must(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	must(t, err)
	return res.StatusCode, res.Header, string(b)
}

func basic(user, pass string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(user, pass) }
}

// probes are request paths that try to leave the itparg tree or reach
// what no one should be served.
var probes = []string{
	"/itparg/../simo/index.html",
	"/itparg/%2e%2e/simo/index.html",
	"/itparg/%2E%2E/simo/cases/INC-2026-0007/",
	"/itparg/..%2fsimo/index.html",
	"/itparg/..%2Fsimo/index.html",
	"/itparg/%2e%2e%2fsimo%2findex.html",
	"/itparg%2f..%2fsimo/index.html",
	"/itparg/cases/..%2f..%2f..%2fsimo/index.html",
	"//simo//index.html",
	"/itparg//../simo/index.html",
	"/itparg/.%2e/simo/index.html",
	"/itparg/leak.html",
	"/itparg/simo-tree/index.html",
	"/itparg/simo-tree/",
	"/itparg/cases/index.htm",
	"/itparg/cases/",
	"/itparg/cases/INC-2026-0008/notes/",
	"/itparg/.secret",
	"/itparg/.git/config",
	"/itparg/%2egit/config",
	"/itparg/cases/INC-2026-0007/.htaccess",
	"/nginx.conf",
	"/top.html",
	"/",
	"/itparg/index.html%00.txt",
	"/itparg/index.html/",
	"/ITPARG/index.html",
	"/itparg\\..\\simo\\index.html",
	"/itparg/%5c..%5csimo/index.html",
}

func TestBasic(t *testing.T) {
	s := settings()
	root := t.TempDir()
	public := filepath.Join(root, "public")
	writeTrees(t, public, s)
	htdir := filepath.Join(root, "htpasswd")
	must(t, os.MkdirAll(htdir, 0o755))
	users := map[string][2]string{ // audience → user, password
		"itparg":      {"ivy", "correct horse itparg"},
		"simo":        {"sam", "battery staple simo"},
		"business-it": {"bob", "tr0ub4dor business"},
	}
	for a, up := range users {
		h, err := setPassword(nil, up[0], []byte(up[1]), bcrypt.MinCost)
		must(t, err)
		if !strings.HasPrefix(strings.SplitN(string(h), ":", 2)[1], "$2y$04$") {
			t.Fatalf("hash is not $2y$: %s", h)
		}
		must(t, os.WriteFile(HtpasswdPath(htdir, a), h, 0o644))
	}
	port := freePort(t)
	conf, err := Config(s, Options{Root: public, Listen: fmt.Sprintf("127.0.0.1:%d", port), HtpasswdDir: htdir})
	must(t, err)
	confPath := filepath.Join(public, "nginx.conf")
	must(t, os.WriteFile(confPath, conf, 0o644))
	srv := startNginx(t, confPath, port)

	for _, a := range s.Audiences {
		up := users[a.Name]
		for _, p := range []string{"/" + a.Name + "/", "/" + a.Name + "/cases/INC-2026-0007.html"} {
			code, h, body := get(t, srv.base, "GET", p, nil)
			if code != http.StatusUnauthorized {
				t.Errorf("GET %s without credentials: %d, want 401", p, code)
			}
			checkHeaders(t, p, h)
			if strings.Contains(body, "MARKER-") {
				t.Errorf("GET %s without credentials leaked %q", p, body)
			}
			code, h, body = get(t, srv.base, "GET", p, basic(up[0], up[1]))
			if code != http.StatusOK || !strings.Contains(body, secret(a.Name)) {
				t.Errorf("GET %s as %s: %d %q, want 200 with the marker", p, up[0], code, body)
			}
			checkHeaders(t, p, h)
			code, _, _ = get(t, srv.base, "GET", p, basic(up[0], up[1]+"x"))
			if code != http.StatusUnauthorized {
				t.Errorf("GET %s with a wrong password: %d, want 401", p, code)
			}
			for other, oup := range users {
				if other == a.Name {
					continue
				}
				code, _, body := get(t, srv.base, "GET", p, basic(oup[0], oup[1]))
				if code != http.StatusUnauthorized && code != http.StatusForbidden {
					t.Errorf("GET %s as %s of %s: %d, want 401 or 403", p, oup[0], other, code)
				}
				if strings.Contains(body, "MARKER-") {
					t.Errorf("GET %s as %s leaked %q", p, oup[0], body)
				}
			}
		}
	}
	// The itparg reader tries every way out of their tree.
	ivy := basic(users["itparg"][0], users["itparg"][1])
	for _, p := range probes {
		code, h, body := get(t, srv.base, "GET", p, ivy)
		for _, a := range []string{"simo", "business-it", "top"} {
			if strings.Contains(body, secret(a)) {
				t.Errorf("GET %s as itparg: %d reached %s's marker", p, code, a)
			}
		}
		if strings.Contains(p, ".git") || strings.Contains(p, ".secret") || strings.Contains(p, ".htaccess") || strings.Contains(p, "leak") || strings.Contains(p, "simo-tree") {
			if strings.Contains(body, "MARKER-") {
				t.Errorf("GET %s as itparg: %d served %q", p, code, body)
			}
		}
		if code == http.StatusOK && !strings.Contains(body, secret("itparg")) {
			t.Errorf("GET %s as itparg: 200 with %q", p, body)
		}
		// A folder is served only by its index.html, never another name.
		if strings.HasSuffix(p, "/") && strings.Contains(body, "alt") {
			t.Errorf("GET %s as itparg: served an alternative index %q", p, body)
		}
		checkHeaders(t, p, h)
	}
	for _, m := range []string{"POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PROPFIND"} {
		code, h, _ := get(t, srv.base, m, "/itparg/index.html", ivy)
		if code != http.StatusMethodNotAllowed {
			t.Errorf("%s /itparg/index.html: %d, want 405", m, code)
		}
		checkHeaders(t, m, h)
	}
	if code, _, body := get(t, srv.base, "HEAD", "/itparg/index.html", ivy); code != 200 || body != "" {
		t.Errorf("HEAD: %d %q", code, body)
	}
	if code, h, _ := get(t, srv.base, "GET", "/itparg", nil); code != http.StatusMovedPermanently || h.Get("Location") == "" {
		t.Errorf("GET /itparg: %d, want a redirect to /itparg/", code)
	}
}

func checkHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	want := map[string]string{
		"Content-Security-Policy": site.CSPHeader,
		"Referrer-Policy":         "no-referrer",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Cache-Control":           "no-store",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: header %s = %q, want %q", what, k, got, v)
		}
	}
	if s := h.Get("Server"); strings.Contains(s, "/") {
		t.Errorf("%s: Server header gives the version: %q", what, s)
	}
}

// fakeSSO is an oauth2-proxy stand-in: a cookie names the user, whose
// groups it reports. It ignores allowed_groups, as a sign-in endpoint
// that does not know that parameter would, so nginx's own group check is
// what keeps readers out.
type fakeSSO struct {
	mu      sync.Mutex
	allowed []string
}

func (f *fakeSSO) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/oauth2/auth":
		f.mu.Lock()
		f.allowed = append(f.allowed, r.URL.Query().Get("allowed_groups"))
		f.mu.Unlock()
		c, err := r.Cookie("who")
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		groups := map[string]string{
			"ivy":   "staff,itparg-members",
			"sam":   "staff, simo",
			"eve":   "staff,itparg-members-old,notitparg-members",
			"multi": "simo itparg-members",
		}[c.Value]
		if groups == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("X-Auth-Request-Groups", groups)
		w.WriteHeader(http.StatusAccepted)
	case "/oauth2/start":
		fmt.Fprintf(w, "sign in page rd=%s", r.URL.Query().Get("rd"))
	default:
		http.NotFound(w, r)
	}
}

func TestSSO(t *testing.T) {
	s := settings()
	public := filepath.Join(t.TempDir(), "public")
	writeTrees(t, public, s)
	sso := &fakeSSO{}
	ts := httptest.NewServer(sso)
	defer ts.Close()
	port := freePort(t)
	conf, err := Config(s, Options{
		Root: public, Listen: fmt.Sprintf("127.0.0.1:%d", port), Auth: SSO,
		SSO: SSOOptions{Upstream: ts.URL, Groups: map[string][]string{"itparg": {"itparg-members"}}},
	})
	must(t, err)
	confPath := filepath.Join(public, "nginx.conf")
	must(t, os.WriteFile(confPath, conf, 0o644))
	srv := startNginx(t, confPath, port)
	who := func(u string) func(*http.Request) {
		return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "who", Value: u}) }
	}

	code, h, _ := get(t, srv.base, "GET", "/itparg/cases/INC-2026-0007.html", nil)
	if code != http.StatusFound || !strings.HasPrefix(h.Get("Location"), srv.base+"/oauth2/start?rd=/itparg/cases/INC-2026-0007.html") {
		t.Errorf("not signed in: %d Location=%q, want 302 to the sign-in", code, h.Get("Location"))
	}
	checkHeaders(t, "sign-in redirect", h)
	if code, _, body := get(t, srv.base, "GET", "/oauth2/start?rd=/itparg/", nil); code != 200 || !strings.Contains(body, "sign in page") {
		t.Errorf("sign-in page through nginx: %d %q", code, body)
	}
	if code, _, _ := get(t, srv.base, "GET", "/_register/auth/itparg", who("ivy")); code != http.StatusNotFound {
		t.Errorf("the internal auth location answered the outside: %d", code)
	}
	cases := []struct {
		user, path string
		want       int
		marker     string
	}{
		{"ivy", "/itparg/", 200, secret("itparg")},
		{"ivy", "/itparg/cases/INC-2026-0007.html", 200, secret("itparg")},
		{"ivy", "/simo/", 403, ""},
		{"ivy", "/business-it/cases/INC-2026-0007.html", 403, ""},
		{"sam", "/simo/cases/INC-2026-0007.html", 200, secret("simo")},
		{"sam", "/itparg/", 403, ""},
		{"eve", "/itparg/", 403, ""}, // look-alike groups
		{"multi", "/itparg/index.html", 200, secret("itparg")},
		{"multi", "/simo/index.html", 200, secret("simo")},
		{"multi", "/business-it/index.html", 403, ""},
		{"nobody", "/itparg/", 302, ""},
	}
	for _, c := range cases {
		code, h, body := get(t, srv.base, "GET", c.path, who(c.user))
		if code != c.want {
			t.Errorf("GET %s as %s: %d, want %d", c.path, c.user, code, c.want)
		}
		if c.marker != "" && !strings.Contains(body, c.marker) {
			t.Errorf("GET %s as %s: body %q lacks %s", c.path, c.user, body, c.marker)
		}
		if c.marker == "" && strings.Contains(body, "MARKER-") {
			t.Errorf("GET %s as %s leaked %q", c.path, c.user, body)
		}
		checkHeaders(t, c.path, h)
	}
	for _, p := range probes {
		code, _, body := get(t, srv.base, "GET", p, who("ivy"))
		for _, a := range []string{"simo", "business-it", "top"} {
			if strings.Contains(body, secret(a)) {
				t.Errorf("GET %s as ivy: %d reached %s's marker", p, code, a)
			}
		}
		if code == http.StatusOK && !strings.Contains(body, secret("itparg")) {
			t.Errorf("GET %s as ivy: 200 with %q", p, body)
		}
	}
	sso.mu.Lock()
	defer sso.mu.Unlock()
	seen := strings.Join(sso.allowed, " ")
	if !strings.Contains(seen, "itparg-members") || !strings.Contains(seen, "simo") {
		t.Errorf("the endpoint was not told the allowed groups: %q", seen)
	}
}

func TestConfigRefuses(t *testing.T) {
	s := settings()
	for name, o := range map[string]Options{
		"relative root":      {Root: "public"},
		"root with syntax":   {Root: "/srv/x;y"},
		"htpasswd in root":   {Root: "/srv/public", HtpasswdDir: "/srv/public/auth"},
		"bad listen":         {Root: "/srv/public", Listen: "80; include /etc/passwd"},
		"bad auth":           {Root: "/srv/public", Auth: "digest"},
		"sso without url":    {Root: "/srv/public", Auth: SSO},
		"sso url with path":  {Root: "/srv/public", Auth: SSO, SSO: SSOOptions{Upstream: "http://127.0.0.1:4180/x"}},
		"group with quote":   {Root: "/srv/public", Auth: SSO, SSO: SSOOptions{Upstream: "http://127.0.0.1:4180", Groups: map[string][]string{"simo": {`a"b`}}}},
		"group list empty":   {Root: "/srv/public", Auth: SSO, SSO: SSOOptions{Upstream: "http://127.0.0.1:4180", Groups: map[string][]string{"simo": {}}}},
		"tls without key":    {Root: "/srv/public", TLSCertificate: "/etc/ssl/c.pem"},
		"server name syntax": {Root: "/srv/public", ServerName: "a b"},
	} {
		if _, err := Config(s, o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSetPassword(t *testing.T) {
	h, err := SetPassword([]byte("# readers\nann:$2y$05$abc\nbob:$2y$05$def\n"), "bob", []byte("new one"))
	must(t, err)
	sc := bufio.NewScanner(strings.NewReader(string(h)))
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) != 3 || lines[0] != "# readers" || lines[1] != "ann:$2y$05$abc" || !strings.HasPrefix(lines[2], "bob:$2y$12$") {
		t.Fatalf("got %q", lines)
	}
	if !CheckPassword(h, "bob", []byte("new one")) || CheckPassword(h, "bob", []byte("new on")) {
		t.Error("CheckPassword")
	}
	h2, err := SetPassword(h, "cat", []byte("x"))
	must(t, err)
	if !strings.HasPrefix(string(h2), string(h)) || !CheckPassword(h2, "cat", []byte("x")) {
		t.Errorf("adding a user changed the others: %q", h2)
	}
	for _, u := range []string{"", "a:b", "a b", "a\nb"} {
		if _, err := SetPassword(nil, u, []byte("x")); err == nil {
			t.Errorf("user %q accepted", u)
		}
	}
	if _, err := SetPassword([]byte("garbage line\n"), "a", []byte("x")); err == nil {
		t.Error("a malformed file was accepted")
	}
}

// TestTLS serves over HTTPS with a throwaway certificate and sends HSTS.
func TestTLS(t *testing.T) {
	s := settings()
	root := t.TempDir()
	public := filepath.Join(root, "public")
	writeTrees(t, public, s)
	certPEM, keyPEM := selfSigned(t)
	cert, key := filepath.Join(root, "cert.pem"), filepath.Join(root, "key.pem")
	must(t, os.WriteFile(cert, certPEM, 0o600))
	must(t, os.WriteFile(key, keyPEM, 0o600))
	htdir := filepath.Join(root, "auth")
	must(t, os.MkdirAll(htdir, 0o755))
	h, err := setPassword(nil, "ivy", []byte("correct horse itparg"), bcrypt.MinCost)
	must(t, err)
	must(t, os.WriteFile(HtpasswdPath(htdir, "itparg"), h, 0o644))
	port := freePort(t)
	conf, err := Config(s, Options{Root: public, Listen: fmt.Sprintf("127.0.0.1:%d", port), HtpasswdDir: htdir, TLSCertificate: cert, TLSKey: key})
	must(t, err)
	confPath := filepath.Join(root, "nginx.conf")
	must(t, os.WriteFile(confPath, conf, 0o644))
	srv := startNginx(t, confPath, port)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}}}
	req, _ := http.NewRequest("GET", strings.Replace(srv.base, "http:", "https:", 1)+"/itparg/", nil)
	req.SetBasicAuth("ivy", "correct horse itparg")
	res, err := client.Do(req)
	must(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), secret("itparg")) {
		t.Errorf("HTTPS: %d %q", res.StatusCode, body)
	}
	if got := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("Strict-Transport-Security = %q", got)
	}
	checkHeaders(t, "https", res.Header)
}

func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	must(t, err)
	kder, err := x509.MarshalECPrivateKey(k)
	must(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}
