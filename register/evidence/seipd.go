package evidence

import (
	"crypto/cipher"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"hash"
	"io"
)

// seipdWriter writes a version 1 Symmetrically Encrypted Integrity
// Protected Data packet (RFC 4880 §5.13, RFC 9580 §5.13.1), the form
// every OpenPGP implementation, gpg 2.2 included, reads.
//
// go-crypto writes the same packet, but its OpenPGP CFB runs byte by
// byte; with no resynchronisation the mode is plain CFB over the random
// prefix and the data from an all-zero IV, so this writer encrypts a
// block at a time. The body goes out in partial-length chunks of
// chunkSize bytes, so memory stays flat whatever the size of the file.
type seipdWriter struct {
	w     io.Writer
	block cipher.Block
	mdc   hash.Hash

	fb   [16]byte // the previous ciphertext block (CFB feedback)
	ks   [16]byte // keystream of the current block
	used int      // bytes of ks already used

	buf    []byte // body bytes not yet written
	header bool   // packet tag written
	closed bool
}

// chunkSize is the partial body length used; a power of two of at least
// 512 bytes (RFC 4880 §4.2.2.4).
const chunkSize = 1 << 20

const (
	tagSEIPD = 18
	tagMDC   = 19
)

// newSEIPDWriter starts the packet with the AES block cipher of the
// session key and the 16 random bytes of the prefix.
func newSEIPDWriter(w io.Writer, block cipher.Block, random []byte) (*seipdWriter, error) {
	if block.BlockSize() != 16 || len(random) != 16 {
		return nil, errors.New("seipd: need a 128-bit block cipher and 16 random bytes")
	}
	s := &seipdWriter{w: w, block: block, mdc: sha1.New(), used: 16, buf: make([]byte, 0, chunkSize)}
	s.buf = append(s.buf, 1) // version
	// The prefix repeats its last two bytes as a quick key check.
	prefix := append(append([]byte{}, random...), random[14:]...)
	if _, err := s.Write(prefix); err != nil {
		return nil, err
	}
	return s, nil
}

// Write encrypts p and hashes it for the modification detection code.
func (s *seipdWriter) Write(p []byte) (int, error) {
	if s.closed {
		return 0, errors.New("seipd: write after close")
	}
	s.mdc.Write(p)
	return len(p), s.encrypt(p)
}

func (s *seipdWriter) encrypt(p []byte) error {
	for len(p) > 0 {
		if len(s.buf) == chunkSize {
			if err := s.flush(false); err != nil {
				return err
			}
		}
		room := chunkSize - len(s.buf)
		n := min(room, len(p))
		out := s.buf[len(s.buf) : len(s.buf)+n]
		s.cfb(out, p[:n])
		s.buf = s.buf[:len(s.buf)+n]
		p = p[n:]
	}
	return nil
}

// cfb encrypts src into dst (same length) in CFB mode.
func (s *seipdWriter) cfb(dst, src []byte) {
	// Finish a block begun by an earlier write.
	for s.used < 16 && len(src) > 0 {
		c := src[0] ^ s.ks[s.used]
		s.fb[s.used] = c
		dst[0] = c
		s.used++
		dst, src = dst[1:], src[1:]
	}
	// Whole blocks.
	for len(src) >= 16 {
		s.block.Encrypt(s.ks[:], s.fb[:])
		a := binary.LittleEndian.Uint64(src[0:]) ^ binary.LittleEndian.Uint64(s.ks[0:])
		b := binary.LittleEndian.Uint64(src[8:]) ^ binary.LittleEndian.Uint64(s.ks[8:])
		binary.LittleEndian.PutUint64(dst[0:], a)
		binary.LittleEndian.PutUint64(dst[8:], b)
		binary.LittleEndian.PutUint64(s.fb[0:], a)
		binary.LittleEndian.PutUint64(s.fb[8:], b)
		dst, src = dst[16:], src[16:]
	}
	// The start of a block.
	if len(src) > 0 {
		s.block.Encrypt(s.ks[:], s.fb[:])
		s.used = 0
		for i := range src {
			c := src[i] ^ s.ks[i]
			s.fb[i] = c
			dst[i] = c
		}
		s.used = len(src)
	}
}

// flush writes the buffered body: as a partial chunk, or as the last
// part with an ordinary length.
func (s *seipdWriter) flush(last bool) error {
	var hdr []byte
	if !s.header {
		hdr = append(hdr, 0xc0|tagSEIPD)
		s.header = true
	}
	n := len(s.buf)
	switch {
	case !last:
		hdr = append(hdr, 224+20) // 2^20 bytes follow, then more
	case n < 192:
		hdr = append(hdr, byte(n))
	case n < 8384:
		hdr = append(hdr, byte((n-192)>>8)+192, byte(n-192))
	default:
		hdr = append(hdr, 0xff, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	if _, err := s.w.Write(hdr); err != nil {
		return err
	}
	if _, err := s.w.Write(s.buf); err != nil {
		return err
	}
	s.buf = s.buf[:0]
	return nil
}

// Close appends the modification detection code packet and writes the
// rest of the body. It does not close the underlying writer.
func (s *seipdWriter) Close() error {
	if s.closed {
		return nil
	}
	// The MDC hash covers the MDC packet's own header.
	if _, err := s.Write([]byte{0xc0 | tagMDC, sha1.Size}); err != nil {
		return err
	}
	s.closed = true
	if err := s.encrypt(s.mdc.Sum(nil)); err != nil {
		return err
	}
	return s.flush(true)
}
