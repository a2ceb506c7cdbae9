package history

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/council/register/register"
)

// A config is what a commit is judged by: the settings, people, workflow
// and public keys of its parent's tree. A commit cannot make itself
// legal: adding yourself to people.yaml and signing with the key you add
// takes two commits, the first judged by the people already there.
type config struct {
	settings *register.Settings
	people   *register.People
	workflow *register.Workflow
	ring     openpgp.EntityList
	owner    map[uint64]string // primary key id -> person id
}

// configCache keeps configs by the hashes of the files they come from.
type configCache struct {
	mu sync.Mutex
	m  map[string]*config
}

var configFiles = []string{register.SettingsFile, register.PeopleFile, register.WorkflowFile, "keys"}

// config returns the config of a root tree.
func (r *Repo) config(cc *configCache, root plumbing.Hash) (*config, error) {
	t, err := r.tree(root)
	if err != nil {
		return nil, err
	}
	var key strings.Builder
	for _, name := range configFiles {
		if e, ok := t.find(name); ok {
			key.WriteString(e.hash.String())
		}
		key.WriteByte('/')
	}
	cc.mu.Lock()
	c, ok := cc.m[key.String()]
	cc.mu.Unlock()
	if ok {
		return c, nil
	}
	c = r.loadConfig(root)
	cc.mu.Lock()
	cc.m[key.String()] = c
	cc.mu.Unlock()
	return c, nil
}

// loadConfig reads a config; what cannot be read or parsed falls back to
// the defaults (an empty people list), so every change by anyone is
// reported rather than the walk failing.
func (r *Repo) loadConfig(root plumbing.Hash) *config {
	c := &config{settings: register.DefaultSettings(), people: &register.People{},
		workflow: register.DefaultWorkflow(), owner: map[uint64]string{}}
	read := func(p string) []byte {
		e, ok, err := r.lookup(root, p)
		if err != nil || !ok || e.dir {
			return nil
		}
		data, err := r.blob(e.hash)
		if err != nil {
			return nil
		}
		return data
	}
	if data := read(register.SettingsFile); data != nil {
		if s, err := register.ParseSettings(bytes.NewReader(data)); err == nil {
			c.settings = s
		}
	}
	if data := read(register.PeopleFile); data != nil {
		if p, err := register.ParsePeople(bytes.NewReader(data)); err == nil {
			c.people = p
		}
	}
	if data := read(register.WorkflowFile); data != nil {
		if w, err := register.ParseWorkflow(bytes.NewReader(data)); err == nil {
			c.workflow = w
		}
	}
	for _, p := range c.people.People {
		data := read(p.KeyPath())
		if data == nil {
			continue
		}
		ents, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
		if err != nil {
			continue
		}
		for _, e := range ents {
			c.owner[e.PrimaryKey.KeyId] = p.ID
		}
		c.ring = append(c.ring, ents...)
	}
	return c
}

// signingTime is the time a commit's signature is judged at: the
// committer's time, or the signature's own creation time when that is a
// little later (git records the commit's time before gpg signs it, and
// gpg may wait for a passphrase). A signature claiming to be made long
// after its commit is judged at the commit's time.
func signingTime(c *object.Commit) time.Time {
	when := c.Committer.When
	block, err := armor.Decode(strings.NewReader(c.PGPSignature))
	if err != nil {
		return when
	}
	p, err := packet.Read(block.Body)
	if err != nil {
		return when
	}
	if sig, ok := p.(*packet.Signature); ok && !sig.CreationTime.Before(when) && sig.CreationTime.Sub(when) < 24*time.Hour {
		return sig.CreationTime
	}
	return when
}

// Verdict is the result of checking a commit's signature.
type Verdict string

// Verdicts.
const (
	// Verified: a good signature by the author's own key, valid at the
	// commit's time.
	Verified Verdict = "verified"
	// Unsigned: no signature.
	Unsigned Verdict = "unsigned"
	// BadSignature: a signature that does not verify or cannot be read.
	BadSignature Verdict = "bad-signature"
	// UnknownKey: signed by a key that is not in keys/ for anyone in
	// people.yaml.
	UnknownKey Verdict = "unknown-key"
	// WrongSigner: a good signature by someone else's key.
	WrongSigner Verdict = "wrong-signer"
	// ExpiredKey: a signature by a key (or a signature) that had expired
	// or been revoked at the commit's time, or was made after it (a key
	// created after the commit's date).
	ExpiredKey Verdict = "expired-key"
)

// verify checks a commit's detached OpenPGP signature over the commit
// object without its gpgsig header, with the keys of cfg, as of the
// committer's time: a key that expired later does not void an old commit.
// It returns the verdict and the person whose key made the signature.
func (cfg *config) verify(c *object.Commit, author string) (Verdict, string) {
	if c.PGPSignature == "" {
		return Unsigned, ""
	}
	if !strings.Contains(c.PGPSignature, "BEGIN PGP SIGNATURE") {
		return BadSignature, "" // SSH and X.509 signatures are not OpenPGP
	}
	payload := &plumbing.MemoryObject{}
	if err := c.EncodeWithoutSignature(payload); err != nil {
		return BadSignature, ""
	}
	rd, err := payload.Reader()
	if err != nil {
		return BadSignature, ""
	}
	defer rd.Close()
	when := signingTime(c)
	conf := &packet.Config{Time: func() time.Time { return when }}
	signer, err := openpgp.CheckArmoredDetachedSignature(cfg.ring, rd, strings.NewReader(c.PGPSignature), conf)
	who := ""
	if signer != nil {
		who = cfg.owner[signer.PrimaryKey.KeyId]
	}
	switch {
	case err == nil && who != "" && who == author:
		return Verified, who
	case err == nil:
		return WrongSigner, who
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		return UnknownKey, ""
	case errors.Is(err, pgperrors.ErrKeyExpired), errors.Is(err, pgperrors.ErrSignatureExpired),
		errors.Is(err, pgperrors.ErrKeyRevoked):
		if signer != nil {
			return ExpiredKey, who
		}
		return BadSignature, ""
	}
	return BadSignature, ""
}
