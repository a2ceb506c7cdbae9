package history

import (
	"bytes"
	"compress/zlib"
	"container/list"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/council/register/register/dirfs"
	"github.com/go-git/go-git/v5/plumbing"
)

// packs reads objects straight from a repository's pack files. go-git's
// pack reader hashes every object it caches and resolves deltas through
// a cache keyed by that hash; reading 30,000 commits' trees that way
// costs several times `git log`. This reader resolves deltas by offset
// with a cache of resolved objects bounded in bytes, reads with ReadAt
// so both index workers share it, and leaves loose objects (and
// anything unusual) to go-git.
type packs struct {
	objects string
	opened  sync.Once
	list    []*pack // read by packList on first use

	mu    sync.Mutex
	lru   *list.List // of *cached, most recent first
	byKey map[cacheKey]*list.Element
	size  int
	zr    sync.Pool
}

const packCacheBytes = 48 << 20

type cacheKey struct {
	pack   int
	offset int64
}

type cached struct {
	key  cacheKey
	typ  plumbing.ObjectType
	data []byte
}

type pack struct {
	f       *os.File
	data    []byte // the mapped pack, or nil: then read with ReadAt
	idx     []byte // the mapped index, or nil when it was read into memory
	fanout  [256]uint32
	hashes  []byte // 20 bytes each, sorted
	offsets []byte // 4 bytes each
	large   []byte // 8 bytes each
}

// openPacks returns the packs of an objects folder; they are opened when
// an object is first read (a Repo opened only for its HEAD reads none).
func openPacks(objects string) *packs {
	return &packs{objects: objects, lru: list.New(), byKey: map[cacheKey]*list.Element{}}
}

// packList opens, the first time, every pack that has a version 2
// index. Packs it cannot read are left to go-git.
func (ps *packs) packList() []*pack {
	ps.opened.Do(func() {
		idx, _ := filepath.Glob(filepath.Join(ps.objects, "pack", "pack-*.idx"))
		for _, i := range idx {
			p, err := openPack(i)
			if err != nil {
				continue
			}
			ps.list = append(ps.list, p)
		}
	})
	return ps.list
}

// openPack opens a pack by its index. The index is mapped rather than
// read: it is megabytes for a long history, of which a lookup touches a
// few pages.
func openPack(idxPath string) (*pack, error) {
	p := &pack{}
	data, mapped, err := dirfs.MapFile(idxPath)
	if err != nil {
		return nil, err
	}
	if mapped {
		p.idx = data
	}
	if len(data) < 8+256*4 || !bytes.Equal(data[:8], []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}) {
		dirfs.Unmap(p.idx)
		return nil, errors.New("not a version 2 pack index")
	}
	for i := range 256 {
		p.fanout[i] = binary.BigEndian.Uint32(data[8+4*i:])
	}
	n := int(p.fanout[255])
	pos := 8 + 256*4
	if len(data) < pos+n*(20+4+4) {
		dirfs.Unmap(p.idx)
		return nil, errors.New("truncated pack index")
	}
	p.hashes = data[pos : pos+20*n]
	pos += 20*n + 4*n // skip CRCs
	p.offsets = data[pos : pos+4*n]
	pos += 4 * n
	p.large = data[pos:]
	f, err := os.Open(idxPath[:len(idxPath)-4] + ".pack")
	if err != nil {
		dirfs.Unmap(p.idx)
		return nil, err
	}
	p.f = f
	p.data = dirfs.Map(f)
	return p, nil
}

func (ps *packs) close() error {
	ps.opened.Do(func() {}) // none is opened after
	var err error
	for _, p := range ps.list {
		err = errors.Join(err, dirfs.Unmap(p.data), p.f.Close(), dirfs.Unmap(p.idx))
	}
	return err
}

// offset returns where an object is in the pack.
func (p *pack) offset(h plumbing.Hash) (int64, bool) {
	lo := 0
	if h[0] > 0 {
		lo = int(p.fanout[h[0]-1])
	}
	hi := int(p.fanout[h[0]])
	i := lo + sort.Search(hi-lo, func(i int) bool { return bytes.Compare(p.hashes[20*(lo+i):20*(lo+i)+20], h[:]) >= 0 })
	if i >= hi || !bytes.Equal(p.hashes[20*i:20*i+20], h[:]) {
		return 0, false
	}
	off := binary.BigEndian.Uint32(p.offsets[4*i:])
	if off&0x80000000 != 0 {
		j := int(off &^ 0x80000000)
		if len(p.large) < 8*j+8 {
			return 0, false
		}
		return int64(binary.BigEndian.Uint64(p.large[8*j:])), true
	}
	return int64(off), true
}

// read returns an object's type and content, ok false when no pack has
// it.
func (ps *packs) read(h plumbing.Hash) (plumbing.ObjectType, []byte, bool, error) {
	for i, p := range ps.packList() {
		if off, ok := p.offset(h); ok {
			t, data, err := ps.at(i, off)
			if err != nil {
				return 0, nil, false, fmt.Errorf("object %s: %w", h, err)
			}
			return t, data, true, nil
		}
	}
	return 0, nil, false, nil
}

// stream opens a large blob stored whole (not as a delta) for reading
// without inflating it into memory; ok is false for anything else.
func (ps *packs) stream(h plumbing.Hash) (io.ReadCloser, int64, bool, error) {
	for _, p := range ps.packList() {
		off, ok := p.offset(h)
		if !ok {
			continue
		}
		var hdr [16]byte
		n, err := p.f.ReadAt(hdr[:], off)
		if n == 0 {
			return nil, 0, false, err
		}
		c := hdr[0]
		typ, size, shift, pos := int(c>>4)&7, int64(c&15), 4, 1
		for c&0x80 != 0 && pos < n {
			c = hdr[pos]
			pos++
			size |= int64(c&0x7f) << shift
			shift += 7
		}
		if typ != int(plumbing.BlobObject) || size <= largeObject {
			return nil, 0, false, nil
		}
		zr, err := zlib.NewReader(bufReader(io.NewSectionReader(p.f, off+int64(pos), 1<<62)))
		if err != nil {
			return nil, 0, false, err
		}
		return struct {
			io.Reader
			io.Closer
		}{io.LimitReader(zr, size), zr}, size, true, nil
	}
	return nil, 0, false, nil
}

func (ps *packs) get(k cacheKey) (*cached, bool) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	e, ok := ps.byKey[k]
	if !ok {
		return nil, false
	}
	ps.lru.MoveToFront(e)
	return e.Value.(*cached), true
}

func (ps *packs) put(c *cached) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if _, ok := ps.byKey[c.key]; ok || len(c.data) > packCacheBytes/8 {
		return
	}
	ps.byKey[c.key] = ps.lru.PushFront(c)
	ps.size += len(c.data)
	for ps.size > packCacheBytes {
		e := ps.lru.Back()
		old := e.Value.(*cached)
		ps.lru.Remove(e)
		delete(ps.byKey, old.key)
		ps.size -= len(old.data)
	}
}

const (
	objOFSDelta = 6
	objREFDelta = 7
)

// at resolves the object at an offset of pack i, applying deltas.
// Resolved objects are shared: callers must not modify them.
func (ps *packs) at(i int, off int64) (plumbing.ObjectType, []byte, error) {
	key := cacheKey{i, off}
	if c, ok := ps.get(key); ok {
		return c.typ, c.data, nil
	}
	p := ps.packList()[i]
	var hdr [64]byte
	var b []byte
	if p.data != nil {
		if off < 0 || off >= int64(len(p.data)) {
			return 0, nil, errors.New("pack offset out of range")
		}
		b = p.data[off:min(int64(len(p.data)), off+64)]
	} else {
		n, err := p.f.ReadAt(hdr[:], off)
		if err != nil && !(errors.Is(err, io.EOF) && n > 0) {
			return 0, nil, err
		}
		b = hdr[:n]
	}
	c := b[0]
	typ := int(c>>4) & 7
	size := int64(c & 15)
	shift := 4
	pos := 1
	for c&0x80 != 0 {
		if pos >= len(b) {
			return 0, nil, errors.New("corrupt pack entry header")
		}
		c = b[pos]
		pos++
		size |= int64(c&0x7f) << shift
		shift += 7
	}
	var base func() (plumbing.ObjectType, []byte, error)
	switch typ {
	case objOFSDelta:
		if pos >= len(b) {
			return 0, nil, errors.New("corrupt delta offset")
		}
		c = b[pos]
		pos++
		rel := int64(c & 0x7f)
		for c&0x80 != 0 {
			if pos >= len(b) {
				return 0, nil, errors.New("corrupt delta offset")
			}
			c = b[pos]
			pos++
			rel = (rel+1)<<7 | int64(c&0x7f)
		}
		base = func() (plumbing.ObjectType, []byte, error) { return ps.at(i, off-rel) }
	case objREFDelta:
		if pos+20 > len(b) {
			return 0, nil, errors.New("corrupt delta base")
		}
		var bh plumbing.Hash
		copy(bh[:], b[pos:pos+20])
		pos += 20
		base = func() (plumbing.ObjectType, []byte, error) {
			t, data, ok, err := ps.read(bh)
			if err == nil && !ok {
				err = fmt.Errorf("delta base %s not in a pack", bh)
			}
			return t, data, err
		}
	case 1, 2, 3, 4:
	default:
		return 0, nil, fmt.Errorf("unknown pack object type %d", typ)
	}
	data, err := ps.inflate(p, off+int64(pos), size)
	if err != nil {
		return 0, nil, err
	}
	ot := plumbing.ObjectType(typ)
	if base != nil {
		var src []byte
		ot, src, err = base()
		if err != nil {
			return 0, nil, err
		}
		if data, err = applyDelta(src, data); err != nil {
			return 0, nil, err
		}
	}
	ps.put(&cached{key: key, typ: ot, data: data})
	return ot, data, nil
}

func (ps *packs) inflate(p *pack, off, size int64) ([]byte, error) {
	var br io.Reader
	if p.data != nil {
		br = bytes.NewReader(p.data[off:])
	} else {
		br = bufReader(io.NewSectionReader(p.f, off, 1<<62))
	}
	var zr io.ReadCloser
	if v := ps.zr.Get(); v != nil {
		zr = v.(io.ReadCloser)
		if err := zr.(zlib.Resetter).Reset(br, nil); err != nil {
			return nil, err
		}
	} else {
		var err error
		if zr, err = zlib.NewReader(br); err != nil {
			return nil, err
		}
	}
	defer ps.zr.Put(zr)
	out := make([]byte, size)
	if _, err := io.ReadFull(zr, out); err != nil {
		return nil, fmt.Errorf("inflate: %w", err)
	}
	return out, nil
}

// bufReader gives zlib a byte reader, so it does not wrap the section in
// a large buffer of its own.
func bufReader(r io.Reader) *byteReader { return &byteReader{r: r} }

type byteReader struct {
	r   io.Reader
	buf [4096]byte
	i   int
	n   int
}

func (b *byteReader) Read(p []byte) (int, error) {
	if b.i < b.n {
		n := copy(p, b.buf[b.i:b.n])
		b.i += n
		return n, nil
	}
	return b.r.Read(p)
}

func (b *byteReader) ReadByte() (byte, error) {
	if b.i >= b.n {
		n, err := b.r.Read(b.buf[:])
		if n == 0 {
			if err == nil {
				err = io.ErrNoProgress
			}
			return 0, err
		}
		b.i, b.n = 0, n
	}
	c := b.buf[b.i]
	b.i++
	return c, nil
}

// applyDelta builds an object from its base and a Git delta.
func applyDelta(src, delta []byte) ([]byte, error) {
	bad := errors.New("corrupt delta")
	varint := func() (int, bool) {
		v, shift := 0, 0
		for {
			if len(delta) == 0 {
				return 0, false
			}
			c := delta[0]
			delta = delta[1:]
			v |= int(c&0x7f) << shift
			shift += 7
			if c&0x80 == 0 {
				return v, true
			}
		}
	}
	srcSize, ok := varint()
	if !ok || srcSize != len(src) {
		return nil, bad
	}
	dstSize, ok := varint()
	if !ok {
		return nil, bad
	}
	dst := make([]byte, 0, dstSize)
	for len(delta) > 0 {
		op := delta[0]
		delta = delta[1:]
		if op&0x80 != 0 {
			var off, n int
			for k := range 4 {
				if op&(1<<k) != 0 {
					if len(delta) == 0 {
						return nil, bad
					}
					off |= int(delta[0]) << (8 * k)
					delta = delta[1:]
				}
			}
			for k := range 3 {
				if op&(0x10<<k) != 0 {
					if len(delta) == 0 {
						return nil, bad
					}
					n |= int(delta[0]) << (8 * k)
					delta = delta[1:]
				}
			}
			if n == 0 {
				n = 0x10000
			}
			if off+n > len(src) || off < 0 {
				return nil, bad
			}
			dst = append(dst, src[off:off+n]...)
		} else if op != 0 {
			n := int(op)
			if n > len(delta) {
				return nil, bad
			}
			dst = append(dst, delta[:n]...)
			delta = delta[n:]
		} else {
			return nil, bad
		}
	}
	if len(dst) != dstSize {
		return nil, bad
	}
	return dst, nil
}
