package register

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// docFiles returns the example files of docs/file-formats.md: each
// fenced block after a line "<!-- file: PATH -->", by PATH.
func docFiles(t *testing.T) map[string]string {
	t.Helper()
	text, err := os.ReadFile("../docs/file-formats.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	re := regexp.MustCompile("(?s)<!-- file: ([^>]+) -->\n```[a-z]*\n(.*?)```\n")
	for _, m := range re.FindAllStringSubmatch(string(text), -1) {
		out[m[1]] = m[2]
	}
	return out
}

// The examples in docs/file-formats.md are a valid register.
func TestFileFormatExamples(t *testing.T) {
	files := docFiles(t)
	fsys := fstest.MapFS{}
	for _, p := range []string{"register.yaml", "people.yaml", "cases/2026/INC-2026-0007/case.md", "minutes/2026/2026-11-05.md"} {
		text, ok := files[p]
		if !ok {
			t.Fatalf("docs/file-formats.md has no example of %s", p)
		}
		fsys[p] = mapFile(text)
	}
	people, err := ParsePeople(strings.NewReader(files["people.yaml"]))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people.People {
		fsys[p.KeyPath()] = mapFile("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nexample\n-----END PGP PUBLIC KEY BLOCK-----\n")
	}
	fsys["cases/2026/INC-2026-0007/evidence/E01-mailmerge-sample.pdf.pgp"] = mapFile("ciphertext")
	if got := loadCheck(t, fsys); len(got) > 0 {
		t.Errorf("the documented examples have findings:\n%s", strings.Join(got, "\n"))
	}
	if _, err := ParseWorkflow(strings.NewReader(files["workflow.yaml (another council)"])); err != nil {
		t.Errorf("the documented custom workflow: %v", err)
	}
}

// doc.go and docs/file-formats.md document every requirement with its
// section, every case field and every vocabulary.
func TestDocsCoverSchema(t *testing.T) {
	for _, file := range []string{"doc.go", "../docs/file-formats.md"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		for _, r := range Requirements() {
			if !strings.Contains(text, r.Name) {
				t.Errorf("%s does not document requirement %s", file, r.Name)
			}
		}
		for _, typ := range []any{Case{}, ICO{}, Breach{}, Review{}, Evidence{}, Custody{}, Update{},
			Minutes{}, Reviewed{}, Action{}, Settings{}, Deadlines{}, Audience{}, Visibility{}, Signing{}, Person{}, State{}, Transition{}} {
			for name := range structFields(reflectType(typ)) {
				if !strings.Contains(text, name) {
					t.Errorf("%s does not document field %s of %T", file, name, typ)
				}
			}
		}
		for _, vocab := range [][]string{Categories, Types, Impacts, ReportedTo, Duties, ICODecisions, CustodyActions, SubjectsTold, ActionStatuses, Decisions} {
			for _, v := range vocab {
				if !strings.Contains(text, v) {
					t.Errorf("%s does not document the value %s", file, v)
				}
			}
		}
	}
}

func reflectType(v any) reflect.Type { return reflect.TypeOf(v) }
