// Package evidence keeps a case's evidence as ordinary OpenPGP messages:
// binary, AES-256, public-key encrypted to the people entitled to it, so
// that gpg opens what register writes and register accepts what gpg
// writes.
//
// Encryption and decryption stream: memory does not grow with the file.
// The SHA-256 and size of the plaintext are computed on the way through
// and recorded in the case file, so a later decryption proves the
// plaintext is the one collected.
//
// Checking needs no private key: Recipients reads the key ids of the
// public-key encrypted session key packets, and Checker maps them to
// people through the encryption subkeys of their keys in keys/. The
// check fails closed on anything it cannot attribute to a person.
package evidence

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Sealed describes a plaintext that was encrypted or decrypted: its
// SHA-256 (lowercase hex) and its size in bytes.
type Sealed struct {
	SHA256 string
	Size   int64
}

// Recipient is a person and their public key, ready to encrypt to.
type Recipient struct {
	// Person is the person's id in people.yaml.
	Person string
	keys   openpgp.EntityList
}

// ReadRecipient reads a person's public key, armored or binary.
func ReadRecipient(person string, r io.Reader) (*Recipient, error) {
	keys, err := readKeys(r)
	if err != nil {
		return nil, err
	}
	for _, e := range keys {
		if e.PrivateKey != nil {
			return nil, errors.New("holds a private key; keys/ must hold public keys only")
		}
	}
	return &Recipient{Person: person, keys: keys}, nil
}

// bufferSize is the size of the reads from the plaintext. Large enough
// that per-call overhead vanishes, small enough to keep memory flat.
const bufferSize = 256 << 10

// Encrypt streams src to dst as one binary OpenPGP message encrypted with
// AES-256 to every recipient, and returns the plaintext's hash and size.
// now judges which subkeys are valid and dates the literal packet.
// Session keys always come from crypto/rand.
func Encrypt(ctx context.Context, dst io.Writer, src io.Reader, to []*Recipient, now time.Time) (Sealed, error) {
	if len(to) == 0 {
		return Sealed{}, errors.New("no recipients")
	}
	var entities []*openpgp.Entity
	for _, r := range to {
		e := r.encryptionEntity(now)
		if e == nil {
			return Sealed{}, fmt.Errorf("person %s: no valid encryption key as of %s (expired or revoked?)", r.Person, now.Format(time.DateOnly))
		}
		entities = append(entities, e)
	}
	config := &packet.Config{Time: func() time.Time { return now }, Rand: rand.Reader}
	// The policy asks for AES-256; a key that says it cannot read it is
	// refused rather than sent something it may not open.
	for i, e := range entities {
		if sig, _ := e.PrimarySelfSignature(); sig != nil && len(sig.PreferredSymmetric) > 0 && !bytes.Contains(sig.PreferredSymmetric, []byte{uint8(packet.CipherAES256)}) {
			return Sealed{}, fmt.Errorf("person %s: key does not accept AES-256 (its cipher preferences exclude it)", to[i].Person)
		}
	}
	// The session key packets, one per recipient, then the encrypted
	// literal data, as gpg writes them (without compression: evidence is
	// mostly compressed already, and compression would cost most of the
	// time).
	sessionKey := make([]byte, 32)
	if _, err := io.ReadFull(rand.Reader, sessionKey); err != nil {
		return Sealed{}, err
	}
	for _, e := range entities {
		k, _ := e.EncryptionKey(now)
		if err := packet.SerializeEncryptedKeyAEAD(dst, k.PublicKey, packet.CipherAES256, false, sessionKey, config); err != nil {
			return Sealed{}, fmt.Errorf("session key packet: %w", err)
		}
	}
	block, err := aes.NewCipher(sessionKey)
	if err != nil {
		return Sealed{}, err
	}
	prefix := make([]byte, 16)
	if _, err := io.ReadFull(rand.Reader, prefix); err != nil {
		return Sealed{}, err
	}
	sw, err := newSEIPDWriter(dst, block, prefix)
	if err != nil {
		return Sealed{}, err
	}
	w, err := packet.SerializeLiteral(sw, true, "", uint32(now.Unix()))
	if err != nil {
		return Sealed{}, err
	}
	h := sha256.New()
	n, err := copyHashing(ctx, w, h, src)
	if err != nil {
		return Sealed{}, err
	}
	if err := w.Close(); err != nil {
		return Sealed{}, err
	}
	return sealed(h, n), nil
}

// copyHashing copies src to w and hashes it, the hash running on the
// other core while w encrypts the same chunk.
func copyHashing(ctx context.Context, w io.Writer, h hash.Hash, src io.Reader) (int64, error) {
	buf := make([]byte, bufferSize)
	chunks := make(chan []byte)
	hashed := make(chan struct{})
	go func() {
		for c := range chunks {
			h.Write(c)
			hashed <- struct{}{}
		}
	}()
	defer close(chunks)
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n, rerr := io.ReadFull(src, buf)
		if n > 0 {
			chunks <- buf[:n]
			_, werr := w.Write(buf[:n])
			<-hashed
			if werr != nil {
				return total, werr
			}
			total += int64(n)
		}
		switch {
		case rerr == io.EOF || rerr == io.ErrUnexpectedEOF:
			return total, nil
		case rerr != nil:
			return total, rerr
		}
	}
}

func sealed(h hash.Hash, n int64) Sealed {
	return Sealed{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
}

// encryptionEntity returns the first of the recipient's keys that can
// encrypt at now.
func (r *Recipient) encryptionEntity(now time.Time) *openpgp.Entity {
	for _, e := range r.keys {
		if _, ok := e.EncryptionKey(now); ok {
			return e
		}
	}
	return nil
}

// PrivateKey is a person's unlocked secret key, able to decrypt.
type PrivateKey struct {
	keys openpgp.EntityList
}

// ErrPassphrase is returned when a private key's passphrase is wrong.
var ErrPassphrase = errors.New("wrong passphrase for the private key")

// ReadPrivateKey reads an exported secret key (armored or binary) and
// unlocks it. passphrase is called only if the key is protected; it
// must not be nil in that case.
func ReadPrivateKey(r io.Reader, passphrase func() ([]byte, error)) (*PrivateKey, error) {
	keys, err := readKeys(r)
	if err != nil {
		return nil, err
	}
	var pass []byte
	have := false
	for _, e := range keys {
		for _, sk := range e.Subkeys {
			if sk.PrivateKey == nil {
				continue
			}
			have = true
			if !sk.PrivateKey.Encrypted {
				continue
			}
			if pass == nil {
				if passphrase == nil {
					return nil, errors.New("the private key is protected by a passphrase")
				}
				if pass, err = passphrase(); err != nil {
					return nil, err
				}
			}
			if err := sk.PrivateKey.Decrypt(pass); err != nil {
				return nil, ErrPassphrase
			}
		}
	}
	if !have {
		return nil, errors.New("no private encryption subkey in the key file (is it a public key?)")
	}
	return &PrivateKey{keys: keys}, nil
}

// KeyIDs returns the ids of the subkeys the private key can decrypt with.
func (k *PrivateKey) KeyIDs() []uint64 {
	var ids []uint64
	for _, key := range k.keys.DecryptionKeys() {
		ids = append(ids, key.PublicKey.KeyId)
	}
	return ids
}

// Decrypt streams the message in src to dst with the private key and
// returns the plaintext's hash and size. It fails if the message is not
// public-key encrypted, if no recipient is the key, or if the integrity
// check fails at the end; dst may then hold a prefix of unverified
// plaintext, so write it somewhere temporary and discard it on error.
func Decrypt(ctx context.Context, dst io.Writer, src io.Reader, key *PrivateKey) (Sealed, error) {
	md, err := openpgp.ReadMessage(src, key.keys, nil, &packet.Config{})
	if err != nil {
		return Sealed{}, decryptError(err)
	}
	if !md.IsEncrypted || md.IsSymmetricallyEncrypted {
		return Sealed{}, errors.New("not a public-key encrypted message")
	}
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(dst, h), ctxReader{ctx, md.UnverifiedBody}, make([]byte, bufferSize))
	if err != nil {
		return Sealed{}, decryptError(err)
	}
	// A message is one packet sequence; anything after it was added.
	if k, _ := io.ReadFull(src, make([]byte, 1)); k > 0 {
		return Sealed{}, errors.New("data after the end of the OpenPGP message: the file was altered")
	}
	return sealed(h, n), nil
}

func decryptError(err error) error {
	switch {
	case errors.Is(err, pgperrors.ErrKeyIncorrect):
		return errors.New("not encrypted to this key (none of its recipients is the key given)")
	case errors.Is(err, pgperrors.ErrMDCHashMismatch), errors.Is(err, pgperrors.ErrMDCMissing):
		return fmt.Errorf("the ciphertext has been altered or is damaged: %w", err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the ciphertext is truncated")
	}
	var se pgperrors.StructuralError
	if errors.As(err, &se) {
		return fmt.Errorf("the ciphertext is damaged: %w", err)
	}
	return err
}

// readKeys reads armored or binary keys.
func readKeys(r io.Reader) (openpgp.EntityList, error) {
	data, err := io.ReadAll(io.LimitReader(r, 1<<20+1))
	if err != nil {
		return nil, err
	}
	if len(data) > 1<<20 {
		return nil, errors.New("key file is larger than 1 MiB")
	}
	var body io.Reader = bytes.NewReader(data)
	if bytes.Contains(data[:min(len(data), 100)], []byte("-----BEGIN PGP")) {
		block, err := armor.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("not an armored OpenPGP key: %w", err)
		}
		body = block.Body
	}
	keys, err := openpgp.ReadKeyRing(body)
	if err != nil {
		return nil, fmt.Errorf("not an OpenPGP key: %w", err)
	}
	if len(keys) == 0 {
		return nil, errors.New("no OpenPGP key in the file")
	}
	return keys, nil
}

// ctxReader stops a long copy when the context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
