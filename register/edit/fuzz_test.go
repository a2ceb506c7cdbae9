package edit

import (
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzEdit throws arbitrary documents, paths and values at Set and Append.
// They must never panic, and whatever they return must be a document
// whose front matter parses and holds the value at the path.
func FuzzEdit(f *testing.F) {
	for _, tt := range editTests {
		f.Add(tt.before, "status", "triaged", false)
	}
	for _, c := range propertyCases {
		f.Add(c, "updates", "a: b # c", true)
		f.Add(c, "notified.img", "2026-11-28T10:00:00Z", false)
		f.Add(c, "evidence[0].custody", "x", true)
	}
	f.Fuzz(func(t *testing.T, doc, path, value string, appendIt bool) {
		var out []byte
		var err error
		if appendIt {
			out, err = Append([]byte(doc), path, value)
		} else {
			out, err = Set([]byte(doc), path, value)
		}
		if err != nil {
			return
		}
		g, err := open(out)
		if err != nil {
			t.Fatalf("result does not open: %v\n%s", err, out)
		}
		segs, _ := parsePath(path)
		l, err := locate(g.root, segs)
		if err != nil || l.depth != len(segs) {
			t.Fatalf("result lacks %s (%v):\n%s", path, err, out)
		}
		n := l.node
		if appendIt {
			if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
				t.Fatalf("%s is not a list after Append:\n%s", path, out)
			}
			n = n.Content[len(n.Content)-1]
		}
		var got string
		if err := n.Decode(&got); err != nil || got != value {
			t.Fatalf("%s = %q (%v), want %q:\n%s", path, got, err, value, out)
		}
	})
}
