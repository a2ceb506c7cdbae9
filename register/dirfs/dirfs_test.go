package dirfs

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// tree makes a small register-like tree, with a symlink and a file
// bigger than the read buffer.
func tree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"register.yaml":                             "name: test\n",
		"cases/2026/INC-2026-0001/case.md":          "---\nid: INC-2026-0001\n---\nbody\n",
		"cases/2026/INC-2026-0001/evidence/E01.pgp": "\xc1\x0c",
		"cases/2026/INC-2026-0002/case.md":          strings.Repeat("long line of a narrative\n", 5000),
		"minutes/2026/2026-01-02.md":                "",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("register.yaml", filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestFS(t *testing.T) {
	dir := tree(t)
	if err := fstest.TestFS(New(dir), "register.yaml", "link.yaml", "cases/2026/INC-2026-0001/evidence/E01.pgp",
		"cases/2026/INC-2026-0002/case.md", "minutes/2026/2026-01-02.md"); err != nil {
		t.Fatal(err)
	}
}

// TestSameAsOS compares every listing, file and error with os.DirFS's.
func TestSameAsOS(t *testing.T) {
	dir := tree(t)
	got, want := New(dir), os.DirFS(dir)
	err := fs.WalkDir(want, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			g, gerr := fs.ReadDir(got, p)
			w, werr := fs.ReadDir(want, p)
			if gerr != nil || werr != nil {
				t.Fatalf("ReadDir %s: %v, os: %v", p, gerr, werr)
			}
			if len(g) != len(w) {
				t.Fatalf("ReadDir %s: %d entries, os has %d", p, len(g), len(w))
			}
			for i := range g {
				gi, _ := g[i].Info()
				wi, _ := w[i].Info()
				if g[i].Name() != w[i].Name() || g[i].Type() != w[i].Type() || g[i].IsDir() != w[i].IsDir() || gi.Mode() != wi.Mode() || gi.Size() != wi.Size() {
					t.Errorf("ReadDir %s: entry %s %v, os has %s %v", p, g[i].Name(), g[i].Type(), w[i].Name(), w[i].Type())
				}
			}
			return nil
		}
		g, gerr := fs.ReadFile(got, p)
		w, werr := fs.ReadFile(want, p)
		if gerr != nil || werr != nil || !bytes.Equal(g, w) {
			t.Errorf("ReadFile %s: %d bytes (%v), os: %d bytes (%v)", p, len(g), gerr, len(w), werr)
		}
		f, err := got.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		gi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		wi, _ := fs.Stat(want, p)
		if gi.Name() != wi.Name() || gi.Size() != wi.Size() || gi.Mode() != wi.Mode() || !gi.ModTime().Equal(wi.ModTime()) {
			t.Errorf("Stat %s: %s %d %v %v, os: %s %d %v %v", p, gi.Name(), gi.Size(), gi.Mode(), gi.ModTime(), wi.Name(), wi.Size(), wi.Mode(), wi.ModTime())
		}
		if b, err := io.ReadAll(f); err != nil || !bytes.Equal(b, w) {
			t.Errorf("Read %s: %d bytes (%v)", p, len(b), err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestErrors(t *testing.T) {
	dir := tree(t)
	fsys := New(dir)
	for _, tc := range []struct {
		name string
		op   func() error
		is   error
	}{
		{"missing file", func() error { _, err := fs.ReadFile(fsys, "nope.yaml"); return err }, fs.ErrNotExist},
		{"missing folder", func() error { _, err := fs.ReadDir(fsys, "nope"); return err }, fs.ErrNotExist},
		{"missing open", func() error { _, err := fsys.Open("cases/nope/case.md"); return err }, fs.ErrNotExist},
		{"climb out", func() error { _, err := fs.ReadFile(fsys, "../x"); return err }, fs.ErrInvalid},
		{"absolute", func() error { _, err := fsys.Open("/etc/passwd"); return err }, fs.ErrInvalid},
		{"list a file", func() error { _, err := fs.ReadDir(fsys, "register.yaml"); return err }, nil},
		{"read a folder", func() error { _, err := fs.ReadFile(fsys, "cases"); return err }, nil},
	} {
		err := tc.op()
		var pe *fs.PathError
		switch {
		case err == nil:
			t.Errorf("%s: no error", tc.name)
		case !errors.As(err, &pe):
			t.Errorf("%s: %v is not a *fs.PathError", tc.name, err)
		case strings.Contains(pe.Path, dir):
			t.Errorf("%s: error %q names the real path, not the name in the tree", tc.name, err)
		case tc.is != nil && !errors.Is(err, tc.is):
			t.Errorf("%s: %v is not %v", tc.name, err, tc.is)
		}
	}
	f, err := fsys.Open("register.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := f.Read(make([]byte, 1)); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("read after close: %v", err)
	}
	if !reflect.DeepEqual(New(""), os.DirFS("")) {
		t.Errorf("New(\"\") is not os.DirFS(\"\")")
	}
}
