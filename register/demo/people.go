package demo

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/council/register/register"
)

// person is one member of the demo council's staff, with their key.
type person struct {
	ID, Name string
	Roles    []string
	Left     time.Time // zero while they work here

	entity *openpgp.Entity
	public []byte // armored public key
	secret []byte // armored secret key, unprotected, DEMO ONLY
}

func (p *person) Email() string {
	return strings.ToLower(strings.ReplaceAll(p.Name, " ", ".")) + "@demo-council.example.gov.uk"
}

func (p *person) has(role string) bool {
	for _, r := range p.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// activeAt reports whether the person still worked here at t.
func (p *person) activeAt(t time.Time) bool { return p.Left.IsZero() || t.Before(p.Left) }

// staff is the demo council's staff: every role of the built-in
// workflow, some people holding two. The names are invented.
var staff = []struct {
	id, name string
	roles    []string
}{
	{"alice", "Alice Fernsby", []string{register.RoleBusinessIT}},
	{"bilal", "Bilal Hussain", []string{register.RoleBusinessIT}},
	{"chen", "Chen Wei", []string{register.RoleBusinessIT}},
	{"dafydd", "Dafydd Pryce", []string{register.RoleBusinessIT}},
	{"erin", "Erin Callaghan", []string{register.RoleBusinessIT}},
	{"kofi", "Kofi Mensah", []string{register.RoleBusinessIT}}, // leaves part-way
	{"farah", "Farah Qureshi", []string{register.RoleSIMO, register.RoleITPARG}},
	{"gareth", "Gareth Lloyd", []string{register.RoleSIMO}},
	{"hannah", "Hannah Osei", []string{register.RoleDPO, register.RoleITPARG}},
	{"ian", "Ian Whitmore", []string{register.RoleITPARG}},                           // chair
	{"jo", "Jo Marsden", []string{register.RoleITPARG}},                              // secretary
	{"lucy", "Lucy Brennan", []string{register.RoleITPARG, register.RoleBusinessIT}}, // head of Business IT
	{"marcus", "Marcus Flint", []string{register.RoleIMG}},
	{"nadia", "Nadia Petrova", []string{register.RoleIMG, register.RoleITPARG}},
	{"olu", "Olu Adeyemi", []string{register.RoleAudit}},
}

// newPeople makes the staff and their keys. Keys are EdDSA (Ed25519)
// with an ECDH (X25519) encryption subkey: fast to sign with, and what
// gpg 2.2 reads. Everything comes from the seeded reader, so the keys
// are the same for the same seed.
func newPeople(seed uint64, created time.Time, leaves time.Time) ([]*person, error) {
	var out []*person
	for i, s := range staff {
		p := &person{ID: s.id, Name: s.name, Roles: s.roles}
		if s.id == "kofi" {
			p.Left = leaves
		}
		var key [32]byte
		copy(key[:], fmt.Sprintf("register demo key %d %d", seed, i))
		cfg := &packet.Config{
			Rand:      rand.NewChaCha8(key),
			Time:      func() time.Time { return created },
			Algorithm: packet.PubKeyAlgoEdDSA,
			Curve:     packet.Curve25519,
		}
		e, err := openpgp.NewEntity(p.Name, "demo", p.Email(), cfg)
		if err != nil {
			return nil, fmt.Errorf("key of %s: %w", p.ID, err)
		}
		p.entity = e
		var pub, sec bytes.Buffer
		w, err := armor.Encode(&pub, openpgp.PublicKeyType, map[string]string{"Comment": "register demo key of " + p.ID})
		if err != nil {
			return nil, err
		}
		if err := e.Serialize(w); err != nil {
			return nil, err
		}
		w.Close()
		pub.WriteString("\n")
		w, err = armor.Encode(&sec, openpgp.PrivateKeyType, map[string]string{
			"Comment": "DEMO ONLY: unprotected secret key of demo person " + p.ID + "; never use it for anything real"})
		if err != nil {
			return nil, err
		}
		if err := e.SerializePrivateWithoutSigning(w, nil); err != nil {
			return nil, err
		}
		w.Close()
		sec.WriteString("\n")
		p.public, p.secret = pub.Bytes(), sec.Bytes()
		out = append(out, p)
	}
	return out, nil
}

func byID(ps []*person, id string) *person {
	for _, p := range ps {
		if p.ID == id {
			return p
		}
	}
	return nil
}

func withRole(ps []*person, role string) []*person {
	var out []*person
	for _, p := range ps {
		if p.has(role) && p.ID != "lucy" {
			out = append(out, p)
		}
	}
	return out
}

// peopleFile renders people.yaml.
func peopleFile(ps []*person, asOf time.Time) []byte {
	var b strings.Builder
	b.WriteString("# people.yaml: everyone who edits or reads this demo register.\n")
	b.WriteString("# The people and e-mail addresses are invented. Public keys are in keys/;\n")
	b.WriteString("# their unprotected DEMO ONLY secret keys sit beside the register, never in it.\n")
	b.WriteString("people:\n")
	for _, p := range ps {
		fmt.Fprintf(&b, "  - id: %s\n    name: %s\n    email: %s\n    roles: [%s]\n", p.ID, p.Name, p.Email(), strings.Join(p.Roles, ", "))
		if !p.Left.IsZero() && !asOf.Before(p.Left) {
			fmt.Fprintf(&b, "    left: %s\n", p.Left.Format(register.DateLayout))
		}
	}
	return []byte(b.String())
}
