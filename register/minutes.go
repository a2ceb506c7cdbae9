package register

import (
	"fmt"
	"io"
	"regexp"
)

// Minutes are the minutes of an ITPARG meeting: who met, which cases they
// reviewed and decided what about, and the actions they set (§7.8–7.10).
// Their file is minutes/YYYY/YYYY-MM-DD.md; the stem is the minutes' id.
type Minutes struct {
	ID           string     `yaml:"-"`
	Date         Date       `yaml:"date"`
	Title        string     `yaml:"title"`
	Chair        string     `yaml:"chair"`
	Secretary    string     `yaml:"secretary"`
	Attendees    []string   `yaml:"attendees"`
	Apologies    []string   `yaml:"apologies"`
	Cases        []Reviewed `yaml:"cases"`
	Actions      []Action   `yaml:"actions"`
	RegisterHead string     `yaml:"register_head"`
	Audiences    []string   `yaml:"audiences"`

	// Path is the file's slash path in the register, set by Load.
	Path string `yaml:"-"`

	doc *document
}

// Reviewed is ITPARG's decision about one case at a meeting.
type Reviewed struct {
	ID               string         `yaml:"id"`
	Decision         ReviewDecision `yaml:"decision"`
	ReclassifiedFrom Category       `yaml:"reclassified_from"`
	ReclassifiedTo   Category       `yaml:"reclassified_to"`
	Lessons          []string       `yaml:"lessons"`
	Note             string         `yaml:"note"`
}

// Action is something ITPARG asked someone to do (§7.9).
type Action struct {
	ID     string       `yaml:"id"`
	Action string       `yaml:"action"`
	Owner  string       `yaml:"owner"`
	Due    Date         `yaml:"due"`
	Status ActionStatus `yaml:"status"`
	Case   string       `yaml:"case"`
	Done   *Date        `yaml:"done"`
}

// ParseMinutes reads a minutes file. Problems are returned as Findings
// with lines but no path.
func ParseMinutes(r io.Reader) (*Minutes, error) {
	m := new(Minutes)
	doc, fs := parseDocument(r, m)
	if fs != nil {
		return nil, fs
	}
	m.doc = doc
	return m, nil
}

// parseMinutes is ParseMinutes on a file already in memory.
func parseMinutes(data []byte) (*Minutes, Findings) {
	m := new(Minutes)
	doc, fs := parseDocumentBytes(data, m)
	if fs != nil {
		return nil, fs
	}
	m.doc = doc
	return m, nil
}

// Body returns the Markdown after the front matter.
func (m *Minutes) Body() []byte {
	if m.doc == nil {
		return nil
	}
	return m.doc.Body
}

// BodyLine returns the line the body starts on.
func (m *Minutes) BodyLine() int {
	if m.doc == nil {
		return 1
	}
	return m.doc.BodyLine
}

// Line returns the line of a field path, or of its nearest parent.
func (m *Minutes) Line(field string) int {
	if m.doc == nil {
		return 1
	}
	return m.doc.Line(field)
}

// Lists reports whether the minutes record a review of the case.
func (m *Minutes) Lists(id string) (Reviewed, bool) {
	for _, r := range m.Cases {
		if r.ID == id {
			return r, true
		}
	}
	return Reviewed{}, false
}

var minutesID = regexp.MustCompile(`^(\d{4})-\d{2}-\d{2}(-[a-z0-9]+)?$`)

// MinutesPath returns the slash path of a minutes file for its id
// (2026-11-05, or 2026-11-05-extra for a second meeting that day).
func MinutesPath(id string) string {
	if !minutesID.MatchString(id) {
		return ""
	}
	return fmt.Sprintf("minutes/%s/%s.md", id[:4], id)
}
