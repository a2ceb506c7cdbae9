package demo

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
)

// A packer writes Git objects straight into one pack file, each object
// whole or as a delta against the previous version of the same path (so
// a year folder of 2,500 cases costs a few bytes per commit, not 100 KB).
// It is far faster than loose objects and needs no git binary.
type packer struct {
	f      *os.File
	w      *bufio.Writer
	offset int64
	seen   map[plumbing.Hash]bool
	idx    idxfile.Writer
	count  uint32
	bases  map[string]*base
	zw     *zlib.Writer
	zbuf   bytes.Buffer
	hdr    []byte
	crc    hash.Hash32

	// Compression and writing run on their own goroutine, in order.
	jobs    chan job
	done    chan struct{}
	err     error
	offsets []int64 // by object number
	objects int
}

// job is one object to compress and write; base is the object number of
// a delta's base, or -1.
type job struct {
	typ  plumbing.ObjectType
	data []byte
	base int
	hash plumbing.Hash
}

// base is the last version of a path written, the base of its next delta.
type base struct {
	data  []byte
	num   int
	depth int
	typ   plumbing.ObjectType
}

// maxDepth bounds delta chains, as git's own default does, so reading
// any version applies at most this many deltas.
const maxDepth = 50

func newPacker(path string) (*packer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	p := &packer{f: f, w: bufio.NewWriterSize(f, 1<<20), seen: map[plumbing.Hash]bool{}, bases: map[string]*base{}, crc: crc32.NewIEEE()}
	p.zw, _ = zlib.NewWriterLevel(&p.zbuf, zlib.BestSpeed)
	// The object count is patched in when the pack is finished.
	if _, err := p.w.Write([]byte{'P', 'A', 'C', 'K', 0, 0, 0, 2, 0, 0, 0, 0}); err != nil {
		return nil, err
	}
	p.offset = 12
	p.jobs, p.done = make(chan job, 4096), make(chan struct{})
	go p.run()
	return p, nil
}

func (p *packer) run() {
	defer close(p.done)
	for j := range p.jobs {
		if p.err != nil {
			continue
		}
		start := p.offset
		var ofs int64
		if j.base >= 0 {
			ofs = start - p.offsets[j.base]
		}
		p.offsets = append(p.offsets, start)
		if err := p.write(j.typ, j.data, ofs); err != nil {
			p.err = err
			continue
		}
		p.idx.Add(j.hash, uint64(start), p.crc.Sum32())
	}
}

// close stops the writing goroutine and returns its error.
func (p *packer) close() error {
	if p.jobs != nil {
		close(p.jobs)
		<-p.done
		p.jobs = nil
	}
	return p.err
}

func objectHash(t plumbing.ObjectType, data []byte) plumbing.Hash {
	h := sha1.New()
	h.Write([]byte(t.String()))
	h.Write([]byte{' '})
	h.Write([]byte(strconv.Itoa(len(data))))
	h.Write([]byte{0})
	h.Write(data)
	var out plumbing.Hash
	h.Sum(out[:0])
	return out
}

// add writes an object and returns its hash. key names the path the
// object is a version of ("" for none); data must not change afterwards.
func (p *packer) add(t plumbing.ObjectType, data []byte, key string) (plumbing.Hash, error) {
	h := objectHash(t, data)
	if p.seen[h] {
		return h, nil
	}
	p.seen[h] = true
	num := p.objects
	p.objects++
	b := p.bases[key]
	if key != "" && b != nil && b.typ == t && b.depth < maxDepth {
		if d := delta(b.data, data); len(d) < len(data)/2 {
			p.jobs <- job{typ: plumbing.OFSDeltaObject, data: d, base: b.num, hash: h}
			p.bases[key] = &base{data: data, num: num, depth: b.depth + 1, typ: t}
			return h, nil
		}
	}
	p.jobs <- job{typ: t, data: data, base: -1, hash: h}
	if key != "" {
		p.bases[key] = &base{data: data, num: num, typ: t}
	}
	return h, nil
}

// write writes one pack entry: type and size, the base's distance for a
// delta, and the zlib-compressed data.
func (p *packer) write(t plumbing.ObjectType, data []byte, ofs int64) error {
	p.count++
	p.crc.Reset()
	hdr := p.hdr[:0]
	size := uint64(len(data))
	c := byte(t)<<4 | byte(size&0x0f)
	size >>= 4
	for size != 0 {
		hdr = append(hdr, c|0x80)
		c = byte(size & 0x7f)
		size >>= 7
	}
	hdr = append(hdr, c)
	if t == plumbing.OFSDeltaObject {
		var buf [16]byte
		i := len(buf) - 1
		buf[i] = byte(ofs & 0x7f)
		for ofs >>= 7; ofs != 0; ofs >>= 7 {
			ofs--
			i--
			buf[i] = 0x80 | byte(ofs&0x7f)
		}
		hdr = append(hdr, buf[i:]...)
	}
	p.hdr = hdr
	p.zbuf.Reset()
	p.zw.Reset(&p.zbuf)
	p.zw.Write(data)
	if err := p.zw.Close(); err != nil {
		return err
	}
	p.crc.Write(hdr)
	p.crc.Write(p.zbuf.Bytes())
	if _, err := p.w.Write(hdr); err != nil {
		return err
	}
	if _, err := p.w.Write(p.zbuf.Bytes()); err != nil {
		return err
	}
	p.offset += int64(len(hdr) + p.zbuf.Len())
	return nil
}

// delta encodes target as a Git delta against src: copy the common
// prefix, insert the middle, copy the common suffix.
func delta(src, dst []byte) []byte {
	const chunk = 64
	n := min(len(src), len(dst))
	pre := 0
	for pre+chunk <= n && bytes.Equal(src[pre:pre+chunk], dst[pre:pre+chunk]) {
		pre += chunk
	}
	for pre < n && src[pre] == dst[pre] {
		pre++
	}
	suf := 0
	for suf+chunk <= n-pre && bytes.Equal(src[len(src)-suf-chunk:len(src)-suf], dst[len(dst)-suf-chunk:len(dst)-suf]) {
		suf += chunk
	}
	for suf < n-pre && src[len(src)-1-suf] == dst[len(dst)-1-suf] {
		suf++
	}
	out := make([]byte, 0, 32+len(dst)-pre-suf)
	out = binary.AppendUvarint(out, uint64(len(src)))
	out = binary.AppendUvarint(out, uint64(len(dst)))
	out = appendCopy(out, 0, pre)
	mid := dst[pre : len(dst)-suf]
	for len(mid) > 0 {
		n := min(len(mid), 127)
		out = append(out, byte(n))
		out = append(out, mid[:n]...)
		mid = mid[n:]
	}
	return appendCopy(out, len(src)-suf, suf)
}

func appendCopy(out []byte, off, size int) []byte {
	for size > 0 {
		n := min(size, 0xffffff)
		op := byte(0x80)
		var args []byte
		for i := range 4 {
			if v := byte(off >> (8 * i)); v != 0 {
				op |= 1 << i
				args = append(args, v)
			}
		}
		for i := range 3 {
			if v := byte(n >> (8 * i)); v != 0 {
				op |= 1 << (4 + i)
				args = append(args, v)
			}
		}
		out = append(out, op)
		out = append(out, args...)
		off += n
		size -= n
	}
	return out
}

// finish patches the object count, appends the checksum and writes the
// pack and its index into dir as pack-<checksum>.pack and .idx.
func (p *packer) finish(dir string) error {
	if err := p.close(); err != nil {
		return err
	}
	if err := p.w.Flush(); err != nil {
		return err
	}
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], p.count)
	if _, err := p.f.WriteAt(n[:], 8); err != nil {
		return err
	}
	if _, err := p.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	h := sha1.New()
	if _, err := io.Copy(h, p.f); err != nil {
		return err
	}
	sum := h.Sum(nil)
	if _, err := p.f.Write(sum); err != nil {
		return err
	}
	name := p.f.Name()
	if err := p.f.Close(); err != nil {
		return err
	}
	var checksum plumbing.Hash
	copy(checksum[:], sum)
	if err := p.idx.OnFooter(checksum); err != nil {
		return err
	}
	idx, err := p.idx.Index()
	if err != nil {
		return err
	}
	stem := filepath.Join(dir, fmt.Sprintf("pack-%x", sum))
	var buf bytes.Buffer
	if _, err := idxfile.NewEncoder(&buf).Encode(idx); err != nil {
		return err
	}
	if err := os.WriteFile(stem+".idx", buf.Bytes(), 0o444); err != nil {
		return err
	}
	return os.Rename(name, stem+".pack")
}
