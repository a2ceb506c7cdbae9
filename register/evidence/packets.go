package evidence

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// headReaders lend Recipients its reader: a check reads the head of
// every evidence file in the register, thousands of them.
var headReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}

// Recipients reads the key ids an OpenPGP message is encrypted to from
// its public-key encrypted session key packets, without decrypting and
// without reading past the start of the encrypted data. It fails closed:
// anything but one or more public-key session keys to named keys
// followed by integrity-protected encrypted data is an error that says
// what was found.
func Recipients(r io.Reader) ([]uint64, error) {
	br := headReaders.Get().(*bufio.Reader)
	br.Reset(r)
	defer func() {
		br.Reset(nil) // nothing read from it outlives the call
		headReaders.Put(br)
	}()
	head, _ := br.Peek(64)
	switch {
	case len(head) == 0:
		return nil, errors.New("empty file, not an OpenPGP message")
	case bytes.HasPrefix(head, []byte("-----BEGIN PGP")):
		return nil, errors.New("ASCII-armored; evidence files are binary OpenPGP (encrypt without --armor)")
	case head[0]&0x80 == 0:
		return nil, errors.New("not an OpenPGP message (plaintext or another format?); evidence must be encrypted")
	}
	var ids []uint64
	for n := 0; ; n++ {
		p, err := packet.Read(br)
		switch {
		case err == io.EOF && n == 0:
			return nil, errors.New("not an OpenPGP message")
		case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
			return nil, errors.New("no encrypted data after the session key packets (truncated?)")
		case err != nil:
			return nil, fmt.Errorf("not a readable OpenPGP message: %s", packetError(err))
		}
		switch p := p.(type) {
		case *packet.EncryptedKey:
			if p.KeyId == 0 {
				return nil, errors.New("encrypted to a hidden recipient (key id 0, as gpg --throw-keyids writes); the register must be able to see who can read evidence")
			}
			ids = append(ids, p.KeyId)
		case *packet.SymmetricKeyEncrypted:
			return nil, errors.New("decryptable with a password (symmetric-key packet, as gpg --symmetric writes); evidence is encrypted to people's keys only")
		case *packet.Marker, packet.Padding:
			// Carry no meaning; RFC 4880 §5.8, RFC 9580 §5.14.
		case *packet.SymmetricallyEncrypted:
			if !p.IntegrityProtected {
				return nil, errors.New("encrypted without integrity protection (legacy packet without MDC)")
			}
			return done(ids)
		case *packet.AEADEncrypted:
			return done(ids)
		case *packet.OnePassSignature, *packet.Signature:
			return nil, errors.New("signed but not encrypted")
		case *packet.Compressed:
			// gpg --sign compresses first; look inside to say what it is.
			if inner, err := packet.Read(p.Body); err == nil {
				switch inner.(type) {
				case *packet.OnePassSignature, *packet.Signature:
					return nil, errors.New("signed but not encrypted")
				}
			}
			return nil, errors.New("an OpenPGP message that is not encrypted")
		case *packet.LiteralData:
			return nil, errors.New("an OpenPGP message that is not encrypted")
		case *packet.PublicKey, *packet.PrivateKey, *packet.UserId:
			return nil, errors.New("an OpenPGP key, not an encrypted message")
		default:
			return nil, fmt.Errorf("unexpected %T packet before the encrypted data", p)
		}
	}
}

func done(ids []uint64) ([]uint64, error) {
	if len(ids) == 0 {
		return nil, errors.New("encrypted data without any public-key recipient")
	}
	return ids, nil
}

func packetError(err error) string {
	var u pgperrors.UnknownPacketTypeError
	var c pgperrors.CriticalUnknownPacketTypeError
	switch {
	case errors.As(err, &u):
		return fmt.Sprintf("unknown packet type %d", int(u))
	case errors.As(err, &c):
		return fmt.Sprintf("unknown packet type %d", int(c))
	}
	return err.Error()
}

// KeyID formats a key id as gpg shows it in long form.
func KeyID(id uint64) string { return fmt.Sprintf("%016X", id) }
