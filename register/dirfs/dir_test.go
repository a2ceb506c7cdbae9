package dirfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestDir(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	for _, p := range []string{a, b} {
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	da, err := OpenDir(a)
	if err != nil {
		t.Fatal(err)
	}
	defer da.Close()
	db, err := OpenDir(b)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := da.WriteFile("page.html", []byte("a longer first version"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Writing again truncates, as os.WriteFile does.
	if err := da.WriteFile("page.html", []byte("second"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := da.Link("page.html", db); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(b, "page.html"))
	if err != nil || string(got) != "second" {
		t.Fatalf("linked file holds %q (%v), want %q", got, err, "second")
	}
	sa, _ := os.Stat(filepath.Join(a, "page.html"))
	sb, _ := os.Stat(filepath.Join(b, "page.html"))
	if !os.SameFile(sa, sb) {
		t.Error("Link made a copy, not a link")
	}
	if sa.Mode().Perm() != 0o644&^umask() {
		t.Errorf("mode %v, want %v", sa.Mode().Perm(), 0o644&^umask())
	}
	// Linking over an existing name fails and names both paths.
	var le *os.LinkError
	if err := da.Link("page.html", db); !errors.As(err, &le) || !errors.Is(err, fs.ErrExist) {
		t.Errorf("link over an existing file: %v", err)
	}
	if err := da.Link("missing.html", db); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("link of a missing file: %v", err)
	}
	if err := da.WriteFile("no/such/folder.html", nil, 0o644); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("write into a missing folder: %v", err)
	}
	if _, err := OpenDir(filepath.Join(root, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenDir of a missing folder: %v", err)
	}
	if _, err := OpenDir(filepath.Join(a, "page.html")); err == nil {
		t.Error("OpenDir of a file: no error")
	}
}

// umask returns the process's file mode creation mask.
func umask() fs.FileMode {
	dir, _ := os.MkdirTemp("", "umask")
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "f")
	os.WriteFile(p, nil, 0o777)
	st, _ := os.Stat(p)
	return 0o777 &^ st.Mode().Perm()
}

// TestStamp: a file's stamp is its size and time as os.Stat gives them,
// through a folder below the open one; a missing file is fs.ErrNotExist.
func TestStamp(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "cases", "2026"), 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, "cases", "2026", "case.md")
	if err := os.WriteFile(p, []byte("twelve bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.Stamp("cases/2026/case.md")
	if want := (Stamp{Size: 12, ModTime: st.ModTime().UnixNano()}); err != nil || got != want {
		t.Errorf("Stamp = %+v, %v; want %+v", got, err, want)
	}
	if _, err := d.Stamp("cases/2026/gone.md"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stamp of a missing file: %v, want fs.ErrNotExist", err)
	}
}
