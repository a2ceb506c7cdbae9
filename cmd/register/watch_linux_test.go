package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWatchChanges: the kernel's events tell serve of every edit, new,
// removed or moved file and folder, and of commits; not of the site and
// cache inside the register, hidden files or .git's other files.
func TestWatchChanges(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("cases/2026/INC-2026-0001/case.md", "one")
	write("public/itparg/index.html", "site")
	write(".git/HEAD", "ref: refs/heads/main\n")
	write(".git/refs/heads/main", "1111\n")
	w, err := watchChanges(dir, []string{filepath.Join(dir, "public")})
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	// since is asked after a pause, as serve's ticker does: the kernel
	// queues the events meanwhile.
	expect := func(what string, want bool) {
		t.Helper()
		time.Sleep(20 * time.Millisecond)
		if got := w.since(); got != want {
			t.Errorf("%s: changed = %v, want %v", what, got, want)
		}
		if w.since() {
			t.Errorf("%s: still changed when asked again", what)
		}
	}
	expect("nothing", false)
	write("cases/2026/INC-2026-0001/case.md", "two")
	expect("an edited case", true)
	// A build swaps its new site in beside the old one; an editor writes
	// swap files; Git writes objects and its index.
	write(".public.new-1/itparg/index.html", "site")
	os.RemoveAll(filepath.Join(dir, "public"))
	if err := os.Rename(filepath.Join(dir, ".public.new-1"), filepath.Join(dir, "public")); err != nil {
		t.Fatal(err)
	}
	write("public/itparg/version.txt", "2")
	write("cases/2026/INC-2026-0001/.case.md.swp", "swap")
	write(".git/objects/11/11", "object")
	write(".git/index", "index")
	expect("the site swapped in, a swap file, Git's objects and index", false)
	// A new case folder, then a file in it written later.
	write("cases/2026/INC-2026-0002/case.md", "new")
	expect("a new case", true)
	write("cases/2026/INC-2026-0002/case.md", "edited")
	expect("an edit in a folder made after watching began", true)
	if err := os.Rename(filepath.Join(dir, "cases/2026/INC-2026-0002"), filepath.Join(dir, "cases/2026/INC-2026-0003")); err != nil {
		t.Fatal(err)
	}
	expect("a renamed case folder", true)
	write("cases/2026/INC-2026-0003/case.md", "moved and edited")
	expect("an edit in a moved folder", true)
	if err := os.RemoveAll(filepath.Join(dir, "cases/2026/INC-2026-0003")); err != nil {
		t.Fatal(err)
	}
	expect("a removed case", true)
	// A commit: Git writes the ref under a lock file and renames it.
	write(".git/refs/heads/main.lock", "2222\n")
	if err := os.Rename(filepath.Join(dir, ".git/refs/heads/main.lock"), filepath.Join(dir, ".git/refs/heads/main")); err != nil {
		t.Fatal(err)
	}
	expect("a commit", true)
	write(".git/refs/heads/feature/x", "3333\n")
	expect("a new branch in a new folder of refs", true)
	now := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(dir, "cases/2026/INC-2026-0001/case.md"), now, now)
	expect("a touched case", true)
}

// TestWatchChangesPastTheLimit: a folder made later that cannot be
// watched (the system's watch limit reached) hands over to looking at
// the files, so edits in it are still seen.
func TestWatchChangesPastTheLimit(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		full := filepath.Join(dir, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(time.Duration(len(s)) * time.Minute)
		os.Chtimes(full, at, at)
	}
	write("cases/2026/INC-2026-0001/case.md", "one")
	w, err := watchChanges(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	real := addWatch
	defer func() { addWatch = real }()
	addWatch = func(fd int, path string, mask uint32) (int, error) {
		if strings.Contains(path, "INC-2026-0002") {
			return 0, syscall.ENOSPC
		}
		return real(fd, path, mask)
	}
	write("cases/2026/INC-2026-0002/case.md", "new")
	time.Sleep(20 * time.Millisecond)
	if !w.since() {
		t.Fatal("a new case folder was not seen")
	}
	write("cases/2026/INC-2026-0002/case.md", "edited in an unwatched folder")
	time.Sleep(20 * time.Millisecond)
	if !w.since() {
		t.Error("an edit in a folder that could not be watched was not seen")
	}
	if w.since() {
		t.Error("still changed when asked again")
	}
}
