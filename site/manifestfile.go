package site

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
)

// The manifest is one file, written after every build and read by the
// next (see manifest):
//
//	"register site manifest\n" layout "\n"
//	the output folder and the audiences, uvarint-length strings
//	the strings the rest names by number: case ids, paths, keys and
//	  hashes, each written once though trees share most of them
//	Keys, then Files: the number of trees, each its audience and its
//	  entries, a name and a value by number
//	CRC-32C (Castagnoli) of everything before it, 4 bytes big-endian
//
// A gob of the same maps was 3.6 MB and a fifth of a rebuild's time after
// one edit.
const manifestFile = "manifest.bin"

func manifestMagic() string { return "register site manifest\n" + layout + "\n" }

// encodeManifest returns the file's bytes for m.
func encodeManifest(m *manifest) []byte {
	var strs stringList
	var body record
	for _, trees := range []map[string]map[string]string{m.Keys, m.Files} {
		body.uint(uint64(len(trees)))
		for _, aud := range sortedKeys(trees) {
			entries := trees[aud]
			body.bytes([]byte(aud))
			body.uint(uint64(len(entries)))
			for name, v := range entries { // in any order: it is read into a map
				body.uint(strs.num(name))
				body.uint(strs.num(v))
			}
		}
	}
	var out record
	out.b = append(out.b, manifestMagic()...)
	out.bytes([]byte(m.Out))
	out.bytes([]byte(m.Audiences))
	strs.writeTo(&out)
	out.b = append(out.b, body.b...)
	return sealed(out.b)
}

// decodeManifest decodes what encodeManifest encoded. Any damage is an
// error, never a partial manifest.
func decodeManifest(data []byte) (*manifest, error) {
	r, err := checkedFields(data, manifestMagic())
	if err != nil {
		return nil, err
	}
	m := &manifest{Layout: layout, Out: r.str(), Audiences: r.str()}
	strs := readStrings(r)
	for _, trees := range []*map[string]map[string]string{&m.Keys, &m.Files} {
		n := r.uint()
		if n > uint64(len(r.b)) {
			return nil, errors.New("damaged manifest")
		}
		*trees = make(map[string]map[string]string, n)
		for range n {
			aud := r.str()
			k := r.uint()
			if k > uint64(len(r.b)) {
				return nil, errors.New("damaged manifest")
			}
			entries := make(map[string]string, k)
			for range k {
				name := strs.at(r)
				entries[name] = strs.at(r)
			}
			(*trees)[aud] = entries
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, errors.New("trailing bytes")
	}
	return m, nil
}

// readManifest reads the manifest in dir; nil if there is none or it
// is damaged (the next build then writes every tree afresh).
func readManifest(dir string) *manifest {
	if dir == "" {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return nil
	}
	m, err := decodeManifest(data)
	if err != nil || m.Out == "" {
		return nil
	}
	return m
}

// writeManifest writes m, or removes the manifest when m is nil, and
// returns the file it wrote.
func writeManifest(dir string, m *manifest) (os.FileInfo, error) {
	if dir == "" {
		return nil, errors.New("no cache folder")
	}
	p := filepath.Join(dir, manifestFile)
	os.Remove(filepath.Join(dir, "manifest.gob")) // the form of earlier builds
	if m == nil {
		return nil, os.Remove(p)
	}
	data := encodeManifest(m)
	err := replaceFile(dir, manifestFile, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return nil, err
	}
	return os.Stat(p)
}

// stringList numbers strings in the order they are first given, so a
// file names a repeated string by number and holds it once.
type stringList struct {
	strs  []string
	index map[string]uint64
}

func (l *stringList) num(s string) uint64 {
	n, ok := l.index[s]
	if !ok {
		if l.index == nil {
			l.index = map[string]uint64{}
		}
		n = uint64(len(l.strs))
		l.index[s] = n
		l.strs = append(l.strs, s)
	}
	return n
}

// writeTo writes the list: its length, then each string.
func (l *stringList) writeTo(r *record) {
	r.uint(uint64(len(l.strs)))
	for _, s := range l.strs {
		r.bytes([]byte(s))
	}
}

// stringTable is a list stringList wrote, read back.
type stringTable []string

// readStrings reads what stringList.writeTo wrote.
func readStrings(r *fields) stringTable {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	strs := make(stringTable, n)
	for i := range strs {
		strs[i] = r.str()
	}
	return strs
}

// at reads a string's number from r and returns the string.
func (s stringTable) at(r *fields) string {
	i := r.uint()
	if i >= uint64(len(s)) {
		r.fail()
		return ""
	}
	return s[i]
}

// checkedFields checks data's magic line and checksum and returns its
// fields after the magic line.
func checkedFields(data []byte, magic string) (*fields, error) {
	if len(data) < len(magic)+4 || string(data[:len(magic)]) != magic {
		return nil, errors.New("not a file of this build")
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(data[len(data)-4:]) {
		return nil, errors.New("checksum mismatch")
	}
	return &fields{b: body[len(magic):]}, nil
}

// sealed appends the checksum checkedFields checks.
func sealed(b []byte) []byte {
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}
