package register

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"
)

// TestParseFileKeepsNoBytes: parseFile reads into a lent buffer that the
// next file overwrites, so what it returns must hold nothing of it.
// Each test file is parsed, the buffer scribbled over, and the result
// compared with a parse of a private copy.
func TestParseFileKeepsNoBytes(t *testing.T) {
	var files []string
	for _, dir := range []string{"testdata/base", "testdata/malformed"} {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && filepath.Ext(p) == ".md" {
				files = append(files, p)
			}
			return err
		})
	}
	if len(files) == 0 {
		t.Fatal("no test files")
	}
	scribble := func() {
		// The pool is per processor: take back what is there and wipe it.
		var got []*[]byte
		for range 4 {
			b := fileBuffers.Get().(*[]byte)
			full := (*b)[:cap(*b)]
			for i := range full {
				full[i] = 'X'
			}
			got = append(got, b)
		}
		for _, b := range got {
			fileBuffers.Put(b)
		}
	}
	for _, cache := range []*ParseCache{nil, OpenParseCache(filepath.Join(t.TempDir(), "cache"), "salt")} {
		for _, p := range files {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			fsys := fstest.MapFS{"f.md": {Data: data}}
			if bytes.Contains(data, []byte("\ndate:")) {
				got, fs := parseFile(fsys, "f.md", cache.parsedMinutes)
				scribble()
				want, wfs := parseMinutes(bytes.Clone(data))
				if !reflect.DeepEqual(got, want) || !sameFindings(fs, wfs) {
					t.Errorf("%s: the minutes parsed through the lent buffer changed when it was reused", p)
				}
				continue
			}
			got, fs := parseFile(fsys, "f.md", cache.parsedCase)
			scribble()
			want, wfs := parseCase(bytes.Clone(data))
			if !reflect.DeepEqual(got, want) || !sameFindings(fs, wfs) {
				t.Errorf("%s: the case parsed through the lent buffer changed when it was reused", p)
			}
		}
	}
}

// sameFindings compares what parseFile found with what the parse found,
// which parseFile locates in its file.
func sameFindings(got, want Findings) bool {
	return len(got) == 0 && len(want) == 0 || reflect.DeepEqual(got, want.In("f.md"))
}
