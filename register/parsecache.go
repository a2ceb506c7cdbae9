package register

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"time"
)

// A ParseCache remembers what parsing each case and minutes file gave,
// so that loading an unchanged register again parses no YAML. An entry is
// keyed by the SHA-256 of the file's bytes, so a hit is exactly what
// parsing those bytes gives: editing, renaming or checking out a file can
// never return a stale result. Only files that parse without a finding
// are kept; a file with a finding is parsed, and reported, every time.
//
// The cache file is checksummed and written whole to a temporary file
// and renamed, so concurrent runs each see a complete file; a missing,
// damaged or outdated cache is ignored and replaced, never an error.
// Everything in it was derived from files in the register, so deleting
// it only costs the next run time.
//
// A ParseCache is a local speed-up for a person's working copy. The
// server-side gate (pre-receive, check --range) loads without one: it
// trusts nothing a writable folder could hold.
//
// It is safe for concurrent use.
type ParseCache struct {
	file string
	salt [32]byte

	mu    sync.Mutex
	old   map[[32]byte][]byte // entries of the file read, still encoded
	fresh map[[32]byte][]byte // entries used by this run
	added int                 // entries parsed by this run
}

// parseCacheMagic starts a cache file; its last digit is the format.
const parseCacheMagic = "register parse cache 1\n"

// OpenParseCache reads the cache in file, if there is a usable one.
// salt names the parser's build (the CLI passes its executable's
// identity): a cache written by another build is ignored, because that
// build may parse differently.
func OpenParseCache(file, salt string) *ParseCache {
	c := &ParseCache{
		file:  file,
		salt:  sha256.Sum256([]byte(parseCacheMagic + schemaFingerprint + "\x00" + salt)),
		old:   map[[32]byte][]byte{},
		fresh: map[[32]byte][]byte{},
	}
	data, err := os.ReadFile(file)
	if err == nil {
		c.old = readParseCache(data, c.salt)
	}
	return c
}

// readParseCache returns the entries of a cache file, or an empty map if
// the file is damaged or from another build.
func readParseCache(data []byte, salt [32]byte) map[[32]byte][]byte {
	none := map[[32]byte][]byte{}
	head := len(parseCacheMagic) + len(salt)
	if len(data) < head+4 || string(data[:len(parseCacheMagic)]) != parseCacheMagic ||
		!bytes.Equal(data[len(parseCacheMagic):head], salt[:]) {
		return none
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return none
	}
	d := &decoder{data: body[head:]}
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.data)/33) {
		return none
	}
	entries := make(map[[32]byte][]byte, n)
	for range n {
		var key [32]byte
		copy(key[:], d.bytes(32))
		entries[key] = d.bytes(int(d.uvarint()))
		if d.err != nil {
			return none
		}
	}
	if len(d.data) != 0 {
		return none
	}
	return entries
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// key returns the cache key of a file's bytes parsed as kind.
func (c *ParseCache) key(kind byte, data []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte{kind})
	h.Write(data)
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// Kinds of cached documents.
const (
	cachedCase    byte = 'c'
	cachedMinutes byte = 'm'
)

// parsedCase returns the case that data parses to, from the cache or by
// parsing it and remembering the result.
func (c *ParseCache) parsedCase(data []byte) (*Case, Findings) {
	return cachedParse(c, cachedCase, data, parseCase, func(v *Case) **document { return &v.doc })
}

// parsedMinutes is parsedCase for minutes.
func (c *ParseCache) parsedMinutes(data []byte) (*Minutes, Findings) {
	return cachedParse(c, cachedMinutes, data, parseMinutes, func(v *Minutes) **document { return &v.doc })
}

// cachedParse returns what parse gives for data, from the cache when it
// holds it; doc locates a value's document.
func cachedParse[T any](c *ParseCache, kind byte, data []byte, parse func([]byte) (*T, Findings), doc func(*T) **document) (*T, Findings) {
	if c == nil {
		return parse(data)
	}
	k := c.key(kind, data)
	if enc := c.hit(k); enc != nil {
		v := new(T)
		if decodeCached(enc, reflect.ValueOf(v).Elem(), doc(v)) == nil {
			return v, nil
		}
	}
	v, fs := parse(data)
	if fs == nil {
		// The entry holds the file's values and body, and its lines.
		c.store(k, encodeCached(reflect.ValueOf(v).Elem(), *doc(v), len(data)+1024))
	}
	return v, fs
}

func (c *ParseCache) hit(k [32]byte) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	enc, ok := c.old[k]
	if ok {
		c.fresh[k] = enc
	}
	return enc
}

func (c *ParseCache) store(k [32]byte, enc []byte) {
	if enc == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fresh[k] = enc
	c.added++
}

// Save writes the entries this run used, and only those, so the cache
// never outgrows the register. It writes nothing when they are the
// entries already on disk.
func (c *ParseCache) Save() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.added == 0 && len(c.fresh) == len(c.old) {
		return nil
	}
	err := writeAtomic(c.file, func(w io.Writer) error {
		sum := crc32.New(castagnoli)
		bw := bufio.NewWriterSize(io.MultiWriter(w, sum), 1<<16)
		bw.WriteString(parseCacheMagic)
		bw.Write(c.salt[:])
		bw.Write(binary.AppendUvarint(nil, uint64(len(c.fresh))))
		for k, enc := range c.fresh {
			bw.Write(k[:])
			bw.Write(binary.AppendUvarint(nil, uint64(len(enc))))
			bw.Write(enc)
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		_, err := w.Write(binary.LittleEndian.AppendUint32(nil, sum.Sum32()))
		return err
	})
	if err != nil {
		return fmt.Errorf("parse cache: %w", err)
	}
	c.old, c.added = c.fresh, 0
	c.fresh = make(map[[32]byte][]byte, len(c.old))
	return nil
}

// writeAtomic writes a new file beside file with write and renames it
// over file, so a reader sees the old file or the new one, never part of
// one.
func writeAtomic(file string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(file), filepath.Base(file)+".tmp-*")
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), file)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// The cached form of a case or minutes is its exported fields in order
// (those YAML knows: Path and ID are set by Load from the file's place),
// then the document's lines, body and body line. Strings are length-
// prefixed, numbers varints, times in time.Time's binary form, and every
// slice, map and pointer says first whether it is nil, so a decoded value
// is deeply equal to the parsed one. The schema fingerprint below names
// every type and field, so changing a type invalidates old caches.

var (
	timeType = reflect.TypeFor[time.Time]()
	docType  = reflect.TypeFor[document]()
)

// schemaFingerprint describes the cached types.
var schemaFingerprint = func() string {
	var b strings.Builder
	seen := map[reflect.Type]bool{}
	var describe func(t reflect.Type)
	describe = func(t reflect.Type) {
		fmt.Fprintf(&b, "%s:%s(", t.String(), t.Kind())
		defer b.WriteString(")")
		if seen[t] || t == timeType {
			return
		}
		seen[t] = true
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice:
			describe(t.Elem())
		case reflect.Map:
			describe(t.Key())
			describe(t.Elem())
		case reflect.Struct:
			for _, f := range cachedFields(t) {
				fmt.Fprintf(&b, "%s ", t.Field(f).Name)
				describe(t.Field(f).Type)
			}
		}
	}
	describe(reflect.TypeFor[Case]())
	describe(reflect.TypeFor[Minutes]())
	describe(docType)
	return b.String()
}()

// cachedFields lists the indexes of the fields a struct's cached form
// holds: its exported fields that YAML fills.
func cachedFields(t reflect.Type) []int {
	if f, ok := cachedFieldsOf.Load(t); ok {
		return f.([]int)
	}
	out := []int{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.IsExported() && f.Tag.Get("yaml") != "-" {
			out = append(out, i)
		}
	}
	cachedFieldsOf.Store(t, out)
	return out
}

var cachedFieldsOf sync.Map // reflect.Type → []int

// encodeCached returns the cached form of v and its document (size is
// about how long it will be), or nil if v holds a type the cache does not
// know (TestParseCacheRoundTrip keeps that from happening).
func encodeCached(v reflect.Value, doc *document, size int) []byte {
	e := &encoder{buf: make([]byte, 0, size)}
	e.value(v)
	e.value(reflect.ValueOf(doc))
	if e.unknown {
		return nil
	}
	return e.buf
}

func decodeCached(enc []byte, v reflect.Value, doc **document) error {
	d := &decoder{data: enc}
	d.value(v)
	d.value(reflect.ValueOf(doc).Elem())
	if d.err == nil && len(d.data) != 0 {
		d.err = errors.New("trailing bytes")
	}
	return d.err
}

type encoder struct {
	buf     []byte
	unknown bool
}

func (e *encoder) uvarint(n uint64) { e.buf = binary.AppendUvarint(e.buf, n) }

func (e *encoder) value(v reflect.Value) {
	t := v.Type()
	switch {
	case t == timeType:
		b, err := v.Interface().(time.Time).MarshalBinary()
		if err != nil { // a time outside what its binary form holds
			b = nil
		}
		e.uvarint(uint64(len(b)))
		e.buf = append(e.buf, b...)
		return
	case t == docType:
		d := v.Addr().Interface().(*document)
		e.uvarint(uint64(d.Lines.size()))
		for path, line := range d.Lines.all() {
			e.uvarint(uint64(len(path)))
			e.buf = append(e.buf, path...)
			e.uvarint(uint64(line))
		}
		e.uvarint(uint64(len(d.Body)))
		e.buf = append(e.buf, d.Body...)
		e.uvarint(uint64(d.BodyLine))
		return
	}
	switch t.Kind() {
	case reflect.String:
		e.uvarint(uint64(v.Len()))
		e.buf = append(e.buf, v.String()...)
	case reflect.Bool:
		if v.Bool() {
			e.buf = append(e.buf, 1)
		} else {
			e.buf = append(e.buf, 0)
		}
	case reflect.Int, reflect.Int64:
		e.buf = binary.AppendVarint(e.buf, v.Int())
	case reflect.Pointer:
		if v.IsNil() {
			e.buf = append(e.buf, 0)
			return
		}
		e.buf = append(e.buf, 1)
		e.value(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			e.uvarint(0)
			return
		}
		e.uvarint(uint64(v.Len()) + 1)
		for i := range v.Len() {
			e.value(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			e.uvarint(0)
			return
		}
		e.uvarint(uint64(v.Len()) + 1)
		for it := v.MapRange(); it.Next(); {
			e.value(it.Key())
			e.value(it.Value())
		}
	case reflect.Struct:
		for _, i := range cachedFields(t) {
			e.value(v.Field(i))
		}
	default:
		e.unknown = true
	}
}

type decoder struct {
	data []byte
	err  error
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errors.New("damaged entry")
	}
	d.data = nil
}

func (d *decoder) uvarint() uint64 {
	n, k := binary.Uvarint(d.data)
	if k <= 0 {
		d.fail()
		return 0
	}
	d.data = d.data[k:]
	return n
}

func (d *decoder) bytes(n int) []byte {
	if n < 0 || n > len(d.data) {
		d.fail()
		return nil
	}
	b := d.data[:n:n]
	d.data = d.data[n:]
	return b
}

// count reads a length written with uvarint(len+1), nil as 0, and
// refuses one longer than the bytes left could hold or than front matter
// could (every item takes a line), so a damaged entry cannot ask for a
// huge allocation.
func (d *decoder) count() (n int, isNil bool) {
	u := d.uvarint()
	if u == 0 {
		return 0, true
	}
	if u-1 > uint64(len(d.data)) || u-1 > MaxFrontMatter/2 {
		d.fail()
		return 0, true
	}
	return int(u - 1), false
}

func (d *decoder) value(v reflect.Value) {
	if d.err != nil {
		return
	}
	t := v.Type()
	switch {
	case t == timeType:
		b := d.bytes(int(d.uvarint()))
		var tm time.Time
		if len(b) > 0 && tm.UnmarshalBinary(b) != nil {
			d.fail()
		}
		v.Set(reflect.ValueOf(tm))
		return
	case t == docType:
		doc := v.Addr().Interface().(*document)
		n := d.uvarint()
		if n > uint64(len(d.data)) {
			d.fail()
			return
		}
		doc.Lines = fieldLines{known: make([]fieldLine, 0, n)}
		for range n {
			k := d.bytes(int(d.uvarint()))
			l := d.uvarint()
			if d.err != nil || l > 1<<31 || !addLine(&doc.Lines, k, int(l)) {
				d.fail() // each path is written once
				return
			}
		}
		if doc.Lines.sorted(); !doc.Lines.once() {
			d.fail()
			return
		}
		doc.Body = bytes.Clone(d.bytes(int(d.uvarint())))
		doc.BodyLine = int(d.uvarint())
		return
	}
	switch t.Kind() {
	case reflect.String:
		v.SetString(string(d.bytes(int(d.uvarint()))))
	case reflect.Bool:
		b := d.bytes(1)
		v.SetBool(len(b) == 1 && b[0] == 1)
	case reflect.Int, reflect.Int64:
		n, k := binary.Varint(d.data)
		if k <= 0 {
			d.fail()
			return
		}
		d.data = d.data[k:]
		v.SetInt(n)
	case reflect.Pointer:
		b := d.bytes(1)
		if len(b) == 1 && b[0] == 1 {
			p := reflect.New(t.Elem())
			d.value(p.Elem())
			v.Set(p)
		}
	case reflect.Slice:
		n, isNil := d.count()
		if isNil {
			return
		}
		s := reflect.MakeSlice(t, n, n)
		for i := range n {
			d.value(s.Index(i))
		}
		v.Set(s)
	case reflect.Map:
		n, isNil := d.count()
		if isNil {
			return
		}
		m := reflect.MakeMapWithSize(t, n)
		for range n {
			k, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
			d.value(k)
			d.value(e)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		for _, i := range cachedFields(t) {
			d.value(v.Field(i))
		}
	default:
		d.fail()
	}
}

// MarshalBinary encodes the case as the parse cache does: every field
// YAML fills and, unlike a plain gob of the struct, the lines of its
// fields and its narrative, so Has and Line answer the same after a
// round trip (site's build cache keeps cases with gob, which uses this).
// Path is not kept: whoever stores a case knows where it came from.
func (c Case) MarshalBinary() ([]byte, error) { return marshal(&c, c.doc) }

// UnmarshalBinary decodes what MarshalBinary encoded.
func (c *Case) UnmarshalBinary(data []byte) error { return unmarshal(data, c, &c.doc) }

// MarshalBinary encodes the minutes as Case.MarshalBinary does.
func (m Minutes) MarshalBinary() ([]byte, error) { return marshal(&m, m.doc) }

// UnmarshalBinary decodes what MarshalBinary encoded.
func (m *Minutes) UnmarshalBinary(data []byte) error { return unmarshal(data, m, &m.doc) }

// MarshalFields encodes the minutes' fields alone: not the lines of the
// fields or the Markdown body, which MarshalBinary keeps. Minutes decoded
// from it have no Body and find every field on line 1; a site that keeps
// the body itself reads them several times faster.
func (m Minutes) MarshalFields() ([]byte, error) { return marshal(&m, nil) }

// UnmarshalFields decodes what MarshalFields encoded.
// Damage is an error that leaves m as it was.
func (m *Minutes) UnmarshalFields(data []byte) error {
	var fresh Minutes
	var doc *document
	if err := unmarshal(data, &fresh, &doc); err != nil {
		return err
	}
	if doc != nil {
		return errors.New("register: decode minutes' fields: a document is included")
	}
	*m = fresh
	return nil
}

func marshal[T any](v *T, doc *document) ([]byte, error) {
	enc := encodeCached(reflect.ValueOf(v).Elem(), doc, 0)
	if enc == nil {
		return nil, fmt.Errorf("register: a %T field the cache cannot hold", *v)
	}
	return enc, nil
}

// unmarshal decodes data into v whole, or leaves v as it was.
func unmarshal[T any](data []byte, v *T, doc **document) error {
	var fresh T
	var freshDoc *document
	if err := decodeCached(data, reflect.ValueOf(&fresh).Elem(), &freshDoc); err != nil {
		return fmt.Errorf("register: decode a %T: %w", fresh, err)
	}
	*v = fresh
	*doc = freshDoc
	return nil
}
