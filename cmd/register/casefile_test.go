package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5"
)

// TestGitEmailWithoutGit checks that without a git binary the user's
// e-mail is read by go-git: the repository's own setting first, then the
// global one.
func TestGitEmailWithoutGit(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("PATH", "")
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[user]\n\temail = global@example.gov.uk\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "reg")
	if got := gitEmail(dir); got != "global@example.gov.uk" {
		t.Errorf("outside a repository: gitEmail = %q, want the global setting", got)
	}
	r, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := gitEmail(dir); got != "global@example.gov.uk" {
		t.Errorf("in a repository without its own setting: gitEmail = %q, want the global setting", got)
	}
	cfg, err := r.Config()
	if err != nil {
		t.Fatal(err)
	}
	cfg.User.Email = "local@example.gov.uk"
	if err := r.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "cases"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := gitEmail(filepath.Join(dir, "cases")); got != "local@example.gov.uk" {
		t.Errorf("in a subfolder of a repository with its own setting: gitEmail = %q, want the local one", got)
	}
}
