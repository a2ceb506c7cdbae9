package register

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// A Case is one entry of the register: a reported security event,
// weakness, incident or near miss, with everything done about it. Its
// file is cases/YYYY/ID/case.md; the fields are documented in doc.go.
type Case struct {
	ID               string        `yaml:"id"`
	Title            string        `yaml:"title"`
	Status           string        `yaml:"status"`
	ReportedAt       Time          `yaml:"reported_at"`
	ReportedBy       string        `yaml:"reported_by"`
	ReportedTo       []Contact     `yaml:"reported_to"`
	LineManager      string        `yaml:"line_manager"`
	Category         Category      `yaml:"category"`
	Types            []Type        `yaml:"types"`
	Impact           []Impact      `yaml:"impact"`
	PersonalData     bool          `yaml:"personal_data"`
	HardCopy         bool          `yaml:"hard_copy"`
	ServiceAffecting bool          `yaml:"service_affecting"`
	Major            bool          `yaml:"major"`
	Investigator     string        `yaml:"investigator"`
	Audiences        []string      `yaml:"audiences"`
	Notified         map[Duty]Time `yaml:"notified"`
	ICO              *ICO          `yaml:"ico"`
	Breach           *Breach       `yaml:"breach"`
	Changes          []string      `yaml:"changes"`
	NoChangeReason   string        `yaml:"no_change_reason"`
	Resolution       string        `yaml:"resolution"`
	Review           *Review       `yaml:"review"`
	Lessons          []string      `yaml:"lessons"`
	Evidence         []Evidence    `yaml:"evidence"`
	Updates          []Update      `yaml:"updates"`

	// Path is the file's slash path in the register, set by Load.
	Path string `yaml:"-"`

	doc *document
}

// ICO is the Data Protection Officer's decision on notifying the
// Information Commissioner (§6.3, UK GDPR Art. 33).
type ICO struct {
	Decision   Decision `yaml:"decision"`
	DecidedBy  string   `yaml:"decided_by"`
	DecidedAt  *Time    `yaml:"decided_at"`
	NotifiedAt *Time    `yaml:"notified_at"`
	Reference  string   `yaml:"reference"`
	Reason     string   `yaml:"reason"`
	LateReason string   `yaml:"late_reason"`
}

// Breach holds what the ICO's breach report asks about a personal-data
// breach (Art. 33(3), Art. 34).
type Breach struct {
	// OccurredAt is when the breach happened, as far as is known; the
	// ICO asks it beside when it was discovered (reported_at).
	OccurredAt      *Time    `yaml:"occurred_at"`
	DataCategories  []string `yaml:"data_categories"`
	SpecialCategory bool     `yaml:"special_category"`
	PeopleAffected  int      `yaml:"people_affected"`
	RecordsAffected int      `yaml:"records_affected"`
	Consequences    string   `yaml:"consequences"`
	Measures        string   `yaml:"measures"`
	SubjectsTold    Told     `yaml:"subjects_told"`
	SubjectsReason  string   `yaml:"subjects_reason"`
}

// Review records ITPARG's review of the case (§7.8–7.10).
type Review struct {
	Minutes          string   `yaml:"minutes"`
	ReclassifiedFrom Category `yaml:"reclassified_from"`
}

// Evidence is one encrypted evidence file and its chain of custody.
type Evidence struct {
	File        string    `yaml:"file"`
	SHA256      string    `yaml:"sha256"`
	Size        int64     `yaml:"size"`
	CollectedBy string    `yaml:"collected_by"`
	CollectedAt Time      `yaml:"collected_at"`
	Description string    `yaml:"description"`
	Custody     []Custody `yaml:"custody"`
}

// Custody is one event in an evidence file's chain of custody. The list
// is append-only.
type Custody struct {
	At     Time          `yaml:"at"`
	By     string        `yaml:"by"`
	Action CustodyAction `yaml:"action"`
	Reason string        `yaml:"reason"`
}

// Update is a progress report to someone with a stake in the case
// (§7.14 the reporter, §7.15 the service).
type Update struct {
	At   Time   `yaml:"at"`
	By   string `yaml:"by"`
	To   string `yaml:"to"`
	Note string `yaml:"note"`
}

// ParseCase reads a case file. Problems are returned as Findings with
// lines but no path; the caller knows the path.
func ParseCase(r io.Reader) (*Case, error) {
	c := new(Case)
	doc, fs := parseDocument(r, c)
	if fs != nil {
		return nil, fs
	}
	c.doc = doc
	return c, nil
}

// parseCase is ParseCase on a file already in memory.
func parseCase(data []byte) (*Case, Findings) {
	c := new(Case)
	doc, fs := parseDocumentBytes(data, c)
	if fs != nil {
		return nil, fs
	}
	c.doc = doc
	return c, nil
}

// Body returns the Markdown narrative after the front matter.
func (c *Case) Body() []byte {
	if c.doc == nil {
		return nil
	}
	return c.doc.Body
}

// BodyLine returns the line of the file the narrative starts on.
func (c *Case) BodyLine() int {
	if c.doc == nil {
		return 1
	}
	return c.doc.BodyLine
}

// Line returns the line of a field such as "status" or "ico.decision",
// or of its nearest parent present in the file.
func (c *Case) Line(field string) int {
	if c.doc == nil {
		return 1
	}
	return c.doc.Line(field)
}

// Has reports whether the field is written in the file, even if empty
// (an explicit "lessons: []" is a recorded decision).
func (c *Case) Has(field string) bool {
	if c.doc == nil {
		return false
	}
	_, ok := c.doc.Lines.get(field)
	return ok
}

// Year returns the year of the case's id.
func (c *Case) Year() int {
	_, y, _, err := ParseID(c.ID)
	if err != nil {
		return 0
	}
	return y
}

// HasRole reports whether the ICO decision or anything else names a
// decided ICO outcome.
func (i *ICO) decided() bool {
	return i != nil && (i.Decision == "notify" || i.Decision == "no-notify")
}

// ParseID splits a case id such as INC-2026-0007 into prefix, year and
// number. An id is PREFIX-YYYY-NNNN: a prefix of one capital letter and
// up to nine more capitals or digits, a four-digit year and a number of
// four to six digits. (It is read by hand, not with a regular
// expression: the site asks a case's year several times per case and
// audience.)
func ParseID(id string) (prefix string, year, number int, err error) {
	prefix, rest, ok1 := strings.Cut(id, "-")
	y, n, ok2 := strings.Cut(rest, "-")
	if !ok1 || !ok2 || !idPrefix(prefix) || len(y) != 4 || len(n) < 4 || len(n) > 6 || !digits(y) || !digits(n) {
		return "", 0, 0, fmt.Errorf("case id %q is not of the form PREFIX-YYYY-NNNN, like INC-2026-0007", id)
	}
	year, _ = strconv.Atoi(y)
	number, _ = strconv.Atoi(n)
	if year < 1990 || year > 2200 {
		return "", 0, 0, fmt.Errorf("case id %q: year %d is out of range", id, year)
	}
	return prefix, year, number, nil
}

// idPrefix reports whether p is a case id's prefix: a capital letter,
// then up to nine capitals or digits.
func idPrefix(p string) bool {
	if len(p) == 0 || len(p) > 10 || p[0] < 'A' || p[0] > 'Z' {
		return false
	}
	for i := 1; i < len(p); i++ {
		if c := p[i]; (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FormatID builds a case id from its parts.
func FormatID(prefix string, year, number int) string {
	return fmt.Sprintf("%s-%04d-%04d", prefix, year, number)
}

// CasePath returns the slash path of a case file for its id.
func CasePath(id string) string {
	_, y, _, _ := ParseID(id)
	return fmt.Sprintf("cases/%04d/%s/case.md", y, id)
}

// ErrNotFound is returned when a case or minutes file does not exist.
var ErrNotFound = errors.New("not found")
