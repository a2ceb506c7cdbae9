package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNewPrompts checks that new asks for missing required fields on a
// terminal, asks again after an empty answer, and gives up at end of
// input. testscript cannot give the command a terminal.
func TestNewPrompts(t *testing.T) {
	t.Setenv("REGISTER_NOW", "2026-11-28T10:00:00Z")
	dir := filepath.Join(t.TempDir(), "reg")
	var out, errs bytes.Buffer
	if code := run([]string{"init", dir}, &streams{In: strings.NewReader(""), Out: &out, Err: &errs}); code != 0 {
		t.Fatalf("init: exit %d: %s", code, errs.String())
	}

	out.Reset()
	errs.Reset()
	in := strings.NewReader("  Lost visitor badge  \n\na member of staff\n")
	code := run([]string{"new", "-C", dir, "--category", "event"}, &streams{In: in, Out: &out, Err: &errs, Terminal: true})
	if code != 0 {
		t.Fatalf("new: exit %d: %s", code, errs.String())
	}
	wantPrompts := "Title (short, no personal data): Reported by (person id or description): Reported by (person id or description): "
	if errs.String() != wantPrompts {
		t.Errorf("prompts = %q, want %q", errs.String(), wantPrompts)
	}
	if got, want := out.String(), "INC-2026-0001 cases/2026/INC-2026-0001/case.md\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	data, err := os.ReadFile(filepath.Join(dir, "cases/2026/INC-2026-0001/case.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"title: Lost visitor badge\n", "reported_by: a member of staff\n", "category: event\n"} {
		if !strings.Contains(string(data), line) {
			t.Errorf("case file lacks %q:\n%s", line, data)
		}
	}

	// Input ends before an answer: nothing is written.
	errs.Reset()
	code = run([]string{"new", "-C", dir, "--title", "Another"}, &streams{In: strings.NewReader(""), Out: &out, Err: &errs, Terminal: true})
	if code != 1 || !strings.HasSuffix(errs.String(), "register: missing --reported-by\n") {
		t.Errorf("exit %d, stderr %q; want 1 and missing --reported-by", code, errs.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "cases/2026/INC-2026-0002")); !os.IsNotExist(err) {
		t.Errorf("INC-2026-0002 was created: %v", err)
	}
}
