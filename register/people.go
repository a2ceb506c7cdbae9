package register

import (
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strings"
)

// Person is someone who edits or reads the register. People are listed in
// people.yaml; their OpenPGP public keys are in keys/<id>.asc.
type Person struct {
	ID    string   `yaml:"id"`
	Name  string   `yaml:"name"`
	Email string   `yaml:"email"`
	Roles []string `yaml:"roles"`
	// Key is the path of the person's armored public key, relative to
	// the register; it defaults to keys/<id>.asc.
	Key string `yaml:"key"`
	// Left is the day the person left; they keep authorship of old
	// commits but get no new evidence.
	Left *Date `yaml:"left"`
}

// HasRole reports whether the person holds the role.
func (p *Person) HasRole(role string) bool { return slices.Contains(p.Roles, role) }

// Active reports whether the person has not left.
func (p *Person) Active() bool { return p.Left == nil }

// KeyPath returns the path of the person's public key.
func (p *Person) KeyPath() string {
	if p.Key != "" {
		return p.Key
	}
	return "keys/" + p.ID + ".asc"
}

// People is the register's list of people.
type People struct {
	People []*Person `yaml:"people"`

	lines fieldLines
}

// ByID returns the person with that id, or nil.
func (ps *People) ByID(id string) *Person {
	if ps == nil {
		return nil
	}
	for _, p := range ps.People {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// ByEmail returns the person with that e-mail address (case-insensitive),
// or nil.
func (ps *People) ByEmail(email string) *Person {
	if ps == nil {
		return nil
	}
	for _, p := range ps.People {
		if strings.EqualFold(p.Email, email) {
			return p
		}
	}
	return nil
}

// WithRole returns the people holding a role, in file order.
func (ps *People) WithRole(role string) []*Person {
	var out []*Person
	for _, p := range ps.People {
		if p.HasRole(role) {
			out = append(out, p)
		}
	}
	return out
}

// Line returns the line of a field path in people.yaml.
func (ps *People) Line(path string) int {
	d := document{Lines: ps.lines}
	return d.Line(path)
}

// ParsePeople reads people.yaml. Problems come back as Findings with
// lines but no path.
func ParsePeople(r io.Reader) (*People, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxYAMLFile+1))
	if err != nil {
		return nil, Findings{errorf(0, "read", "%v", err)}
	}
	ps, fs := parsePeople(data)
	if fs != nil {
		return nil, fs
	}
	return ps, nil
}

// parsePeople is ParsePeople on data in memory, except that it returns
// the people along with the findings when only individual entries are
// wrong (a bad e-mail, a duplicate id), so the checker can still resolve
// references instead of reporting every one.
func parsePeople(data []byte) (*People, Findings) {
	ps := new(People)
	lines, fs := decodeYAMLFile(data, ps)
	if fs != nil {
		return nil, fs
	}
	ps.lines = lines
	ids, emails := map[string]int{}, map[string]int{}
	for i, p := range ps.People {
		at := func(f string) int { return ps.Line(fmt.Sprintf("people[%d].%s", i, f)) }
		if !safeName(p.ID) {
			fs = append(fs, errorf(at("id"), "schema", "person id %q must be lowercase letters, digits and dashes", p.ID))
		} else if prev, ok := ids[p.ID]; ok {
			fs = append(fs, errorf(at("id"), "schema", "person id %q is used twice (first on line %d)", p.ID, prev))
		}
		ids[p.ID] = at("id")
		if p.Name == "" {
			fs = append(fs, errorf(at("id"), "schema", "person %q has no name", p.ID))
		}
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			fs = append(fs, errorf(at("email"), "schema", "person %q: e-mail %q is not a plain address like jo.bloggs@example.gov.uk", p.ID, p.Email))
		} else if prev, ok := emails[strings.ToLower(p.Email)]; ok {
			fs = append(fs, errorf(at("email"), "schema", "e-mail %q is used twice (first on line %d); authors are matched by e-mail", p.Email, prev))
		}
		emails[strings.ToLower(p.Email)] = at("email")
		if len(p.Roles) == 0 {
			fs = append(fs, errorf(at("id"), "schema", "person %q has no roles", p.ID))
		}
		if p.Key != "" && !validRelPath(p.Key) {
			fs = append(fs, errorf(at("key"), "schema", "person %q: key path %q must stay inside the register (keys/%s.asc)", p.ID, p.Key, p.ID))
		}
	}
	return ps, fs
}

// validRelPath reports whether p is a clean relative slash path that
// stays inside the register.
func validRelPath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") {
		return false
	}
	for _, el := range strings.Split(p, "/") {
		if el == "" || el == "." || el == ".." {
			return false
		}
	}
	return true
}
