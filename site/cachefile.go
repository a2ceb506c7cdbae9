package site

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"

	"github.com/council/register/register"
)

// The build cache is one file, read whole with one read and sliced, not
// decoded message by message: with gob, copying 55 MB three times over
// (reader, message, value) was most of a rebuild's load. The file is
//
//	"register site cache\n" cacheVersion "\n"
//	records: a uvarint length, then the record
//	CRC-32C (Castagnoli) of everything before it, 4 bytes big-endian
//
// The first record is the header (Env, the file's generation — a random
// name that the late fragments file (latefile.go) refers to — and the
// number of entries); each
// other is an entry: path, size, modification time, the case as
// register.Case marshals it, its sum, its fragments and, for a minutes
// file, the minutes' fields as register.Minutes.MarshalFields encodes
// them and their Markdown body. Fields are uvarint-length byte strings
// or uvarints.
const cacheFile = "cases.bin"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func cacheMagic() string { return "register site cache\n" + cacheVersion + "\n" }

// readCacheFile reads the cache file in dir. Any damage makes it
// unreadable as a whole: the build then parses every file afresh.
//
// The file is read whole into memory, and the entries' cases, summaries
// and fragments are slices of it: a case decoded from them copies what
// it keeps. (Mapping the file instead saved the fresh memory to read it
// into, but its first touch, page by page, cost more than reading it
// into a heap in huge pages: see cmd/register's hugeHeap.)
//
// The fragments of the late fragments file of the same generation are
// added to the entries they belong to (see readLate).
func readCacheFile(dir string) (head cacheHead, docs map[string]*cachedCase, err error) {
	data, err := os.ReadFile(filepath.Join(dir, cacheFile))
	if err != nil {
		return cacheHead{}, nil, err
	}
	head, docs, err = parseCacheFile(data)
	if err != nil {
		return cacheHead{}, nil, err
	}
	head.Size = int64(len(data))
	head.LateSize, head.Late = readLate(dir, head.Gen, docs)
	return head, docs, nil
}

// cacheHead is what a cache file says of itself.
type cacheHead struct {
	Env string // see cache.Env
	Gen string // the file's generation
	// Size and LateSize are the sizes of the file and of its late
	// fragments file as read; Late is the late fragments file, if it was
	// read whole (see appendLate).
	Size, LateSize int64
	Late           os.FileInfo
}

// parseCacheFile reads the bytes of a cache file. Each entry's case,
// summary, body and fragments are slices of data.
func parseCacheFile(data []byte) (head cacheHead, docs map[string]*cachedCase, err error) {
	r, err := checkedFields(data, cacheMagic())
	if err != nil {
		return cacheHead{}, nil, err
	}
	size := len(r.b)
	h := r.record()
	head.Env, head.Gen = h.str(), h.str()
	n := h.uint()
	if r.err != nil || h.err != nil || n > uint64(size) || head.Gen == "" {
		return cacheHead{}, nil, errors.New("damaged header")
	}
	// The records are found one after the other, then read on all
	// processors: a rebuild waits for the cache before anything else.
	recs := make([]*fields, 0, n)
	for range n {
		if recs = append(recs, r.record()); r.err != nil {
			return cacheHead{}, nil, errors.New("damaged entry")
		}
	}
	if len(r.b) != 0 {
		return cacheHead{}, nil, errors.New("trailing bytes")
	}
	// The entries and their fragments are made in two allocations, not
	// twenty thousand.
	paths := make([]string, len(recs))
	entries := make([]cachedCase, len(recs))
	frags := make([]fragments, len(recs))
	if err := parallel(context.Background(), len(recs), func(i int) (err error) {
		paths[i], err = cacheEntry(recs[i], size, &entries[i], &frags[i])
		return err
	}); err != nil {
		return cacheHead{}, nil, err
	}
	docs = make(map[string]*cachedCase, n)
	for i, p := range paths {
		docs[p] = &entries[i]
	}
	return head, docs, nil
}

// cacheEntry reads one entry's record into d, and its fragments, if it
// has them, into f; max bounds its counts. It returns the entry's path.
func cacheEntry(e *fields, max int, d *cachedCase, f *fragments) (string, error) {
	p := e.str()
	d.Size, d.ModTime = int64(e.uint()), int64(e.uint())
	d.Case, d.Summary = e.view(), e.view()
	d.Updated = e.time()
	d.Sum = e.str()
	if e.uint() == 1 {
		*f = fragments{Row: e.view(), CSV: e.view(), JSON: e.view(), Search: e.view(), Sums: e.view()}
		if len(f.Sums) != fragmentSums*sha256.Size {
			e.fail()
		}
		if m := e.uint(); m > 0 && m <= uint64(max) {
			f.More = make(map[string][]byte, m)
			for range m {
				k := e.str()
				f.More[k] = e.view()
			}
		}
		d.Frag = f
	}
	if mb := e.view(); len(mb) > 0 { // decoding copies what it keeps
		d.Minutes = new(register.Minutes)
		if err := d.Minutes.UnmarshalFields(mb); err != nil {
			return "", err
		}
	}
	d.Body = e.view()
	if e.err != nil || len(e.b) != 0 {
		return "", errors.New("damaged entry")
	}
	return p, nil
}

// writeCacheFile writes the cache in dir (see replaceFile), of a new
// generation, which it returns. Each entry's fragments added since it
// was last written (fragments.added) are written now.
func writeCacheFile(dir, env string, docs map[string]*cachedCase) (gen string, err error) {
	var g [12]byte
	rand.Read(g[:])
	gen = hex.EncodeToString(g[:])
	return gen, replaceFile(dir, cacheFile, func(f io.Writer) (err error) {
		crc := crc32.New(castagnoli)
		w := bufio.NewWriterSize(io.MultiWriter(f, crc), 1<<16)
		w.WriteString(cacheMagic())
		var rec record
		rec.bytes([]byte(env))
		rec.bytes([]byte(gen))
		rec.uint(uint64(len(docs)))
		rec.writeTo(w)
		for p, d := range docs {
			rec.bytes([]byte(p))
			rec.uint(uint64(d.Size))
			rec.uint(uint64(d.ModTime))
			var whole, summary []byte
			if d.Minutes == nil {
				// A case parsed in this process is marshalled only while
				// it is written, so the bytes are not kept beside it.
				if whole, summary, err = d.encoded(); err != nil {
					return err
				}
			}
			rec.bytes(whole)
			rec.bytes(summary)
			rec.time(d.Updated)
			rec.bytes([]byte(d.Sum))
			if fr := d.Frag; fr != nil {
				rec.uint(1)
				rec.bytes(fr.Row)
				rec.bytes(fr.CSV)
				rec.bytes(fr.JSON)
				rec.bytes(fr.Search)
				rec.bytes(fr.Sums)
				// Page types may be adding fragments while the cache
				// is written (see builder.build).
				fragMu.Lock()
				rec.uint(uint64(len(fr.More)))
				for _, k := range sortedKeys(fr.More) {
					rec.bytes([]byte(k))
					rec.bytes(fr.More[k])
				}
				fr.added = nil
				fragMu.Unlock()
			} else {
				rec.uint(0)
			}
			var mb []byte
			if d.Minutes != nil {
				if mb, err = d.Minutes.MarshalFields(); err != nil {
					return err
				}
			}
			rec.bytes(mb)
			rec.bytes(d.Body)
			rec.writeTo(w)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		_, err = f.Write(binary.BigEndian.AppendUint32(nil, crc.Sum32()))
		return err
	})
}

// replaceFile writes the file name in dir by write into a temporary file
// and a rename, so a reader sees the old file or the new, never part of
// one; a failure leaves the old file and no temporary one.
func replaceFile(dir, name string, write func(io.Writer) error) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, name+".tmp-*")
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// record gathers one record's fields.
type record struct{ b []byte }

func (r *record) uint(v uint64)  { r.b = binary.AppendUvarint(r.b, v) }
func (r *record) bytes(v []byte) { r.b = append(binary.AppendUvarint(r.b, uint64(len(v))), v...) }

func (r *record) writeTo(w *bufio.Writer) {
	var n [binary.MaxVarintLen64]byte
	w.Write(n[:binary.PutUvarint(n[:], uint64(len(r.b)))])
	w.Write(r.b)
	r.b = r.b[:0]
}

// fields reads what record wrote; the first problem sticks in err and
// every later read returns nothing.
type fields struct {
	b   []byte
	err error
}

func (f *fields) uint() uint64 { return number(f, binary.Uvarint) }
func (f *fields) int() int64   { return number(f, binary.Varint) }

// number reads the next number with read (binary.Uvarint or Varint).
func number[T uint64 | int64](f *fields, read func([]byte) (T, int)) T {
	if f.err != nil {
		return 0
	}
	v, n := read(f.b)
	if n <= 0 {
		f.err, f.b = errors.New("bad number"), nil
		return 0
	}
	f.b = f.b[n:]
	return v
}

// view returns the next byte string as a slice of the bytes read, not a
// copy.
func (f *fields) view() []byte {
	n := f.uint()
	if f.err != nil || n > uint64(len(f.b)) {
		f.fail()
		return nil
	}
	v := f.b[:n:n]
	f.b = f.b[n:]
	return v
}

// piece returns the next byte string as a piece of text, a copy of the
// bytes f reads ending where they end: many strings, one allocation.
func (f *fields) piece(text string) string {
	n := f.uint()
	if f.err != nil || n > uint64(len(f.b)) {
		f.fail()
		return ""
	}
	off := len(text) - len(f.b)
	f.b = f.b[n:]
	return text[off : off+int(n)]
}

// str returns the next byte string as a string (one copy, not two).
func (f *fields) str() string {
	n := f.uint()
	if f.err != nil || n > uint64(len(f.b)) {
		f.fail()
		return ""
	}
	s := string(f.b[:n])
	f.b = f.b[n:]
	return s
}

// fail marks the fields damaged: every later read returns nothing.
func (f *fields) fail() {
	if f.err == nil {
		f.err = errors.New("damaged")
	}
	f.b = nil
}

func (f *fields) record() *fields {
	n := f.uint()
	if f.err != nil || n > uint64(len(f.b)) {
		f.err, f.b = errors.New("bad length"), nil
		return &fields{err: f.err}
	}
	r := &fields{b: f.b[:n]}
	f.b = f.b[n:]
	return r
}
