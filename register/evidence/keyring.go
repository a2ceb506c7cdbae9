package evidence

import (
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/council/register/register"
)

// Keyring holds the public keys of a register's people, from keys/*.asc,
// and knows whose key every key id is.
type Keyring struct {
	recipients map[string]*Recipient
	errs       map[string]error
	owner      map[uint64]string
}

// LoadKeyring reads every person's public key from the register's tree.
// A key that is missing or unreadable is remembered as that person's
// error rather than failing the whole ring: one bad key must not hide
// the findings about everyone else.
func LoadKeyring(fsys fs.FS, people *register.People) *Keyring {
	k := &Keyring{recipients: map[string]*Recipient{}, errs: map[string]error{}, owner: map[uint64]string{}}
	if people == nil {
		return k
	}
	for _, p := range people.People {
		f, err := fsys.Open(p.KeyPath())
		if err != nil {
			k.errs[p.ID] = fmt.Errorf("person %s has no readable public key at %s", p.ID, p.KeyPath())
			continue
		}
		r, err := ReadRecipient(p.ID, f)
		f.Close()
		if err != nil {
			k.errs[p.ID] = fmt.Errorf("person %s's key %s: %w", p.ID, p.KeyPath(), err)
			continue
		}
		k.add(r)
	}
	return k
}

// Add puts a recipient's keys into the ring.
func (k *Keyring) add(r *Recipient) {
	k.recipients[r.Person] = r
	for _, e := range r.keys {
		k.owner[e.PrimaryKey.KeyId] = r.Person
		for _, sk := range e.Subkeys {
			// A revoked subkey no longer speaks for its owner: evidence
			// encrypted to it must be re-encrypted.
			if len(sk.Revocations) > 0 {
				continue
			}
			k.owner[sk.PublicKey.KeyId] = r.Person
		}
	}
}

// Owner returns the id of the person a key id (primary or subkey)
// belongs to.
func (k *Keyring) Owner(keyID uint64) (string, bool) {
	p, ok := k.owner[keyID]
	return p, ok
}

// Recipient returns the person's key to encrypt to.
func (k *Keyring) Recipient(person string) (*Recipient, error) {
	if err := k.errs[person]; err != nil {
		return nil, err
	}
	r := k.recipients[person]
	if r == nil {
		return nil, fmt.Errorf("person %s is not in people.yaml", person)
	}
	return r, nil
}

// Recipients returns the keys of several people, failing on the first
// who has no usable key.
func (k *Keyring) Recipients(people []*register.Person) ([]*Recipient, error) {
	var out []*Recipient
	for _, p := range people {
		r, err := k.Recipient(p.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// RequiredRecipients returns who must be able to read a case's evidence:
// its investigator and every active person holding one of the roles in
// register.yaml's evidence.roles (default: simo), each once, in that
// order. People who have left get no new evidence.
func RequiredRecipients(reg *register.Register, c *register.Case) []*register.Person {
	var out []*register.Person
	add := func(p *register.Person) {
		if p != nil && p.Active() && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	add(reg.People.ByID(c.Investigator))
	for _, role := range reg.Settings.Evidence.Roles {
		for _, p := range reg.People.WithRole(role) {
			add(p)
		}
	}
	return out
}

// ForCase returns the keys to encrypt a case's evidence to: those of
// RequiredRecipients, read from the register's keys/.
func ForCase(fsys fs.FS, reg *register.Register, c *register.Case) ([]*Recipient, error) {
	people := RequiredRecipients(reg, c)
	if len(people) == 0 {
		return nil, fmt.Errorf("case %s: nobody is entitled to its evidence (no investigator and no active holder of the roles %s)",
			c.ID, strings.Join(reg.Settings.Evidence.Roles, ", "))
	}
	return LoadKeyring(fsys, reg.People).Recipients(people)
}

// NewEntry returns the case file entry of evidence just encrypted: its
// file name, the plaintext's hash and size, who collected it and when,
// and a chain of custody that starts with that collection.
func NewEntry(file string, s Sealed, by string, at time.Time, description string) register.Evidence {
	t := register.Time{Time: at.UTC().Truncate(time.Second)}
	return register.Evidence{
		File: file, SHA256: s.SHA256, Size: s.Size,
		CollectedBy: by, CollectedAt: t, Description: description,
		Custody: []register.Custody{{At: t, By: by, Action: "collected"}},
	}
}

// Checker checks evidence files without decrypting them. It implements
// register.EvidenceChecker, so register check, the hooks and the range
// check all judge evidence the same way. It is safe for concurrent use.
type Checker struct {
	// FS is the register's tree, where the keys are read from.
	FS fs.FS

	// The keyring of the register last checked: one Check runs over one
	// register, and a range check moves on from commit to commit.
	mu     sync.Mutex
	people *register.People
	ring   *Keyring
}

// NewChecker returns a Checker reading keys from fsys.
func NewChecker(fsys fs.FS) *Checker { return &Checker{FS: fsys} }

func (ch *Checker) keyring(people *register.People) *Keyring {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if ch.ring == nil || ch.people != people {
		ch.ring = LoadKeyring(ch.FS, people)
		ch.people = people
	}
	return ch.ring
}

// CheckEvidence reports whether the file is an OpenPGP message encrypted
// to everyone entitled to the case's evidence and to nobody outside the
// register or gone from it.
func (ch *Checker) CheckEvidence(reg *register.Register, c *register.Case, file string, content io.Reader) error {
	ids, err := Recipients(content)
	if err != nil {
		return err
	}
	ring := ch.keyring(reg.People)
	have := map[string]bool{}
	var problems []string
	for _, id := range ids {
		p, ok := ring.Owner(id)
		if !ok {
			problems = append(problems, fmt.Sprintf("encrypted to key %s, which is no key of anyone in people.yaml", KeyID(id)))
			continue
		}
		have[p] = true
		if person := reg.People.ByID(p); person != nil && !person.Active() {
			problems = append(problems, fmt.Sprintf("still encrypted to %s, who left on %s", p, person.Left.Format(time.DateOnly)))
		}
	}
	var missing []string
	for _, p := range RequiredRecipients(reg, c) {
		if have[p.ID] {
			continue
		}
		why := "the investigator"
		if p.ID != c.Investigator {
			why = strings.Join(rolesOf(p, reg.Settings.Evidence.Roles), ", ")
		}
		if err := ring.errs[p.ID]; err != nil {
			missing = append(missing, fmt.Sprintf("%s (%s; %v)", p.ID, why, err))
		} else {
			missing = append(missing, fmt.Sprintf("%s (%s)", p.ID, why))
		}
	}
	if len(missing) > 0 {
		problems = append([]string{"not encrypted to " + strings.Join(missing, ", ")}, problems...)
	}
	if len(problems) > 0 {
		return &RecipientError{Case: c.ID, Problems: problems}
	}
	return nil
}

// RecipientError says why a file's recipients are not the right people.
type RecipientError struct {
	Case     string
	Problems []string
}

func (e *RecipientError) Error() string {
	return strings.Join(e.Problems, "; ") + "; run register evidence rekey " + e.Case
}

func rolesOf(p *register.Person, roles []string) []string {
	var out []string
	for _, r := range roles {
		if p.HasRole(r) {
			out = append(out, r)
		}
	}
	return out
}

var _ register.EvidenceChecker = (*Checker)(nil)
