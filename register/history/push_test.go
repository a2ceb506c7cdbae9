package history_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/council/register/register/history"
)

// These tests use the real peers: the git and gpg programs, a bare
// repository with the register's pre-receive hook, and git push. The
// register binary is built once in TestMain and put on PATH for the
// hooks.

var binDir string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		if _, err := exec.LookPath("git"); err != nil {
			fmt.Fprintln(os.Stderr, "history tests: git is not installed; the push tests will skip")
			return m.Run()
		}
		dir, err := os.MkdirTemp("", "register-bin-")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(dir)
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "register"), "./cmd/register")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build register: %v\n%s", err, out)
			return 1
		}
		binDir = dir
		return m.Run()
	}())
}

// world is a register with people, their gpg keys, a bare repository
// with the pre-receive hook and a working clone.
type world struct {
	t     *testing.T
	dir   string
	bare  string
	clone string
	env   []string
}

func need(t *testing.T, progs ...string) {
	t.Helper()
	for _, p := range progs {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s is not installed: install it (apt-get install gnupg git) to run this test", p)
		}
	}
	if binDir == "" {
		t.Skip("register binary not built")
	}
}

func (w *world) run(dir string, name string, args ...string) (string, error) {
	w.t.Helper()
	if name == "register" {
		name = filepath.Join(binDir, name) // exec looks up names in our PATH, not cmd.Env's
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = w.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (w *world) must(dir string, name string, args ...string) string {
	w.t.Helper()
	out, err := w.run(dir, name, args...)
	if err != nil {
		w.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func (w *world) write(rel, content string) {
	w.t.Helper()
	p := filepath.Join(w.clone, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// people of the test register: test-only keys generated per run.
var people = []struct{ id, roles string }{
	{"alice", "[business-it]"},
	{"simon", "[simo]"},
	{"bob", "[itparg]"},
}

func newWorld(t *testing.T) *world {
	need(t, "git", "gpg")
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	gnupg := filepath.Join(home, ".gnupg")
	if err := os.MkdirAll(gnupg, 0o700); err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, dir: dir, bare: filepath.Join(dir, "bare.git"), clone: filepath.Join(dir, "clone")}
	w.env = append(os.Environ(), "HOME="+home, "GNUPGHOME="+gnupg, "GIT_CONFIG_NOSYSTEM=1",
		"PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"), "TZ=UTC")
	for _, p := range append(people, struct{ id, roles string }{"mallory", ""}) {
		w.must(dir, "gpg", "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "",
			"--quick-gen-key", p.id+" (register test key, not for use) <"+p.id+"@example.gov.uk>", "future-default", "default", "never")
	}
	w.must(dir, "git", "init", "-q", "--bare", "-b", "main", w.bare)
	w.must(dir, "register", "hooks", "install", "--server", w.bare)
	w.must(dir, "git", "init", "-q", "-b", "main", w.clone)
	w.must(w.clone, "git", "remote", "add", "origin", w.bare)
	w.write("register.yaml", "name: Test register\norganisation: Example Council\n")
	var ps strings.Builder
	ps.WriteString("people:\n")
	for _, p := range people {
		fmt.Fprintf(&ps, "  - id: %s\n    name: %s Test\n    email: %s@example.gov.uk\n    roles: %s\n", p.id, p.id, p.id, p.roles)
		w.write("keys/"+p.id+".asc", w.must(dir, "gpg", "--armor", "--export", p.id+"@example.gov.uk"))
	}
	w.write("people.yaml", ps.String())
	w.write("cases/2026/INC-2026-0001/case.md", caseFile("INC-2026-0001", "reported", ""))
	w.write("cases/2026/INC-2026-0002/case.md", caseFile("INC-2026-0002", "investigating", evidenceEntry))
	enc := filepath.Join(dir, "E01-log.txt.pgp")
	w.must(dir, "sh", "-c", "printf 'evidence' | gpg --batch --trust-model always --encrypt -r simon@example.gov.uk -o "+enc)
	data, err := os.ReadFile(enc)
	if err != nil {
		t.Fatal(err)
	}
	w.write("cases/2026/INC-2026-0002/evidence/E01-log.txt.pgp", string(data))
	w.commit("alice", "alice", "Start the register")
	w.push("main", true)
	return w
}

const evidenceEntry = `evidence:
  - file: E01-log.txt.pgp
    sha256: 9a3f5d1c8f1d1a8f0bde79e1d3b2c4a0c5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0
    size: 8
    collected_by: simon
    collected_at: 2026-03-02T10:00:00Z
    description: Mail server log
    custody:
      - at: 2026-03-02T10:00:00Z
        by: simon
        action: collected
`

func caseFile(id, status, extra string) string {
	s := "---\nid: " + id + "\ntitle: Suspicious email reported\nstatus: " + status +
		"\nreported_at: 2026-03-01T09:00:00Z\nreported_by: a member of staff\n"
	if status != "reported" {
		s += "category: incident\ntypes: [unsolicited-mail]\nimpact: [confidentiality]\ninvestigator: simon\n"
	}
	return s + extra + "---\nThe reporter forwarded a suspicious email.\n"
}

// commit commits everything as author, signed by signer's key ("" for
// unsigned), without the client hooks: the server must catch it.
func (w *world) commit(author, signer, msg string) string {
	w.t.Helper()
	w.must(w.clone, "git", "add", "-A")
	args := []string{"-c", "user.name=" + author + " Test", "-c", "user.email=" + author + "@example.gov.uk"}
	if signer != "" {
		args = append(args, "-c", "user.signingkey="+signer+"@example.gov.uk", "commit", "-q", "--no-verify", "-S", "-m", msg)
	} else {
		args = append(args, "commit", "-q", "--no-verify", "--no-gpg-sign", "-m", msg)
	}
	w.must(w.clone, "git", args...)
	return strings.TrimSpace(w.must(w.clone, "git", "rev-parse", "HEAD"))
}

// push pushes HEAD to a branch and reports git's output; ok says whether
// it must be accepted.
func (w *world) push(branch string, ok bool, extra ...string) string {
	w.t.Helper()
	out, err := w.run(w.clone, "git", append(append([]string{"push"}, extra...), "origin", "HEAD:refs/heads/"+branch)...)
	if ok && err != nil {
		w.t.Fatalf("push refused, want accepted:\n%s", out)
	}
	if !ok && err == nil {
		w.t.Fatalf("push accepted, want refused:\n%s", out)
	}
	return out
}

// reset puts the clone back at the server's main.
func (w *world) reset() {
	w.t.Helper()
	w.must(w.clone, "git", "fetch", "-q", "origin")
	w.must(w.clone, "git", "reset", "-q", "--hard", "origin/main")
	w.must(w.clone, "git", "clean", "-qfd")
}

func TestPush(t *testing.T) {
	w := newWorld(t)

	triaged := caseFile("INC-2026-0001", "triaged", "")
	t.Run("legal signed push is accepted", func(t *testing.T) {
		w.t = t
		w.write("cases/2026/INC-2026-0001/case.md", triaged)
		w.commit("alice", "alice", "Triage INC-2026-0001")
		w.push("main", true)
	})

	refusals := []struct {
		name    string
		author  string
		signer  string
		change  func()
		message string
	}{
		{"illegal transition", "simon", "simon", func() {
			w.write("cases/2026/INC-2026-0001/case.md", caseFile("INC-2026-0001", "resolved", ""))
		}, "cases/2026/INC-2026-0001/case.md:4: transition triaged -> resolved is not in the workflow"},
		{"role may not make transition", "bob", "bob", func() {
			w.write("cases/2026/INC-2026-0001/case.md", caseFile("INC-2026-0001", "investigating", ""))
		}, "transition triaged -> investigating may be made by investigator, business-it, simo; bob (itparg) may not"},
		{"unsigned commit", "alice", "", func() {
			w.write("cases/2026/INC-2026-0001/case.md", triaged+"More notes.\n")
		}, "commit is not signed; register.yaml requires signed commits on main"},
		{"signed by another person's key", "alice", "simon", func() {
			w.write("cases/2026/INC-2026-0001/case.md", triaged+"More notes.\n")
		}, "commit by alice is signed with the key of simon"},
		{"author not in people.yaml", "mallory", "mallory", func() {
			w.write("cases/2026/INC-2026-0001/case.md", triaged+"More notes.\n")
		}, "author mallory Test <mallory@example.gov.uk> is not in people.yaml"},
		{"evidence entry edited", "simon", "simon", func() {
			w.write("cases/2026/INC-2026-0002/case.md", caseFile("INC-2026-0002", "investigating",
				strings.Replace(evidenceEntry, "Mail server log", "Nothing to see", 1)))
		}, "cases/2026/INC-2026-0002/case.md:17: evidence entry E01-log.txt.pgp: description changed"},
		{"evidence file deleted", "simon", "simon", func() {
			os.Remove(filepath.Join(w.clone, "cases/2026/INC-2026-0002/evidence/E01-log.txt.pgp"))
		}, "cases/2026/INC-2026-0002/evidence/E01-log.txt.pgp: evidence file deleted"},
		{"case deleted", "simon", "simon", func() {
			os.RemoveAll(filepath.Join(w.clone, "cases/2026/INC-2026-0001"))
		}, "cases/2026/INC-2026-0001/case.md: case INC-2026-0001 deleted; cases are never deleted"},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			w.t = t
			w.reset()
			r.change()
			w.commit(r.author, r.signer, r.name)
			out := w.push("main", false)
			if !strings.Contains(out, r.message) {
				t.Errorf("push refused without naming the rule; want %q in:\n%s", r.message, out)
			}
		})
	}

	t.Run("same new id from two branches", func(t *testing.T) {
		w.t = t
		w.reset()
		base := strings.TrimSpace(w.must(w.clone, "git", "rev-parse", "HEAD"))
		w.write("cases/2026/INC-2026-0003/case.md", caseFile("INC-2026-0003", "reported", ""))
		first := w.commit("alice", "alice", "Report INC-2026-0003")
		w.push("main", true)
		w.must(w.clone, "git", "checkout", "-q", "-b", "other", base)
		w.write("cases/2026/INC-2026-0003/case.md", strings.Replace(caseFile("INC-2026-0003", "reported", ""), "Suspicious email", "Lost laptop", 1))
		w.commit("simon", "simon", "Report INC-2026-0003 too")
		out := w.push("other", false)
		want := "cases/2026/INC-2026-0003/case.md: INC-2026-0003 already exists on other"
		_ = first
		if !strings.Contains(out, want) {
			t.Errorf("want %q in:\n%s", want, out)
		}
		// Merged into main as a pull request would be, the duplicate is
		// refused as well.
		w.must(w.clone, "git", "checkout", "-q", "-B", "main", "origin/main")
		w.must(w.clone, "git", "-c", "user.name=x", "-c", "user.email=x@example.gov.uk", "merge", "-q", "--no-ff", "--no-verify", "-s", "ours", "-m", "Merge other", "other")
		out = w.push("main", false)
		if !strings.Contains(out, "INC-2026-0003 already exists on main") {
			t.Errorf("merge of a duplicate id accepted:\n%s", out)
		}
		w.must(w.clone, "git", "checkout", "-q", "main")
	})

	t.Run("force-push rewriting main", func(t *testing.T) {
		w.t = t
		w.reset()
		w.must(w.clone, "git", "reset", "-q", "--hard", "HEAD~1")
		w.write("cases/2026/INC-2026-0001/case.md", triaged+"Rewritten.\n")
		w.commit("alice", "alice", "Rewrite")
		out := w.push("main", false, "--force")
		if !strings.Contains(out, "rewritten history") {
			t.Errorf("force-push refused without naming the rule:\n%s", out)
		}
	})

	t.Run("deleting main", func(t *testing.T) {
		w.t = t
		out, err := w.run(w.clone, "git", "push", "origin", ":refs/heads/main")
		if err == nil || !strings.Contains(out, "deleting the main branch is refused") {
			t.Errorf("deletion of main not refused (%v):\n%s", err, out)
		}
	})

	t.Run("git verify-commit agrees", func(t *testing.T) {
		w.t = t
		w.reset()
		w.write("cases/2026/INC-2026-0001/case.md", triaged+"a\n")
		good := w.commit("alice", "alice", "good")
		w.write("cases/2026/INC-2026-0001/case.md", triaged+"b\n")
		unsigned := w.commit("alice", "", "unsigned")
		w.write("cases/2026/INC-2026-0001/case.md", triaged+"c\n")
		wrong := w.commit("alice", "simon", "wrong signer")
		repo, err := history.Open(w.clone)
		if err != nil {
			t.Fatal(err)
		}
		defer repo.Close()
		ix, err := repo.Index(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			hash string
			want history.Verdict
		}{{good, history.Verified}, {unsigned, history.Unsigned}, {wrong, history.WrongSigner}} {
			got := ix.Commit(c.hash)
			if got == nil || got.Verdict != c.want {
				t.Errorf("%s: verdict %v, want %s", c.hash[:7], got, c.want)
				continue
			}
			_, err := w.run(w.clone, "git", "verify-commit", c.hash)
			gitGood := err == nil
			ourGood := got.Verdict == history.Verified || got.Verdict == history.WrongSigner // a valid signature, whoever's
			if gitGood != ourGood {
				t.Errorf("%s: git verify-commit says valid=%v, we say %s", c.hash[:7], gitGood, got.Verdict)
			}
		}
		for _, c := range ix.Commits {
			if c.Verdict == history.Verified {
				if _, err := w.run(w.clone, "git", "verify-commit", c.Hash); err != nil {
					t.Errorf("%s: verified by us, not by git verify-commit", c.Short())
				}
			}
		}
	})
}

func TestPreCommitLeavesTreeAsItWas(t *testing.T) {
	w := newWorld(t)
	w.must(w.clone, "register", "hooks", "install")
	w.write("cases/2026/INC-2026-0001/case.md", caseFile("INC-2026-0001", "closed", ""))
	w.write("cases/2026/INC-2026-0001/evidence/E01-plain.txt.pgp", "plaintext!")
	w.must(w.clone, "git", "add", "-A")
	before := w.must(w.clone, "git", "status", "--porcelain")
	beforeDiff := w.must(w.clone, "git", "diff", "--cached")
	out, err := w.run(w.clone, "git", "-c", "user.name=alice", "-c", "user.email=alice@example.gov.uk", "commit", "--no-gpg-sign", "-m", "close")
	if err == nil {
		t.Fatalf("pre-commit accepted an illegal commit:\n%s", out)
	}
	for _, want := range []string{
		"cases/2026/INC-2026-0001/case.md:4: transition reported -> closed is not in the workflow",
		"cases/2026/INC-2026-0001/evidence/E01-plain.txt.pgp: evidence is not an encrypted OpenPGP message",
		"register: commit refused",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q in:\n%s", want, out)
		}
	}
	if after := w.must(w.clone, "git", "status", "--porcelain"); after != before {
		t.Errorf("status changed:\n%s\nwas:\n%s", after, before)
	}
	if after := w.must(w.clone, "git", "diff", "--cached"); after != beforeDiff {
		t.Errorf("index changed")
	}
	data, _ := os.ReadFile(filepath.Join(w.clone, "cases/2026/INC-2026-0001/case.md"))
	if string(data) != caseFile("INC-2026-0001", "closed", "") {
		t.Errorf("working file changed")
	}
}

func TestCommitMsgAddsTrailers(t *testing.T) {
	w := newWorld(t)
	w.must(w.clone, "register", "hooks", "install")
	w.write("cases/2026/INC-2026-0001/case.md", caseFile("INC-2026-0001", "triaged", ""))
	w.must(w.clone, "git", "add", "-A")
	w.must(w.clone, "git", "-c", "user.name=alice", "-c", "user.email=alice@example.gov.uk", "-c", "user.signingkey=alice@example.gov.uk",
		"commit", "-q", "-S", "-m", "Triage the phishing report")
	msg := w.must(w.clone, "git", "log", "-1", "--format=%B")
	want := "Triage the phishing report\n\nCase: INC-2026-0001\nTransition: reported -> triaged\n"
	if strings.TrimSpace(msg) != strings.TrimSpace(want) {
		t.Errorf("message:\n%s\nwant:\n%s", msg, want)
	}
	w.write("cases/2026/INC-2026-0001/case.md", caseFile("INC-2026-0001", "investigating", ""))
	w.must(w.clone, "git", "add", "-A")
	out, err := w.run(w.clone, "git", "-c", "user.name=alice", "-c", "user.email=alice@example.gov.uk",
		"commit", "--no-gpg-sign", "-m", "Investigate\n\nTransition: triaged -> closed")
	if err == nil || !strings.Contains(out, "trailer Transition: triaged -> closed does not match the staged change (INC-2026-0001 triaged -> investigating)") {
		t.Errorf("wrong trailer not refused (%v):\n%s", err, out)
	}
}

// TestSignatureAsOfCommitTime: a key that has expired since does not void
// the commits it signed while valid; a commit signed after the key expired
// is judged expired-key. gpg's clock is faked to make and use a key in the
// past, and git verify-commit agrees the old signature is good.
func TestSignatureAsOfCommitTime(t *testing.T) {
	need(t, "git", "gpg")
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	os.MkdirAll(filepath.Join(home, ".gnupg"), 0o700)
	w := &world{t: t, dir: dir, clone: filepath.Join(dir, "reg")}
	w.env = append(os.Environ(), "HOME="+home, "GNUPGHOME="+filepath.Join(home, ".gnupg"), "GIT_CONFIG_NOSYSTEM=1", "TZ=UTC")
	gpgAt := func(when string) string {
		// A gpg whose clock reads when, for git's gpg.program.
		p := filepath.Join(dir, "gpg-"+when)
		os.WriteFile(p, []byte("#!/bin/sh\nexec gpg --faked-system-time "+when+"T120000 \"$@\"\n"), 0o755)
		return p
	}
	w.must(dir, gpgAt("20200101"), "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "",
		"--quick-gen-key", "olive (register test key, not for use) <olive@example.gov.uk>", "ed25519", "sign", "1y")
	w.must(dir, "git", "init", "-q", "-b", "main", w.clone)
	w.write("register.yaml", "name: Test register\norganisation: Example Council\n")
	w.write("people.yaml", "people:\n  - id: olive\n    name: Olive Test\n    email: olive@example.gov.uk\n    roles: [business-it]\n")
	w.write("keys/olive.asc", w.must(dir, gpgAt("20200101"), "--armor", "--export", "olive@example.gov.uk"))
	commitAt := func(day, signDay, msg string) string {
		w.write("notes/"+day, day)
		w.must(w.clone, "git", "add", "-A")
		cmd := exec.Command("git", "-c", "user.name=Olive Test", "-c", "user.email=olive@example.gov.uk",
			"-c", "user.signingkey=olive@example.gov.uk", "-c", "gpg.program="+gpgAt(signDay), "commit", "-q", "-S", "-m", msg)
		cmd.Dir = w.clone
		cmd.Env = append(w.env, "GIT_AUTHOR_DATE="+day+"T12:00:00Z", "GIT_COMMITTER_DATE="+day+"T12:00:00Z")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("commit: %v\n%s", err, out)
		}
		return strings.TrimSpace(w.must(w.clone, "git", "rev-parse", "HEAD"))
	}
	valid := commitAt("20200601", "20200601", "while the key was valid")
	// gpg will not sign with an expired key; a commit dated after the
	// expiry with a signature made before it is judged at its own date.
	late := commitAt("20220601", "20201231", "after the key expired")
	repo, err := history.Open(w.clone)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	ix, err := repo.Index(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c := ix.Commit(valid); c == nil || c.Verdict != history.Verified || c.Signer != "olive" {
		t.Errorf("commit signed while the key was valid: %+v, want verified by olive", c)
	}
	if c := ix.Commit(late); c == nil || c.Verdict != history.ExpiredKey {
		t.Errorf("commit signed after the key expired: %+v, want expired-key", c)
	}
	// git verify-commit, with gpg's clock at the commit's time, agrees the
	// first signature is good.
	if out, err := w.run(w.clone, "git", "-c", "gpg.program="+gpgAt("20200601"), "verify-commit", valid); err != nil {
		t.Errorf("git verify-commit disagrees: %v\n%s", err, out)
	}
}
