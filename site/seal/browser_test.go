package seal

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chrome drives headless Chromium over the DevTools protocol on a pipe
// (--remote-debugging-pipe: commands in on fd 3, replies out on fd 4,
// each a JSON message ended by a NUL byte).
type chrome struct {
	t       *testing.T
	cmd     *exec.Cmd
	in      *os.File
	out     *bufio.Reader
	id      int
	session string
}

func startChrome(t *testing.T) *chrome {
	t.Helper()
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("SKIP: chromium is not installed (apt-get install chromium); the browser side of sealed pages is NOT tested")
	}
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	resR, resW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--no-first-run", "--remote-debugging-pipe", "--user-data-dir="+t.TempDir(), "about:blank")
	cmd.ExtraFiles = []*os.File{cmdR, resW}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cmdR.Close()
	resW.Close()
	c := &chrome{t: t, cmd: cmd, in: cmdW, out: bufio.NewReader(resR)}
	t.Cleanup(func() {
		cmdW.Close()
		cmd.Process.Kill()
		cmd.Wait()
		resR.Close()
		if t.Failed() {
			t.Logf("chromium stderr:\n%s", stderr.String())
		}
	})
	var target struct{ TargetID string }
	c.call("", "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var att struct{ SessionID string }
	c.call("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att)
	c.session = att.SessionID
	c.call(c.session, "Page.enable", nil, nil)
	// Record every Content-Security-Policy violation the pages report.
	c.call(c.session, "Page.addScriptToEvaluateOnNewDocument", map[string]any{"source": `window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });`}, nil)
	return c
}

// call sends a command and waits for its reply, skipping events.
func (c *chrome) call(session, method string, params any, result any) {
	c.t.Helper()
	if err := c.try(session, method, params, result); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

func (c *chrome) try(session, method string, params any, result any) error {
	c.id++
	msg := map[string]any{"id": c.id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	b, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	if _, err := c.in.Write(append(b, 0)); err != nil {
		return err
	}
	for {
		line, err := c.out.ReadBytes(0)
		if err != nil {
			return fmt.Errorf("read from chromium: %w", err)
		}
		var reply struct {
			ID     int
			Result json.RawMessage
			Error  *struct{ Message string }
		}
		if err := json.Unmarshal(line[:len(line)-1], &reply); err != nil {
			return err
		}
		if reply.ID != c.id {
			continue
		}
		if reply.Error != nil {
			return fmt.Errorf("%s", reply.Error.Message)
		}
		if result != nil {
			return json.Unmarshal(reply.Result, result)
		}
		return nil
	}
}

// eval runs JavaScript in the page and returns its value as JSON.
func (c *chrome) eval(expr string) (string, error) {
	var r struct {
		Result struct {
			Value json.RawMessage
		}
		ExceptionDetails *struct{ Text string }
	}
	if err := c.try(c.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &r); err != nil {
		return "", err
	}
	if r.ExceptionDetails != nil {
		return "", fmt.Errorf("%s", r.ExceptionDetails.Text)
	}
	return string(r.Result.Value), nil
}

func (c *chrome) navigate(url string) {
	c.t.Helper()
	c.call(c.session, "Page.navigate", map[string]any{"url": url}, nil)
}

// waitState waits until the page's data-seal attribute is one of states
// and returns it. It asks the page again until the answer comes or the
// deadline passes: PBKDF2 with 600,000 rounds takes a moment.
func (c *chrome) waitState(url string, states ...string) string {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, err := c.eval(`location.href + ' ' + document.documentElement.getAttribute('data-seal')`)
		if err == nil {
			var s string
			json.Unmarshal([]byte(v), &s)
			href, st, _ := strings.Cut(s, " ")
			if href == url {
				for _, want := range states {
					if st == want {
						return st
					}
				}
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: data-seal never became %v (last %s, %v)", url, states, v, err)
		}
		time.Sleep(25 * time.Millisecond) // polling a condition, with a deadline
	}
}

func (c *chrome) text() string {
	c.t.Helper()
	v, err := c.eval(`document.documentElement.outerHTML`)
	if err != nil {
		c.t.Fatal(err)
	}
	var s string
	json.Unmarshal([]byte(v), &s)
	return s
}

func (c *chrome) submit(passphrase string) {
	c.t.Helper()
	p, _ := json.Marshal(passphrase)
	if _, err := c.eval(`(function () {
	var i = document.getElementById('register-seal-passphrase');
	i.focus(); i.value = ` + string(p) + `;
	document.getElementById('register-seal-form').requestSubmit();
	return true; })()`); err != nil {
		c.t.Fatal(err)
	}
}

func (c *chrome) cspViolations() string {
	v, _ := c.eval(`JSON.stringify(window.__csp)`)
	return v
}

func TestBrowser(t *testing.T) {
	c := startChrome(t)
	dir := t.TempDir()
	tree := filepath.Join(dir, "public", "itparg")
	writeTree(t, tree)
	sealTree(t, tree)
	// A second copy whose pages are damaged or moved.
	bad := filepath.Join(dir, "public", "bad")
	writeTree(t, bad)
	sealTree(t, bad)
	casePage := filepath.Join(bad, "cases", "INC-2026-0007", "index.html")
	sealed, _ := os.ReadFile(casePage)
	m := sealedRe.FindSubmatchIndex(sealed)
	ct, _ := base64.StdEncoding.DecodeString(string(sealed[m[4]:m[5]]))
	ct[len(ct)/2] ^= 0x20
	forged := append(bytes.Clone(sealed[:m[4]]), []byte(base64.StdEncoding.EncodeToString(ct))...)
	forged = append(forged, sealed[m[5]:]...)
	must(t, os.WriteFile(casePage, forged, 0o644))
	// The dashboard's ciphertext put in place of the cases list.
	home, _ := os.ReadFile(filepath.Join(bad, "index.html"))
	home = bytes.ReplaceAll(home, []byte(`data-root="./"`), []byte(`data-root="../"`))
	home = bytes.ReplaceAll(home, []byte(`"./static/`), []byte(`"../static/`))
	must(t, os.WriteFile(filepath.Join(bad, "cases", "index.html"), home, 0o644))

	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(dir, "public"))))
	defer srv.Close()

	for _, base := range []string{"file://" + filepath.ToSlash(filepath.Join(dir, "public")), srv.URL} {
		t.Run(strings.SplitN(base, ":", 2)[0], func(t *testing.T) {
			c.t = t
			// Go's file server sends .../index.html to .../, as nginx
			// serves folders; file:// needs the file's name.
			u := func(p string) string {
				if strings.HasPrefix(base, "http") {
					p = strings.TrimSuffix(p, "index.html")
				}
				return base + p
			}
			caseURL := u("/itparg/cases/INC-2026-0007/index.html")
			// Locked: the form and nothing of the case.
			c.navigate(caseURL)
			c.waitState(caseURL, "locked")
			noMarkers(t, "locked page", c.text())

			// A wrong passphrase: a message, still nothing.
			c.submit(testPass + " nope")
			c.waitState(caseURL, "wrong")
			html := c.text()
			noMarkers(t, "after a wrong passphrase", html)
			if !strings.Contains(html, "That passphrase did not open this page") {
				t.Errorf("no message after a wrong passphrase:\n%s", html)
			}

			// The right one: the case, its scripts run, no CSP violation.
			c.submit(testPass)
			c.waitState(caseURL, "open")
			html = c.text()
			for _, want := range []string{"Phishing wave at Depot", "Zebedee Quartermain", `data-app-ran="yes"`, `data-ready="yes"`, "register-seal-lock", "<title>INC-2026-0007"} {
				if !strings.Contains(html, want) {
					t.Errorf("opened page lacks %q:\n%s", want, html)
				}
			}
			if strings.Contains(html, `id="register-sealed"`) {
				t.Error("the shell is still in the opened page")
			}
			if v := c.cspViolations(); v != "\"[]\"" {
				t.Errorf("CSP violations: %s", v)
			}

			// Another page of the tree opens without asking again.
			home := u("/itparg/index.html")
			c.navigate(home)
			c.waitState(home, "open")
			if !strings.Contains(c.text(), "Dashboard") {
				t.Error("the dashboard did not open with the stored key")
			}
			if strings.HasPrefix(base, "http") {
				v, err := c.eval(`registerSeal.fetch('data/register.csv').then(function (b) { return new TextDecoder().decode(b); })`)
				if err != nil || !strings.Contains(v, "Zebedee Quartermain") {
					t.Errorf("registerSeal.fetch of the CSV: %s %v", v, err)
				}
			}

			// Tampered and moved pages, with the right key at hand.
			for _, p := range []string{"/bad/cases/INC-2026-0007/index.html", "/bad/cases/index.html"} {
				c.navigate(u("/bad/index.html"))
				if c.waitState(u("/bad/index.html"), "locked", "open") == "locked" {
					c.submit(testPass)
					c.waitState(u("/bad/index.html"), "open")
				}
				c.navigate(u(p))
				c.waitState(u(p), "tampered")
				html := c.text()
				noMarkers(t, p, html)
				if !strings.Contains(html, "changed or damaged") {
					t.Errorf("%s: no message for a damaged page:\n%s", p, html)
				}
			}

			// Lock forgets the key.
			c.navigate(home)
			c.waitState(home, "open")
			if _, err := c.eval(`document.getElementById('register-seal-lock').click(); true`); err != nil {
				t.Fatal(err)
			}
			c.waitState(home, "locked")
			noMarkers(t, "after Lock", c.text())
			v, _ := c.eval(`Object.keys(sessionStorage).join(',')`)
			if strings.Contains(v, "register-seal") {
				t.Errorf("sessionStorage after Lock: %s", v)
			}
		})
	}
}

func noMarkers(t *testing.T, what, html string) {
	t.Helper()
	for _, m := range markers {
		if strings.Contains(html, m) {
			t.Errorf("%s shows %q", what, m)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestBrowserRealBuild builds the small register in testdata/reg with
// package site, seals it as register build --encrypt does, and opens it
// in Chromium: the case, the dashboard and search all work.
func TestBrowserRealBuild(t *testing.T) {
	out := buildReal(t)
	c := startChrome(t)
	srv := httptest.NewServer(http.FileServer(http.Dir(out)))
	defer srv.Close()
	for _, base := range []string{"file://" + filepath.ToSlash(out), srv.URL} {
		t.Run(strings.SplitN(base, ":", 2)[0], func(t *testing.T) {
			c.t = t
			file := strings.HasPrefix(base, "file:")
			u := func(p string) string {
				if file {
					p += "index.html"
				}
				return base + p
			}
			casePage := base + "/itparg/cases/INC-2026-0002.html"
			c.navigate(casePage)
			c.waitState(casePage, "locked")
			noRealMarkers(t, c.text())
			c.submit(testPass)
			c.waitState(casePage, "open")
			html := c.text()
			for _, want := range []string{"Laptop Wembridge left on a train", "narrative-pd-5521", "INC-2026-0002"} {
				if !strings.Contains(html, want) {
					t.Errorf("the opened case page lacks %q", want)
				}
			}
			if v := c.cspViolations(); v != "\"[]\"" {
				t.Errorf("CSP violations: %s", v)
			}
			home := u("/itparg/")
			c.navigate(home)
			c.waitState(home, "open")
			if !strings.Contains(c.text(), "Phishing wave Qorvath depot") {
				t.Error("the dashboard does not list the case")
			}
			if file {
				return // browsers let no script read other files from file://
			}
			// A click on the CSV link downloads the decrypted file.
			downloads := t.TempDir()
			c.call("", "Browser.setDownloadBehavior", map[string]any{"behavior": "allow", "downloadPath": downloads}, nil)
			if _, err := c.eval(`document.querySelector('a[href$="data/cases.csv"]').click(); true`); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				b, err := os.ReadFile(filepath.Join(downloads, "cases.csv"))
				if err == nil && bytes.Contains(b, []byte("Phishing wave Qorvath depot")) {
					if bytes.Contains(b, []byte("register-seal")) {
						t.Errorf("the download is the envelope:\n%s", b)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no decrypted cases.csv downloaded (%v, %q)", err, b)
				}
				time.Sleep(25 * time.Millisecond) // polling a condition, with a deadline
			}

			search := u("/itparg/search/") + "?q=qorvath"
			c.navigate(search)
			c.waitState(search, "open")
			deadline = time.Now().Add(10 * time.Second)
			for !strings.Contains(c.text(), "1 case matches") {
				if time.Now().After(deadline) {
					t.Fatalf("search in the encrypted tree found nothing:\n%s", c.text())
				}
				time.Sleep(25 * time.Millisecond) // polling a condition, with a deadline
			}
		})
	}
}
