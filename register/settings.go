package register

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// Settings are a register's register.yaml.
type Settings struct {
	Name         string     `yaml:"name"`
	Organisation string     `yaml:"organisation"`
	IDPrefix     string     `yaml:"id_prefix"`
	TimeZone     string     `yaml:"time_zone"`
	MainBranch   string     `yaml:"main_branch"`
	Deadlines    Deadlines  `yaml:"deadlines"`
	Audiences    []Audience `yaml:"audiences"`
	Visibility   Visibility `yaml:"visibility"`
	Signing      Signing    `yaml:"signing"`
	Evidence     struct {
		// Roles whose holders receive every evidence file, besides the
		// case's investigator.
		Roles []string `yaml:"roles"`
	} `yaml:"evidence"`

	location *time.Location
}

// Deadlines are the register's clocks, in hours or days.
type Deadlines struct {
	// ICOHours is the time from awareness to notifying the ICO
	// (UK GDPR Art. 33(1): 72 hours).
	ICOHours int `yaml:"ico_hours"`
	// TriageHours is how soon a report should be triaged.
	TriageHours int `yaml:"triage_hours"`
	// ReviewDays is how soon after resolution ITPARG should review.
	ReviewDays int `yaml:"review_days"`
}

// Audience is a named group of readers of the site, by role.
type Audience struct {
	Name  string   `yaml:"name"`
	Title string   `yaml:"title"`
	Roles []string `yaml:"roles"`
}

// Visibility gives the roles that see cases by default: personal-data
// cases and all others.
type Visibility struct {
	PersonalData []string `yaml:"personal_data"`
	Other        []string `yaml:"other"`
}

// Signing says which branches need every commit signed by its author.
type Signing struct {
	Required *bool    `yaml:"required"`
	Branches []string `yaml:"branches"`
}

// DefaultSettings returns the settings of a register whose register.yaml
// says nothing beyond its name.
func DefaultSettings() *Settings {
	s := &Settings{}
	s.applyDefaults()
	return s
}

func (s *Settings) applyDefaults() {
	if s.IDPrefix == "" {
		s.IDPrefix = "INC"
	}
	if s.TimeZone == "" {
		s.TimeZone = "Europe/London"
	}
	if s.MainBranch == "" {
		s.MainBranch = "main"
	}
	if s.Deadlines.ICOHours == 0 {
		s.Deadlines.ICOHours = 72
	}
	if s.Deadlines.TriageHours == 0 {
		s.Deadlines.TriageHours = 24
	}
	if s.Deadlines.ReviewDays == 0 {
		s.Deadlines.ReviewDays = 90
	}
	if s.Visibility.PersonalData == nil {
		s.Visibility.PersonalData = []string{RoleSIMO, RoleDPO, RoleITPARG, RoleAudit}
	}
	if s.Visibility.Other == nil {
		s.Visibility.Other = []string{RoleSIMO, RoleDPO, RoleITPARG, RoleAudit, RoleBusinessIT, RoleIMG}
	}
	if s.Audiences == nil {
		s.Audiences = []Audience{
			{Name: "itparg", Title: "IT Policy & Regulation Group", Roles: []string{RoleITPARG}},
			{Name: "simo", Title: "SIMO and DPO", Roles: []string{RoleSIMO, RoleDPO}},
			{Name: "business-it", Title: "Business IT", Roles: []string{RoleBusinessIT}},
			{Name: "img", Title: "Information Management Group", Roles: []string{RoleIMG}},
			{Name: "audit", Title: "Internal Audit", Roles: []string{RoleAudit}},
		}
	}
	if s.Signing.Required == nil {
		t := true
		s.Signing.Required = &t
	}
	if s.Signing.Branches == nil {
		s.Signing.Branches = []string{s.MainBranch}
	}
	if s.Evidence.Roles == nil {
		s.Evidence.Roles = []string{RoleSIMO}
	}
	if loc, err := time.LoadLocation(s.TimeZone); err == nil {
		s.location = loc
	} else {
		s.location = time.UTC
	}
}

// ParseSettings reads register.yaml. Problems come back as Findings with
// lines but no path.
func ParseSettings(r io.Reader) (*Settings, error) {
	s := new(Settings)
	lines, fs := readYAMLFile(r, s)
	if fs != nil {
		return nil, fs
	}
	if s.Name == "" {
		fs = append(fs, errorf(1, "schema", `missing field "name"`))
	}
	if s.TimeZone != "" {
		if _, err := time.LoadLocation(s.TimeZone); err != nil {
			fs = append(fs, errorf(lines.at("time_zone"), "schema", "unknown time zone %q (use an IANA name such as Europe/London)", s.TimeZone))
		}
	}
	if s.IDPrefix != "" {
		if _, _, _, err := ParseID(s.IDPrefix + "-2026-0001"); err != nil {
			fs = append(fs, errorf(lines.at("id_prefix"), "schema", "id prefix %q must be 1–10 capital letters or digits, starting with a letter", s.IDPrefix))
		}
	}
	seen := map[string]bool{}
	for i, a := range s.Audiences {
		l := lines.at(fmt.Sprintf("audiences[%d]", i))
		switch {
		case !safeName(a.Name):
			fs = append(fs, errorf(l, "schema", "audience name %q must be lowercase letters, digits and dashes (it names a folder of the site)", a.Name))
		case seen[a.Name]:
			fs = append(fs, errorf(l, "schema", "audience %q is defined twice", a.Name))
		case len(a.Roles) == 0:
			fs = append(fs, errorf(l, "schema", "audience %q has no roles, so nobody could read it", a.Name))
		}
		seen[a.Name] = true
	}
	if fs != nil {
		return nil, fs
	}
	s.applyDefaults()
	return s, nil
}

// Location returns the register's time zone.
func (s *Settings) Location() *time.Location {
	if s.location == nil {
		return time.UTC
	}
	return s.location
}

// Audience returns the audience of that name.
func (s *Settings) Audience(name string) (Audience, bool) {
	for _, a := range s.Audiences {
		if a.Name == name {
			return a, true
		}
	}
	return Audience{}, false
}

// SigningRequired reports whether commits on branch must be signed.
func (s *Settings) SigningRequired(branch string) bool {
	return s.Signing.Required != nil && *s.Signing.Required && slices.Contains(s.Signing.Branches, branch)
}

// Sees reports whether an audience may see a document with the given
// audiences override and personal-data flag. An explicit list of
// audience names wins; otherwise the default visibility rules apply.
func (s *Settings) Sees(a Audience, override []string, personalData bool) bool {
	if len(override) > 0 {
		return slices.Contains(override, a.Name)
	}
	roles := s.Visibility.Other
	if personalData {
		roles = s.Visibility.PersonalData
	}
	for _, r := range a.Roles {
		if slices.Contains(roles, r) {
			return true
		}
	}
	return false
}

func safeName(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return s[0] != '-'
}
