// Package seal encrypts an audience's tree of the site at rest, so a copy
// of it on any static host or disk stays closed to whoever lacks the
// audience's passphrase.
//
// Each build draws a fresh data key per audience. Every page and data
// file is encrypted under it with AES-256-GCM, a random 96-bit nonce per
// file, and the file's path in the tree bound in as additional
// authenticated data, so ciphertexts cannot be swapped between pages. The
// data key is itself encrypted ("wrapped") with AES-256-GCM under a key
// derived from the passphrase with PBKDF2-SHA256 (Iterations rounds,
// random salt), and every sealed file carries the wrapped key, so any page
// can be the first one opened.
//
// An HTML page becomes a small shell: a passphrase form, the wrapped key
// and the ciphertext as base64 text in a data block, and the script
// static/seal.js, which decrypts with WebCrypto and puts the page in place
// of the shell. Because the ciphertext sits inside the page, this works
// from file:// as well as from a web server. Other data files (JSON, CSV,
// Atom) become a JSON envelope with the same fields, which seal.js
// decrypts when they are fetched or downloaded over HTTP(S).
package seal

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/council/register/templates"
)

const (
	// Iterations is the PBKDF2-SHA256 work factor: OWASP's figure for
	// 2023 onwards.
	Iterations = 600_000
	// MinIterations is the least NewKey accepts.
	MinIterations = 600_000
	// MinPassphrase is the shortest passphrase accepted, in bytes. Long
	// passphrases (five or more random words) are what resist offline
	// guessing; this only refuses the hopeless.
	MinPassphrase = 16
	// Version names the format; it is bound into every ciphertext.
	Version = "register-seal/1"
)

// Errors Open returns, for a wrong passphrase and for a file that was
// changed after it was sealed.
var (
	ErrPassphrase = errors.New("the passphrase does not open this tree")
	ErrTampered   = errors.New("the file was changed or damaged after it was sealed")
	ErrNotSealed  = errors.New("not a sealed file")
)

// Key is an audience's data key for one build, with its wrapped form.
type Key struct {
	// ID names this key; seal.js keeps the unwrapped key in
	// sessionStorage under it.
	ID         string
	Salt       []byte
	Iterations int
	// Wrapped is the nonce followed by the AES-GCM encryption of the data
	// key under the passphrase's key.
	Wrapped []byte

	key cipher.AEAD
}

// NewKey draws a data key, salt and id from rand and wraps the key under
// passphrase.
func NewKey(rand io.Reader, passphrase []byte, iterations int) (*Key, error) {
	if len(passphrase) < MinPassphrase {
		return nil, fmt.Errorf("passphrase is shorter than %d characters: use a long one, e.g. five or more random words", MinPassphrase)
	}
	if iterations < MinIterations {
		return nil, fmt.Errorf("%d PBKDF2 iterations are too few (at least %d)", iterations, MinIterations)
	}
	buf := make([]byte, 32+16+16+12)
	if _, err := io.ReadFull(rand, buf); err != nil {
		return nil, fmt.Errorf("draw a key: %w", err)
	}
	data, salt, id, nonce := buf[:32], buf[32:48], buf[48:64], buf[64:]
	k := &Key{ID: hex.EncodeToString(id), Salt: bytes.Clone(salt), Iterations: iterations}
	kek, err := passphraseKey(passphrase, k.Salt, iterations)
	if err != nil {
		return nil, err
	}
	k.Wrapped = append(bytes.Clone(nonce), kek.Seal(nil, nonce, data, wrapAAD(k.ID))...)
	if k.key, err = newGCM(data); err != nil {
		return nil, err
	}
	return k, nil
}

func passphraseKey(passphrase, salt []byte, iterations int) (cipher.AEAD, error) {
	kek, err := pbkdf2.Key(sha256.New, string(passphrase), salt, iterations, 32)
	if err != nil {
		return nil, err
	}
	return newGCM(kek)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func wrapAAD(id string) []byte { return []byte(Version + " key\x00" + id) }

// fileAAD binds a ciphertext to its key and its place in the tree.
func fileAAD(id, rel string) []byte { return []byte(Version + "\x00" + id + "\x00" + rel) }

// encrypt returns nonce || ciphertext of plaintext stored at rel.
func (k *Key) encrypt(rand io.Reader, rel string, plaintext []byte) ([]byte, error) {
	nonce := make([]byte, k.key.NonceSize())
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return nil, fmt.Errorf("draw a nonce: %w", err)
	}
	return k.key.Seal(nonce, nonce, plaintext, fileAAD(k.ID, rel)), nil
}

// Kind says how a file of the tree is treated.
type Kind int

// The kinds of file.
const (
	// Plain files (stylesheets, scripts, images, fonts) carry no register
	// content and stay as they are.
	Plain Kind = iota
	// Page files become a shell that decrypts in the browser.
	Page
	// Data files become a JSON envelope.
	Data
)

// DefaultKind sorts files by extension: HTML is a Page; JSON, CSV, XML,
// Atom, RSS, text, Markdown and SVG are Data; the rest, and everything
// under static/ (copies of the templates' assets), are Plain.
func DefaultKind(rel string) Kind {
	if strings.HasPrefix(rel, "static/") {
		// The site's own stylesheets, scripts and licences.
		return Plain
	}
	switch strings.ToLower(path.Ext(rel)) {
	case ".html", ".htm":
		return Page
	case ".json", ".csv", ".xml", ".atom", ".rss", ".txt", ".md", ".svg", ".ics":
		return Data
	}
	return Plain
}

// Options tune Tree.
type Options struct {
	// Kind sorts the files; default DefaultKind.
	Kind func(rel string) Kind
	// Title names the register on the passphrase page ("Information
	// security incident register").
	Title string
	// Audience is the audience's title, shown on the passphrase page.
	Audience string
	// Lang is the pages' language; default en-GB.
	Lang string
	// CSP is the shell's Content-Security-Policy; it must allow
	// script-src 'self'.
	CSP string
}

// Tree seals every Page and Data file under dir and writes static/seal.js
// and static/seal.css into it. dir is a fresh build's tree that nobody
// serves yet. Each sealed file replaces the old one (a new file, not an
// edit in place), so files hard-linked with other trees or a cache are
// left as they were. A file that is already sealed is an error: a build
// that reused pages of a sealed tree would otherwise seal them twice.
func Tree(ctx context.Context, dir string, k *Key, rand io.Reader, o Options) error {
	if o.Kind == nil {
		o.Kind = DefaultKind
	}
	if o.Lang == "" {
		o.Lang = "en-GB"
	}
	if o.CSP == "" {
		return errors.New("seal: Options.CSP is not set")
	}
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s: a symbolic link in the tree", p)
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seal %s: %w", dir, err)
	}
	// Two workers: the work is mostly reading and writing files.
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan string)
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				if err := k.sealFile(dir, p, rand, o); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					cancel()
				}
			}
		}()
	}
	for _, p := range files {
		if ctx.Err() != nil {
			break
		}
		next <- p
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	if first != nil {
		return fmt.Errorf("seal %s: %w", dir, first)
	}
	for _, name := range []string{"seal.js", "seal.css"} {
		b, err := fs.ReadFile(templates.FS, "static/"+name)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, "static"), 0o755); err != nil {
			return err
		}
		if err := replaceFile(filepath.Join(dir, "static", name), b); err != nil {
			return err
		}
	}
	return nil
}

func (k *Key) sealFile(dir, p string, rand io.Reader, o Options) error {
	rel, err := filepath.Rel(dir, p)
	if err != nil {
		return err
	}
	rel = filepath.ToSlash(rel)
	kind := o.Kind(rel)
	if kind == Plain {
		return nil
	}
	plain, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	if isSealed(plain) {
		return fmt.Errorf("%s: already sealed", rel)
	}
	var out []byte
	if kind == Page {
		out, err = k.Page(rand, rel, plain, o)
	} else {
		out, err = k.Data(rand, rel, plain)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	return replaceFile(p, out)
}

// replaceFile puts a new file with data at p: the old name is unlinked
// first, so other hard links to the old file keep their contents.
func replaceFile(p string, data []byte) error {
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

var shell = template.Must(template.ParseFS(templates.FS, "seal/shell.html"))

// Page returns the shell of an HTML page stored at rel (a slash path
// relative to the tree's root).
func (k *Key) Page(rand io.Reader, rel string, page []byte, o Options) ([]byte, error) {
	ct, err := k.encrypt(rand, rel, page)
	if err != nil {
		return nil, err
	}
	root := strings.Repeat("../", strings.Count(rel, "/"))
	if root == "" {
		root = "./"
	}
	if o.Lang == "" {
		o.Lang = "en-GB"
	}
	var b bytes.Buffer
	err = shell.Execute(&b, map[string]any{
		"Lang":       o.Lang,
		"CSP":        o.CSP,
		"Root":       root,
		"Title":      o.Title,
		"Audience":   o.Audience,
		"KeyID":      k.ID,
		"Salt":       base64.StdEncoding.EncodeToString(k.Salt),
		"Iterations": k.Iterations,
		"Wrapped":    base64.StdEncoding.EncodeToString(k.Wrapped),
		// Base64 needs no escaping, and the content of a data block is raw
		// text that a browser would not unescape.
		"Data": template.HTML(base64.StdEncoding.EncodeToString(ct)),
	})
	return b.Bytes(), err
}

// envelope is a sealed data file.
type envelope struct {
	Format     string `json:"format"`
	KeyID      string `json:"kid"`
	Salt       []byte `json:"salt"`
	Iterations int    `json:"iterations"`
	Wrapped    []byte `json:"wrapped"`
	Data       []byte `json:"data"`
}

// Data returns the envelope of a data file stored at rel.
func (k *Key) Data(rand io.Reader, rel string, data []byte) ([]byte, error) {
	ct, err := k.encrypt(rand, rel, data)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(envelope{Format: Version, KeyID: k.ID, Salt: k.Salt, Iterations: k.Iterations, Wrapped: k.Wrapped, Data: ct})
	return append(b, '\n'), err
}

const shellMark = `id="register-sealed"`

func isSealed(b []byte) bool {
	return bytes.Contains(b, []byte(shellMark)) || bytes.HasPrefix(b, []byte(`{"format":"`+Version))
}

var (
	sealedRe = regexp.MustCompile(`<script type="application/octet-stream" id="register-sealed"([^>]*)>([A-Za-z0-9+/=]*)</script>`)
	attrRe   = regexp.MustCompile(`\sdata-([a-z]+)="([^"]*)"`)
)

// Open decrypts a file Tree sealed, stored at rel, with passphrase. It
// returns ErrPassphrase, ErrTampered or ErrNotSealed.
func Open(passphrase []byte, rel string, sealed []byte) ([]byte, error) {
	var env envelope
	if bytes.HasPrefix(sealed, []byte("{")) {
		if err := json.Unmarshal(sealed, &env); err != nil || env.Format != Version {
			return nil, ErrNotSealed
		}
	} else {
		m := sealedRe.FindSubmatch(sealed)
		if m == nil {
			return nil, ErrNotSealed
		}
		attrs := map[string]string{}
		for _, a := range attrRe.FindAllSubmatch(m[1], -1) {
			attrs[string(a[1])] = html.UnescapeString(string(a[2]))
		}
		var errs [4]error
		env.KeyID = attrs["kid"]
		env.Salt, errs[0] = base64.StdEncoding.DecodeString(attrs["salt"])
		env.Iterations, errs[1] = strconv.Atoi(attrs["iterations"])
		env.Wrapped, errs[2] = base64.StdEncoding.DecodeString(attrs["wrapped"])
		env.Data, errs[3] = base64.StdEncoding.DecodeString(string(m[2]))
		if err := errors.Join(errs[:]...); err != nil {
			return nil, ErrTampered
		}
	}
	if env.Iterations < MinIterations || env.Iterations > 100*Iterations {
		return nil, ErrTampered
	}
	kek, err := passphraseKey(passphrase, env.Salt, env.Iterations)
	if err != nil {
		return nil, err
	}
	ns := kek.NonceSize()
	if len(env.Wrapped) < ns || len(env.Data) < ns {
		return nil, ErrTampered
	}
	data, err := kek.Open(nil, env.Wrapped[:ns], env.Wrapped[ns:], wrapAAD(env.KeyID))
	if err != nil {
		return nil, ErrPassphrase
	}
	key, err := newGCM(data)
	if err != nil {
		return nil, ErrTampered
	}
	plain, err := key.Open(nil, env.Data[:ns], env.Data[ns:], fileAAD(env.KeyID, rel))
	if err != nil {
		return nil, ErrTampered
	}
	return plain, nil
}
