package site

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func testManifest() *manifest {
	return &manifest{Layout: layout, Out: "/srv/public", Audiences: "itparg, img",
		Keys: caseKeys{
			Trees: []string{"itparg", "img", "empty"},
			IDs:   []string{"INC-2026-0001", "INC-2026-0002", "INC-2026-0003"},
			Keys: []string{
				"k1", "k1", "",
				"k2", "", "",
				"k3", "k4", "",
			},
		},
		Files: map[string]map[string]string{
			"itparg": {"index.html": "h1", "register/all/1.html": "key:h2"},
			"img":    {"index.html": "h3", "register/all/1.html": "key:h2"},
		}}
}

func TestManifestRoundTrip(t *testing.T) {
	m := testManifest()
	data := encodeManifest(m)
	got, err := decodeManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Errorf("got %+v, want %+v", got, m)
	}
	// Through the file, as builds use it.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "manifest.gob"), []byte("an earlier build's manifest"), 0o644)
	st, err := writeManifest(dir, m)
	if err != nil || st.Name() != manifestFile {
		t.Fatalf("writeManifest: %v, %v", st, err)
	}
	if got := readManifest(dir); !reflect.DeepEqual(got, m) {
		t.Errorf("read back %+v", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "manifest.gob")); err == nil {
		t.Error("the gob manifest of earlier builds is left behind")
	}
	if _, err := writeManifest(dir, nil); err != nil || readManifest(dir) != nil {
		t.Errorf("the manifest is not removed: %v", err)
	}
}

// TestManifestDamaged: any cut or changed byte is refused, and so is a
// body that makes no sense under a good checksum (never a panic, never
// a partial manifest).
func TestManifestDamaged(t *testing.T) {
	data := encodeManifest(testManifest())
	refusesDamage(t, data, func(b []byte) error {
		_, err := decodeManifest(b)
		return err
	})
	magic := len(manifestMagic())
	body := data[magic : len(data)-4]
	rnd := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		b := append([]byte(nil), body...)
		for range 1 + rnd.IntN(4) {
			b[rnd.IntN(len(b))] = byte(rnd.UintN(256))
		}
		b = b[:rnd.IntN(len(b)+1)]
		m, err := decodeManifest(sealed(append([]byte(manifestMagic()), b...)))
		if err == nil && m == nil {
			t.Fatal("no error and no manifest")
		}
	}
}

// TestCaseKeysPlaces: each case of a build is found in the previous
// build's keys by walking both lists of ids in order.
func TestCaseKeysPlaces(t *testing.T) {
	k := testManifest().Keys
	got := k.places([]string{"INC-2025-0009", "INC-2026-0002", "INC-2026-0003", "INC-2026-0004"})
	if want := []int{-1, 1, 2, -1}; !reflect.DeepEqual(got, want) {
		t.Errorf("places = %v, want %v", got, want)
	}
	if k.tree("img") != 1 || k.tree("audit") != -1 || k.key(2, 1) != "k4" {
		t.Error("tree or key is wrong")
	}
}
