package site

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
)

// The late fragments file keeps the fragments page types make after the
// build cache was written (View.CaseFragment: the breach record's
// sections, made while the audiences' pages are, after the cache file
// was begun) and those a rebuild makes that changed too little to write
// the cache again. It is appended to, not rewritten, and belongs to one
// generation of the cache file: a new cache file holds its fragments,
// and the file is started afresh. Its form is
//
//	"register site late fragments\n" cacheVersion "\n"
//	the generation of the cache file, a uvarint-length string
//	CRC-32C of everything before it, 4 bytes big-endian
//	records, each: a uvarint length, the record, its CRC-32C (4 bytes);
//	  a record is a fragment: its case file's path and sum, its name
//	  and its bytes, each a uvarint-length string
//
// Each record is checked on its own: an append cut short by a crash
// loses that record and those after it, never the file.
const lateFile = "late.bin"

func lateMagic() string { return "register site late fragments\n" + cacheVersion + "\n" }

// lateFragment is one record of the late fragments file.
type lateFragment struct {
	path, sum, name string
	data            []byte
}

// readLate reads the late fragments file in dir, if it is of generation
// gen, and adds its fragments to the entries of docs whose files they
// were made from (the same path and sum); later records replace earlier
// ones. The fragments are slices of the bytes read. It returns the
// file's size and, if every record is whole, what the file was when read
// (see appendLate).
func readLate(dir, gen string, docs map[string]*cachedCase) (size int64, whole os.FileInfo) {
	f, err := os.Open(filepath.Join(dir, lateFile))
	if err != nil {
		return 0, nil
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, nil
	}
	// Read in one go, into memory of its size (a file cut short since
	// is read as far as it goes).
	data := make([]byte, st.Size())
	n, err := io.ReadFull(f, data)
	if err != nil && err != io.ErrUnexpectedEOF {
		return 0, nil
	}
	data = data[:n]
	recs, end, ok := lateRecords(data, gen)
	if !ok {
		return 0, nil
	}
	attachLate(docs, recs)
	if end == len(data) && st.Size() == int64(len(data)) {
		whole = st
	}
	return int64(len(data)), whole
}

// attachLate adds each fragment to the entry of docs it was made for:
// the same path and sum.
func attachLate(docs map[string]*cachedCase, recs []lateFragment) {
	for _, f := range recs {
		d := docs[f.path]
		if d == nil || d.Sum != f.sum || d.Frag == nil {
			continue
		}
		if d.Frag.More == nil {
			d.Frag.More = map[string][]byte{}
		}
		d.Frag.More[f.name] = f.data
	}
}

// lateRecords reads the records of a late fragments file of generation
// gen, up to the first damaged one, which starts at end (len(data) when
// all are whole); ok is false for a file of another generation or a
// damaged head.
func lateRecords(data []byte, gen string) (recs []lateFragment, end int, ok bool) {
	head := lateHead(gen)
	if len(data) < len(head) || string(data[:len(head)]) != string(head) {
		return nil, 0, false
	}
	r := &fields{b: data[len(head):]}
	for len(r.b) > 0 {
		at := len(data) - len(r.b)
		rec := r.view()
		if r.err != nil || len(r.b) < 4 || crc32.Checksum(rec, castagnoli) != binary.BigEndian.Uint32(r.b) {
			return recs, at, true
		}
		r.b = r.b[4:]
		f := &fields{b: rec}
		frag := lateFragment{path: f.str(), sum: f.str(), name: f.str(), data: f.view()}
		if f.err != nil || len(f.b) != 0 {
			return recs, at, true
		}
		recs = append(recs, frag)
	}
	return recs, len(data), true
}

// lateHead is the start of the late fragments file of generation gen.
func lateHead(gen string) []byte {
	var r record
	r.b = append(r.b, lateMagic()...)
	r.bytes([]byte(gen))
	return sealed(r.b)
}

// appendLate appends the fragments to the late fragments file in dir of
// generation gen, starting it afresh when it is of another generation
// or missing; records after a damaged one (an append cut short) are
// dropped first, so that the new ones can be read. known, if not nil, is
// the file as last read or written whole, of generation gen: while it is
// the same (same file, size and time), it is appended to unread. It
// returns the file as it leaves it.
func appendLate(dir, gen string, frags []lateFragment, known os.FileInfo) (os.FileInfo, error) {
	if gen == "" {
		return nil, errNoCacheFile
	}
	// The records are written as they are encoded: at the end of a build
	// from nothing they are megabytes, and the heap is near its limit.
	write := func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		var rec record
		var sum [4]byte
		for _, f := range frags {
			rec.bytes([]byte(f.path))
			rec.bytes([]byte(f.sum))
			rec.bytes([]byte(f.name))
			rec.bytes(f.data)
			binary.BigEndian.PutUint32(sum[:], crc32.Checksum(rec.b, castagnoli))
			rec.writeTo(bw)
			bw.Write(sum[:])
		}
		return bw.Flush()
	}
	p := filepath.Join(dir, lateFile)
	appendTo := func() (os.FileInfo, error) {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return nil, err
		}
		err = write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		return os.Stat(p)
	}
	if unchanged(p, known) {
		return appendTo()
	}
	keep := lateHead(gen)
	if old, err := os.ReadFile(p); err == nil {
		if _, end, ok := lateRecords(old, gen); ok && end == len(old) {
			return appendTo()
		} else if ok {
			keep = old[:end]
		}
	}
	if err := replaceFile(dir, lateFile, func(w io.Writer) error {
		if _, err := w.Write(keep); err != nil {
			return err
		}
		return write(w)
	}); err != nil {
		return nil, err
	}
	return os.Stat(p)
}

// errNoCacheFile: late fragments belong to a cache file, and there is
// none.
var errNoCacheFile = errors.New("no cache file to add late fragments to")
