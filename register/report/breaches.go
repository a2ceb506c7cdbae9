package report

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/council/register/register"
)

// Breaches returns the record of personal-data breaches that UK GDPR
// Art. 33(5) requires: every case with personal data, notified to the
// ICO or not, in id order. visible, when set, keeps only the cases an
// audience may see.
func Breaches(r *register.Register, visible func(*register.Case) bool) []*register.Case {
	var out []*register.Case
	for _, c := range r.Cases {
		if c.PersonalData && (visible == nil || visible(c)) {
			out = append(out, c)
		}
	}
	return out
}

// BreachRow is one case of the breach record, as text: the facts, the
// effects and the remedial action, and the ICO decision.
type BreachRow struct {
	ID, Title, Status, Occurred, Aware, Types string
	DataCategories, SpecialCategory           string
	PeopleAffected, RecordsAffected           string
	Consequences                              string // effects
	Measures, Resolution                      string // remedial action
	SubjectsTold, SubjectsReason              string
	ICODecision, DecidedBy, DecidedAt         string
	NotifiedAt, Reference, Reason, LateReason string
}

// BreachColumns are the CSV headings, in BreachRow's order.
var BreachColumns = []string{"id", "title", "status", "occurred (breach.occurred_at)", "aware (reported_at)", "types",
	"data categories", "special category", "people affected", "records affected",
	"consequences", "measures", "resolution", "subjects told", "subjects reason",
	"ico decision", "decided by", "decided at", "notified at", "ico reference", "reason not notified", "late reason"}

// Row returns the breach record's row for a case, times in loc.
func Row(c *register.Case, loc *time.Location) BreachRow {
	ts := func(t *register.Time) string {
		if t == nil || t.IsZero() {
			return ""
		}
		return t.In(loc).Format(time.RFC3339)
	}
	row := BreachRow{ID: c.ID, Title: c.Title, Status: c.Status, Aware: ts(&c.ReportedAt),
		Resolution: c.Resolution, ICODecision: "pending"}
	var types []string
	for _, t := range c.Types {
		types = append(types, string(t))
	}
	row.Types = strings.Join(types, "; ")
	if b := c.Breach; b != nil {
		row.Occurred = ts(b.OccurredAt)
		row.DataCategories = strings.Join(b.DataCategories, "; ")
		if c.Has("breach.special_category") {
			row.SpecialCategory = yesNo(b.SpecialCategory)
		}
		if c.Has("breach.people_affected") {
			row.PeopleAffected = strconv.Itoa(b.PeopleAffected)
		}
		if c.Has("breach.records_affected") {
			row.RecordsAffected = strconv.Itoa(b.RecordsAffected)
		}
		row.Consequences, row.Measures = b.Consequences, b.Measures
		row.SubjectsTold, row.SubjectsReason = string(b.SubjectsTold), b.SubjectsReason
	}
	if i := c.ICO; i != nil {
		if i.Decision != "" {
			row.ICODecision = string(i.Decision)
		}
		row.DecidedBy, row.DecidedAt, row.NotifiedAt = i.DecidedBy, ts(i.DecidedAt), ts(i.NotifiedAt)
		row.Reference, row.Reason, row.LateReason = i.Reference, i.Reason, i.LateReason
	}
	return row
}

func (b BreachRow) cells() []string {
	return []string{b.ID, b.Title, b.Status, b.Occurred, b.Aware, b.Types, b.DataCategories, b.SpecialCategory,
		b.PeopleAffected, b.RecordsAffected, b.Consequences, b.Measures, b.Resolution, b.SubjectsTold,
		b.SubjectsReason, b.ICODecision, b.DecidedBy, b.DecidedAt, b.NotifiedAt, b.Reference, b.Reason, b.LateReason}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// BreachesCSV writes the breach record as CSV (RFC 4180, cells
// neutralised).
func BreachesCSV(w io.Writer, cases []*register.Case, loc *time.Location) error {
	rows := make([][]byte, len(cases))
	for i, c := range cases {
		var err error
		if rows[i], err = BreachCSVRecord(c, loc); err != nil {
			return err
		}
	}
	return CSVOf(w, BreachColumns, slices.Values(rows))
}

// BreachCSVRecord returns the case's record of the breach record's CSV
// (columns BreachColumns), so a site can keep it between builds and
// write the CSV from the records with CSVOf.
func BreachCSVRecord(c *register.Case, loc *time.Location) ([]byte, error) {
	return CSVRecord(Row(c, loc).cells())
}

// BreachesMarkdown writes the breach record as Markdown: a section per
// case with the facts, the effects and the remedial action.
func BreachesMarkdown(w io.Writer, cases []*register.Case, loc *time.Location) error {
	b := bufio.NewWriter(w)
	b.WriteString("# Record of personal-data breaches (UK GDPR Art. 33(5))\n\n")
	fmt.Fprintf(b, "Every case involving personal data, notified to the ICO or not: %d.\n", len(cases))
	for _, c := range cases {
		row := Row(c, loc)
		fmt.Fprintf(b, "\n## %s: %s\n\n", row.ID, mdCell(row.Title))
		cells := row.cells()
		for i, col := range BreachColumns[2:] {
			v := cells[i+2]
			if v == "" {
				v = "–"
			}
			fmt.Fprintf(b, "- %s: %s\n", col, mdCell(v))
		}
	}
	return b.Flush()
}
