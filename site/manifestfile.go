package site

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// The manifest is one file, written after every build and read by the
// next (see manifest):
//
//	"register site manifest 2\n" layout "\n"
//	the output folder and the audiences, uvarint-length strings
//	Keys: the trees, then each case: its id, the distinct keys of its
//	  pages, and for each tree which of them its page has (0 for none)
//	Files: the strings it names by number (paths and hashes, each
//	  written once though trees share most of them), then the number
//	  of trees, each its audience and its entries, a path and a hash
//	CRC-32C (Castagnoli) of everything before it, 4 bytes big-endian
//
// Strings are uvarint-length byte strings. Read back, every string is a
// piece of one copy of the file: no string is made per entry.
const manifestFile = "manifest.bin"

func manifestMagic() string { return "register site manifest 2\n" + layout + "\n" }

// encodeManifest returns the file's bytes for m.
func encodeManifest(m *manifest) []byte {
	var out record
	out.b = append(out.b, manifestMagic()...)
	out.bytes([]byte(m.Out))
	out.bytes([]byte(m.Audiences))
	k := &m.Keys
	out.uint(uint64(len(k.Trees)))
	for _, t := range k.Trees {
		out.bytes([]byte(t))
	}
	out.uint(uint64(len(k.IDs)))
	var distinct []string
	for i, id := range k.IDs {
		out.bytes([]byte(id))
		distinct = distinct[:0]
		row := k.Keys[i*len(k.Trees) : (i+1)*len(k.Trees)]
		for _, key := range row {
			if key != "" && !slices.Contains(distinct, key) {
				distinct = append(distinct, key)
			}
		}
		out.uint(uint64(len(distinct)))
		for _, key := range distinct {
			out.bytes([]byte(key))
		}
		for _, key := range row {
			out.uint(uint64(slices.Index(distinct, key) + 1)) // 0 for ""
		}
	}
	var strs stringList
	var body record
	body.uint(uint64(len(m.Files)))
	for _, aud := range sortedKeys(m.Files) {
		entries := m.Files[aud]
		body.bytes([]byte(aud))
		body.uint(uint64(len(entries)))
		for name, v := range entries { // in any order: it is read into a map
			body.uint(strs.num(name))
			body.uint(strs.num(v))
		}
	}
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
	// One copy of the file before its checksum, which every string read
	// is a piece of.
	text := string(data[:len(data)-4])
	str := func() string { return r.piece(text) }
	m := &manifest{Layout: layout, Out: str(), Audiences: str()}
	k := &m.Keys
	nt := r.uint()
	if nt > uint64(len(r.b)) {
		return nil, errors.New("damaged manifest")
	}
	k.Trees = make([]string, nt)
	for i := range k.Trees {
		k.Trees[i] = str()
	}
	nc := r.uint()
	if nc > uint64(len(r.b)) || (nt > 0 && nc > uint64(len(r.b))/nt) {
		return nil, errors.New("damaged manifest")
	}
	k.IDs = make([]string, nc)
	k.Keys = make([]string, nc*nt)
	var distinct []string
	for i := range k.IDs {
		k.IDs[i] = str()
		if i > 0 && k.IDs[i] <= k.IDs[i-1] {
			return nil, errors.New("damaged manifest: case ids out of order")
		}
		nd := r.uint()
		if nd > nt {
			return nil, errors.New("damaged manifest")
		}
		distinct = distinct[:0]
		for range nd {
			distinct = append(distinct, str())
		}
		for j := range nt {
			x := r.uint()
			if x > nd {
				return nil, errors.New("damaged manifest")
			}
			if x > 0 {
				k.Keys[uint64(i)*nt+j] = distinct[x-1]
			}
		}
		if r.err != nil {
			return nil, r.err
		}
	}
	strs := readStrings(r)
	n := r.uint()
	if n > uint64(len(r.b)) {
		return nil, errors.New("damaged manifest")
	}
	m.Files = make(map[string]map[string]string, n)
	for range n {
		aud := str()
		e := r.uint()
		if e > uint64(len(r.b)) {
			return nil, errors.New("damaged manifest")
		}
		entries := make(map[string]string, e)
		for range e {
			name := strs.at(r)
			entries[name] = strs.at(r)
		}
		m.Files[aud] = entries
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
	var data []byte
	if m != nil {
		data = encodeManifest(m)
	}
	return writeManifestData(dir, data)
}

// writeManifestData is writeManifest of a manifest encodeManifest
// encoded, or of none for nil.
func writeManifestData(dir string, data []byte) (os.FileInfo, error) {
	if dir == "" {
		return nil, errors.New("no cache folder")
	}
	p := filepath.Join(dir, manifestFile)
	os.Remove(filepath.Join(dir, "manifest.gob")) // the form of earlier builds
	if data == nil {
		return nil, os.Remove(p)
	}
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
	if len(data) < 4 {
		return nil, errNotOurs
	}
	body := data[:len(data)-4]
	r, err := magicFields(body, magic)
	if err != nil {
		return nil, err
	}
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(data[len(data)-4:]) {
		return nil, errors.New("checksum mismatch")
	}
	return r, nil
}

// magicFields returns data's fields after its magic line, unchecked.
func magicFields(data []byte, magic string) (*fields, error) {
	if len(data) < len(magic) || string(data[:len(magic)]) != magic {
		return nil, errNotOurs
	}
	return &fields{b: data[len(magic):]}, nil
}

var errNotOurs = errors.New("not a file of this build")

// sealed appends the checksum checkedFields checks.
func sealed(b []byte) []byte {
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}
