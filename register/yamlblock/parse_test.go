package yamlblock

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// same reports where two node trees differ, ignoring comments, or "".
func same(path string, a, b *yaml.Node) string {
	if a.Kind != b.Kind || a.Tag != b.Tag || a.Value != b.Value || a.Style != b.Style ||
		a.Line != b.Line || a.Column != b.Column || a.Anchor != b.Anchor || len(a.Content) != len(b.Content) {
		return fmt.Sprintf("%s: got kind %d tag %q value %q style %d at %d:%d with %d children; yaml.v3 has kind %d tag %q value %q style %d at %d:%d with %d children",
			path, a.Kind, a.Tag, a.Value, a.Style, a.Line, a.Column, len(a.Content), b.Kind, b.Tag, b.Value, b.Style, b.Line, b.Column, len(b.Content))
	}
	for i := range a.Content {
		if d := same(fmt.Sprintf("%s/%d", path, i), a.Content[i], b.Content[i]); d != "" {
			return d
		}
	}
	return ""
}

// agree checks Parse against yaml.v3 on text: whatever Parse accepts,
// yaml.v3 accepts and builds the same tree from. It returns whether
// Parse accepted the text.
func agree(t *testing.T, text string) bool {
	t.Helper()
	return agreeWith(t, Parse, text)
}

// agreeWith is agree for a parse function.
func agreeWith(t *testing.T, parse func([]byte) (*yaml.Node, bool), text string) bool {
	t.Helper()
	got, ok := parse([]byte(text))
	if n := bugs.Swap(0); n > 0 {
		t.Fatalf("Parse panicked on:\n%s", text)
	}
	if !ok {
		return false
	}
	var want yaml.Node
	if err := yaml.Unmarshal([]byte(text), &want); err != nil {
		t.Fatalf("Parse accepted what yaml.v3 refuses (%v):\n%s", err, text)
	}
	if d := same("", got, &want); d != "" {
		t.Fatalf("%s\ntext:\n%s", d, text)
	}
	return true
}

// inSubset are texts register files are written in: Parse must take
// them (not leave them to yaml.v3) and build yaml.v3's tree.
var inSubset = []string{
	"a: 1\n",
	"a: 1\nb:\nc: x\n",
	"a:\n  - x\n  -\n  - y\nb:\n",
	"a:\n- x\n- k: v\n  j: w\nz:   \n",
	"a: [x, y]\nb: []\nc: 'q''s'\nd: |\n  l1\n\n  l2\n\ne: end\n",
	"# c\n\na: 1 # x\n",
	"a:\n",
	"a:\n  b:\n",
	"a:\n  - b:\n    c:\n",
	"id: INC-2026-0007\nreported_at: 2026-03-04T10:00:00Z\ndate: 2026-03-04\npersonal_data: false\nsize: 487\n",
	"title: Children's Services \"quoted\" not:here\n",
	"resolution: \"Sender blocked: one user reset a password.\"\n",
	"lessons:\n  - \"Remote wipe worked within the hour; keep alerts on\"\n  - plain lesson\n",
	"note: it's fine # a comment\n",
	"types: [unsolicited-mail, other]\nempty: ''\nq: \"\"\n",
	"evidence:\n  - file: E01.pgp\n    sha256: 81126c3c\n    custody:\n      - at: 2023-01-03T09:10:00Z\n        by: erin\n        action: collected\nupdates: []\n",
	"a: |-\n  one\n  two\n\n\nb: |+\n  keep\n\n\nc: x\n",
	"a: |\n    indented\n  # not a comment in the text\n\n",
	"a: |\n  x\n   y\n  z\n",
	"café: crème brûlée\nnext: ü\n",
	"a: ~\nb: null\nc: yes\nd: 0x1F\ne: 1.5\nf: .inf\ng: 1_000\n",
	"url: https://example.org/a#b\n",
	"k:\n  # a comment above the list\n  - x\n",
	"-   k: v\n    j: w\n-   x\n",
}

// outsideSubset are texts Parse must leave to yaml.v3, valid or not.
var outsideSubset = []string{
	"",
	"# only a comment\n",
	"  a: 1\n",
	"a: &x 1\nb: *x\n",
	"a: !!str 1\n",
	"a: {b: c}\n",
	"a: [x,\n  y]\n",
	"a: >\n  folded\n",
	"a: \"esc\\\"aped\"\n",
	"a: 'open\n  quote'\n",
	"a: plain\n  continued\n",
	"a:\tb\n",
	"a: 1\r\n",
	"---\na: 1\n",
	"%YAML 1.2\n---\na: 1\n",
	"\"quoted key\": 1\n",
	"? complex\n: key\n",
	"a: b: c\n",
	"a: 1\n b: 2\n",
	"a:\n  - x\n  y: 1\n",
	"<<: {}\n",
	"a: -1\n",
	"a: [x, ]\n",
	"a: |2\n  x\n",
	"a: |\n",
	"key : v\n",
	"a: x\u0085y\n",
	"a: x\ufeffy\n",
	"a:#b\n",
	"a: x\n- y\n",
	"text\n",
	"- a\n- - b\n",
}

func TestParseInSubset(t *testing.T) {
	for _, text := range inSubset {
		if !agree(t, text) {
			t.Errorf("Parse left to yaml.v3 a text in the subset:\n%s", text)
		}
	}
}

func TestParseOutsideSubset(t *testing.T) {
	for _, text := range outsideSubset {
		if agree(t, text) {
			t.Errorf("Parse took a text outside the subset:\n%s", text)
		}
	}
}

// TestParseRegisterFiles runs Parse over every YAML text in the
// register package's test data, malformed files included.
func TestParseRegisterFiles(t *testing.T) {
	files, err := filepath.Glob("../testdata/*/*")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../testdata/*/*/*")
	files = append(files, more...)
	took := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // a folder
		}
		text := string(data)
		if strings.HasPrefix(text, "---\n") {
			if end := strings.Index(text[4:], "\n---\n"); end >= 0 {
				text = text[4 : 4+end+1]
			}
		}
		if agree(t, text) {
			took++
		}
	}
	if took == 0 {
		t.Fatalf("Parse took none of %d test files", len(files))
	}
	t.Logf("Parse took %d of %d test files", took, len(files))
}

// TestParserReuse parses every text with one Parser, in turn and then
// again in reverse, so what a text leaves in the parser's memory must
// not show in the next text's tree.
func TestParserReuse(t *testing.T) {
	var p Parser
	texts := append(slices.Clone(inSubset), outsideSubset...)
	texts = append(texts, inSubset[len(inSubset)-1]+strings.Repeat("more: [a, b, c, d]\n", 100))
	for range 2 {
		for _, text := range texts {
			agreeWith(t, p.Parse, text)
		}
		slices.Reverse(texts)
	}
}

// TestResolve compares resolve with yaml.v3's own resolution of plain
// scalars over every spelling its table knows and words like them.
func TestResolve(t *testing.T) {
	words := []string{"true", "True", "TRUE", "tRUE", "false", "False", "FALSE", "null", "Null", "NULL", "nULL", "~", "~x",
		"y", "Y", "yes", "Yes", "n", "no", "No", "on", "On", "ON", "off", "Off", "other", "team", "farah", "olu",
		"1", "-1", "+1", "0x1F", "0o17", "017", "0b101", "1_000", "1.5", "1e3", ".5", ".inf", "-.inf", ".nan", ".NaN",
		"2026-03-04", "2026-03-04T10:00:00Z", "2026-3-4 10:00:00", "2026-13-45", "-", "--", "+", ".", "..", "1-2", "INC-2026-0001", "<<", "a", "Z"}
	for _, w := range words {
		n := &yaml.Node{Kind: yaml.ScalarNode, Value: w}
		if got, want := resolve(n), n.ShortTag(); got != want {
			t.Errorf("resolve(%q) = %s, yaml.v3 says %s", w, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, text := range append(inSubset, outsideSubset...) {
		f.Add(text)
	}
	// One parser for every input: the fuzzer also tries what one text
	// leaves behind for the next.
	var p Parser
	f.Fuzz(func(t *testing.T, text string) {
		agreeWith(t, p.Parse, text)
	})
}

func BenchmarkParse(b *testing.B) {
	text := []byte(strings.Join(inSubset[9:17], ""))
	b.Run("yamlblock", func(b *testing.B) {
		for b.Loop() {
			if _, ok := Parse(text); !ok {
				b.Fatal("refused")
			}
		}
	})
	b.Run("yamlblock-reused", func(b *testing.B) {
		var p Parser
		for b.Loop() {
			if _, ok := p.Parse(text); !ok {
				b.Fatal("refused")
			}
		}
	})
	b.Run("yaml.v3", func(b *testing.B) {
		for b.Loop() {
			var n yaml.Node
			if err := yaml.Unmarshal(text, &n); err != nil {
				b.Fatal(err)
			}
		}
	})
}
