package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"

	"github.com/council/register/register"
	"github.com/council/register/register/evidence"
	"github.com/council/register/register/history"
)

var now = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

// write writes a demo register into a fresh folder and returns its path.
func write(t *testing.T, cases int, seed uint64) (string, *Summary) {
	t.Helper()
	d := t.TempDir()
	sum, err := Write(context.Background(), filepath.Join(d, "reg"), filepath.Join(d, "reg.keys"), Options{Cases: cases, Seed: seed, Now: now})
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return filepath.Join(d, "reg"), sum
}

func load(t *testing.T, dir string) *register.Register {
	t.Helper()
	reg, found, err := register.Load(context.Background(), os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	fsys := os.DirFS(dir)
	found = append(found, reg.Check(context.Background(), register.CheckOptions{FS: fsys, Evidence: evidence.NewChecker(fsys)})...)
	for _, f := range found {
		t.Errorf("%s", f)
	}
	return reg
}

// files reads every file under dir, .git included.
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == filepath.Join(".git", "index") {
			return nil // holds file times
		}
		data, err := os.ReadFile(p)
		out[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSameSeedSameRegister(t *testing.T) {
	a, sa := write(t, 60, 7)
	b, sb := write(t, 60, 7)
	if sa.Head != sb.Head {
		t.Fatalf("same seed, different heads: %s and %s", sa.Head, sb.Head)
	}
	fa, fb := files(t, a), files(t, b)
	if len(fa) != len(fb) {
		t.Fatalf("same seed, %d files and %d files", len(fa), len(fb))
	}
	for p, data := range fa {
		if !bytes.Equal(data, fb[p]) {
			t.Errorf("same seed, %s differs", p)
		}
	}
	for _, id := range []string{"alice", "jo"} {
		ka, _ := os.ReadFile(a + ".keys/" + id + ".asc")
		kb, _ := os.ReadFile(b + ".keys/" + id + ".asc")
		if len(ka) == 0 || !bytes.Equal(ka, kb) {
			t.Errorf("same seed, secret key of %s differs or is missing", id)
		}
	}
	_, sc := write(t, 60, 8)
	if sc.Head == sa.Head {
		t.Errorf("seeds 7 and 8 gave the same head %s", sc.Head)
	}
}

func TestCheckPasses(t *testing.T) {
	for _, n := range []int{0, 1, 10, 200} {
		for _, seed := range []uint64{1, 2, 3} {
			if n == 200 && seed > 2 || n == 0 && seed > 1 {
				continue
			}
			dir, sum := write(t, n, seed)
			reg := load(t, dir)
			if len(reg.Cases) != n || sum.Cases != n {
				t.Errorf("cases %d seed %d: loaded %d cases, summary says %d", n, seed, len(reg.Cases), sum.Cases)
			}
			// The working tree is main's head, with nothing to commit.
			repo, err := git.PlainOpen(dir)
			if err != nil {
				t.Fatal(err)
			}
			head, err := repo.Head()
			if err != nil || head.Hash().String() != sum.Head || head.Name().Short() != "main" {
				t.Fatalf("cases %d seed %d: HEAD %v (%v), want main at %s", n, seed, head, err, sum.Head)
			}
			wt, _ := repo.Worktree()
			st, err := wt.Status()
			if err != nil || !st.IsClean() {
				t.Errorf("cases %d seed %d: working tree not clean (%v):\n%s", n, seed, err, st)
			}
		}
	}
}

func TestEverythingPresent(t *testing.T) {
	for _, seed := range []uint64{1, 5} {
		dir, _ := write(t, 200, seed)
		reg := load(t, dir)
		seen := map[string]bool{}
		for _, c := range reg.Cases {
			seen["state "+c.Status] = true
			seen["category "+string(c.Category)] = true
			for _, ty := range c.Types {
				seen["type "+string(ty)] = true
			}
			if c.PersonalData {
				p := reg.People.ByID(c.Investigator)
				if c.Investigator != "" && (p == nil || !p.HasRole(register.RoleSIMO)) {
					t.Errorf("seed %d: %s has personal data but investigator %q is no SIMO", seed, c.ID, c.Investigator)
				}
				switch {
				case c.ICO == nil:
					t.Errorf("seed %d: personal-data case %s has no ico", seed, c.ID)
				case c.ICO.Decision == "notify" && c.ICO.NotifiedAt.After(c.ReportedAt.Add(72*time.Hour)):
					seen["ico late"] = c.ICO.LateReason != ""
				default:
					seen["ico "+string(c.ICO.Decision)] = true
				}
				if c.Breach != nil {
					seen["breach"] = true
					switch o := c.Breach.OccurredAt; {
					case o == nil:
						t.Errorf("seed %d: %s has breach details without occurred_at", seed, c.ID)
					case !o.Before(c.ReportedAt.Time):
						t.Errorf("seed %d: %s: the breach happened at %s, not before it was reported at %s", seed, c.ID, o, c.ReportedAt)
					}
				}
			}
			if c.Review != nil && c.Review.ReclassifiedFrom != "" {
				seen["reclassified"] = true
			}
			if c.ServiceAffecting && !c.Notified["service_owner"].IsZero() {
				seen["service owner told"] = true
			}
			if len(c.Changes) > 0 {
				seen["changes"] = true
			}
			if len(c.Evidence) > 0 {
				if c.Status == "reported" || c.Status == "triaged" {
					t.Errorf("seed %d: %s has evidence before its investigation", seed, c.ID)
				}
				seen["evidence"] = true
				for _, e := range c.Evidence {
					for _, k := range e.Custody {
						seen["custody "+string(k.Action)] = true
					}
					if strings.HasSuffix(e.File, ".png.pgp") {
						seen["png"] = true
					}
				}
			}
			if c.NoChangeReason != "" {
				seen["no change"] = true
			}
		}
		for _, m := range reg.Minutes {
			if m.RegisterHead != "" {
				seen["register head"] = true
			}
			for _, a := range m.Actions {
				seen["action "+string(a.Status)] = true
				if a.Status == "open" && a.Due.Before(now) {
					seen["action overdue"] = true
				}
			}
		}
		var want []string
		for _, s := range register.DefaultWorkflow().StateNames() {
			want = append(want, "state "+s)
		}
		for _, c := range register.Categories {
			want = append(want, "category "+c)
		}
		for _, ty := range register.Types {
			want = append(want, "type "+ty)
		}
		want = append(want, "evidence", "png", "custody collected", "custody decrypted", "custody re-encrypted", "ico notify", "ico no-notify", "ico pending", "ico late", "breach", "reclassified",
			"service owner told", "changes", "no change", "register head", "action open", "action done", "action overdue")
		for _, w := range want {
			if !seen[w] {
				t.Errorf("seed %d: no %s in a 200-case demo", seed, w)
			}
		}
	}
}

// TestHistory checks the story the commits tell: many authors, merges
// committed by the platform, and minutes' register heads in the history.
func TestHistory(t *testing.T) {
	dir, sum := write(t, 120, 3)
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	iter, err := repo.Log(&git.LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	authors, seen := map[string]bool{}, map[string]bool{}
	commits, merges, unsigned := 0, 0, 0
	for c, err := iter.Next(); err == nil; c, err = iter.Next() {
		commits++
		seen[c.Hash.String()] = true
		authors[c.Author.Email] = true
		if c.NumParents() > 1 {
			merges++
			if c.Committer.Name != "Gitea" {
				t.Errorf("merge %s committed by %s, not the platform", c.Hash, c.Committer.Name)
			}
		} else if c.PGPSignature == "" {
			unsigned++
		}
	}
	if commits != sum.Commits || unsigned > 0 || merges == 0 || len(authors) < 10 {
		t.Errorf("%d commits (summary %d), %d merges, %d unsigned, %d authors", commits, sum.Commits, merges, unsigned, len(authors))
	}
	if commits < 120*2 {
		t.Errorf("only %d commits for 120 cases", commits)
	}
	reg := load(t, dir)
	for _, m := range reg.Minutes {
		if !seen[m.RegisterHead] {
			t.Errorf("minutes %s: register_head %s is not in the history", m.ID, m.RegisterHead)
		}
	}
}

// TestGitVerifiesSignatures checks with real git and gpg that the
// signatures are what git commit -S makes.
func TestGitVerifiesSignatures(t *testing.T) {
	for _, tool := range []string{"git", "gpg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (make test installs it in CI)", tool)
		}
	}
	dir, _ := write(t, 40, 2)
	home := t.TempDir()
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GNUPGHOME="+home, "GIT_CONFIG_NOSYSTEM=1", "HOME="+home)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	keys, _ := filepath.Glob(filepath.Join(dir, "keys", "*.asc"))
	run("gpg", append([]string{"--batch", "--import"}, keys...)...)
	run("git", "fsck", "--strict")
	if out := run("git", "status", "--porcelain"); out != "" {
		t.Errorf("git status is not clean:\n%s", out)
	}
	all := strings.Fields(run("git", "rev-list", "--no-merges", "HEAD"))
	parents := strings.Fields(run("git", "log", "--merges", "--format=%P", "HEAD"))
	sample := []string{all[0], all[len(all)-1], all[len(all)/2]}
	for i := 1; i < len(parents); i += 2 {
		sample = append(sample, parents[i]) // the pull request's own commit
	}
	if len(sample) < 4 {
		t.Fatalf("no merged pull requests in the sample: %v", parents)
	}
	for _, c := range slices.Compact(sample) {
		if out := run("git", "verify-commit", "-v", c); !strings.Contains(out, "Good signature") {
			t.Errorf("git verify-commit %s:\n%s", c, out)
		}
	}

	// A SIMO's demo secret key opens every evidence file with gpg, and
	// the plaintext has the hash the case records.
	run("gpg", "--batch", "--import", dir+".keys/farah.asc")
	reg := load(t, dir)
	opened := 0
	for _, c := range reg.Cases {
		for _, e := range c.Evidence {
			out, err := exec.Command("gpg", "--homedir", home, "--batch", "--quiet", "--decrypt",
				filepath.Join(dir, filepath.Dir(c.Path), "evidence", e.File)).Output()
			sum := sha256.Sum256(out)
			if err != nil || hex.EncodeToString(sum[:]) != e.SHA256 || int64(len(out)) != e.Size {
				t.Errorf("%s %s: gpg --decrypt: %v, %d bytes", c.ID, e.File, err, len(out))
			}
			opened++
		}
	}
	if opened == 0 {
		t.Error("no evidence to decrypt")
	}
}

func TestRefusesNonEmptyFolder(t *testing.T) {
	d := t.TempDir()
	os.WriteFile(filepath.Join(d, "note.txt"), []byte("mine"), 0o644)
	_, err := Write(context.Background(), d, d+".keys", Options{Cases: 1, Now: now})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("Write into a non-empty folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
		t.Error("Write touched a non-empty folder")
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d := t.TempDir()
	_, err := Write(ctx, filepath.Join(d, "reg"), filepath.Join(d, "keys"), Options{Cases: 300, Now: now})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Write with a cancelled context: %v", err)
	}
}

// TestAuditPasses runs the auditor's check of the whole history: every
// transition legal and made by someone allowed to, every commit signed
// by its author, minutes' register heads in the history.
func TestAuditPasses(t *testing.T) {
	for _, tc := range []struct {
		cases int
		seed  uint64
	}{{0, 1}, {150, 1}, {150, 4}} {
		dir, sum := write(t, tc.cases, tc.seed)
		repo, err := history.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		head, branch, err := repo.Head()
		if err != nil || head.String() != sum.Head || branch != "main" {
			t.Fatalf("head %s on %q (%v), want %s on main", head, branch, err, sum.Head)
		}
		rep, _, err := repo.Audit(context.Background(), head, branch)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Findings {
			t.Errorf("cases %d seed %d: %s", tc.cases, tc.seed, f)
		}
		st := rep.Stats()
		if st.Commits != sum.Commits || st.Verified == 0 || st.Verified != st.Signed {
			t.Errorf("cases %d seed %d: %d commits (want %d), %d signed, %d verified", tc.cases, tc.seed, st.Commits, sum.Commits, st.Signed, st.Verified)
		}
		repo.Close()
	}
}
