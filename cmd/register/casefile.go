package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/council/register/register"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
)

// A caseFile is a case loaded for editing by new, move, note and notify.
type caseFile struct {
	dir  string
	reg  *register.Register
	c    *register.Case
	file string // the case file's path on disk
	data []byte
	perm os.FileMode
}

// openRegister loads the register in dir for editing and refuses, listing
// the findings, if any of its files does not parse: an edit made on top
// of a broken file would be judged against the wrong data.
func openRegister(ctx context.Context, e *env, dir string) (*register.Register, error) {
	reg, findings, err := loadRegister(ctx, dir)
	if err != nil {
		return nil, err
	}
	if len(findings) > 0 {
		printFindings(e, findings)
		return nil, withHint(fmt.Errorf("%s: %s above; a register with files that do not parse is not edited", dir, count(len(findings), "finding")),
			"register check %s lists everything wrong", dir)
	}
	return reg, nil
}

// openCase loads the register in dir and the case id for editing.
func openCase(ctx context.Context, e *env, dir, id string) (*caseFile, error) {
	if _, _, _, err := register.ParseID(id); err != nil {
		return nil, err
	}
	reg, err := openRegister(ctx, e, dir)
	if err != nil {
		return nil, err
	}
	c := reg.Case(id)
	if c == nil {
		return nil, fmt.Errorf("case %s not found: there is no %s in %s", id, register.CasePath(id), dir)
	}
	file := filepath.Join(dir, filepath.FromSlash(c.Path))
	st, err := os.Stat(file)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return &caseFile{dir: dir, reg: reg, c: c, file: file, data: data, perm: st.Mode().Perm()}, nil
}

// write replaces the case file with data, which must still be a valid
// case; the write is atomic.
func (cf *caseFile) write(data []byte) error {
	if _, err := register.ParseCase(bytes.NewReader(data)); err != nil {
		return fmt.Errorf("case %s: the edit would leave %s unreadable, so nothing was written: %v", cf.c.ID, cf.c.Path, err)
	}
	return writeFileAtomic(cf.file, data, cf.perm)
}

// committed returns the case as it is in the Git HEAD commit of the
// repository holding dir, or nil when there is no repository, no commit or
// no such file there. A move is judged against it as the hooks will judge
// the commit that makes the move: "a new update" means new since HEAD.
func committed(dir string, c *register.Case) *register.Case {
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return nil
	}
	wt, err := r.Worktree()
	if err != nil {
		return nil
	}
	root, err1 := filepath.EvalSymlinks(wt.Filesystem.Root())
	abs, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return nil
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return nil
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return nil
	}
	head, err := r.Head()
	if err != nil {
		return nil
	}
	commit, err := r.CommitObject(head.Hash())
	if err != nil {
		return nil
	}
	f, err := commit.File(path.Join(filepath.ToSlash(rel), c.Path))
	if err != nil {
		return nil
	}
	rd, err := f.Reader()
	if err != nil {
		return nil
	}
	defer rd.Close()
	old, err := register.ParseCase(rd)
	if err != nil {
		return nil
	}
	return old
}

// printFindings lists findings on stderr, sorted, as path:line: message.
func printFindings(e *env, findings register.Findings) {
	findings.Sort()
	for _, f := range findings {
		fmt.Fprintln(e.Err, f)
	}
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// whoami finds the person making a change: the one named by --as, else
// the one whose e-mail is the Git author's (GIT_AUTHOR_EMAIL, which Git
// itself prefers, or git config user.email).
func whoami(dir string, reg *register.Register, as string) (*register.Person, error) {
	if as != "" {
		p := reg.People.ByID(as)
		if p == nil {
			return nil, fmt.Errorf("--as %s: no person with that id in %s", as, register.PeopleFile)
		}
		return p, nil
	}
	email := os.Getenv("GIT_AUTHOR_EMAIL")
	source := "GIT_AUTHOR_EMAIL"
	if email == "" {
		email, source = gitEmail(dir), "git config user.email"
	}
	if email == "" {
		return nil, withHint(errors.New("cannot tell who you are: git config user.email is not set"),
			"pass --as PERSON-ID, or set git config user.email to your address in %s", register.PeopleFile)
	}
	p := reg.People.ByEmail(email)
	if p == nil {
		return nil, withHint(fmt.Errorf("%s (%s) is not the e-mail of anyone in %s", email, source, register.PeopleFile),
			"pass --as PERSON-ID, or ask for your entry in %s", register.PeopleFile)
	}
	return p, nil
}

// gitEmail returns the user.email Git would use in dir: from the git
// binary when there is one, else read by go-git.
func gitEmail(dir string) string {
	if _, err := exec.LookPath("git"); err == nil {
		out, err := exec.Command("git", "-C", dir, "config", "user.email").Output()
		if err == nil {
			return strings.TrimSpace(string(out))
		}
		return ""
	}
	if r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true}); err == nil {
		if cfg, err := r.ConfigScoped(config.GlobalScope); err == nil {
			return cfg.User.Email
		}
	}
	if cfg, err := config.LoadConfig(config.GlobalScope); err == nil {
		return cfg.User.Email
	}
	return ""
}

// now returns the current time in the register's time zone, to the second.
func now(e *env, reg *register.Register) register.Time {
	return register.Time{Time: e.Now().In(reg.Settings.Location()).Truncate(time.Second)}
}

// parseTime reads an RFC 3339 time given to a flag.
func parseTime(flag, v string) (register.Time, error) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return register.Time{}, usageError{fmt.Errorf("--%s %q is not an RFC 3339 time like 2026-11-05T14:30:00Z", flag, v)}
	}
	return register.Time{Time: t}, nil
}

// dirUsage describes the -C/--dir flag every editing verb takes.
const dirUsage = "the register's folder"
