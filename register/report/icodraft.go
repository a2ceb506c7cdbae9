package report

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/council/register/register"
)

// ErrNoPersonalData is returned for an ICO draft of a case without
// personal data: the ICO is told only of personal-data breaches.
var ErrNoPersonalData = errors.New("the case does not involve personal data (personal_data is not true), so there is nothing to report to the ICO")

// Gap is a field of the ICO's breach report the case cannot fill yet.
type Gap struct {
	Question string // the report's question
	Field    string // the case field to fill
}

func (g Gap) String() string { return g.Question + " — fill " + g.Field }

// ICODraft is the ICO breach report's fields filled from a case.
type ICODraft struct {
	Case    *register.Case
	Text    string // plain text ready to paste
	Missing []Gap
}

// NewICODraft fills the ICO's personal data breach report (UK GDPR
// Art. 33(3), Art. 34) from a case, and lists what is still missing.
// now decides whether the report will be late.
func NewICODraft(r *register.Register, c *register.Case, now time.Time) (*ICODraft, error) {
	if !c.PersonalData {
		return nil, ErrNoPersonalData
	}
	loc := r.Settings.Location()
	d := &ICODraft{Case: c}
	var b bytes.Buffer
	missing := func(q, field string) string {
		d.Missing = append(d.Missing, Gap{q, field})
		return "[MISSING: " + field + "]"
	}
	field := func(q, v, f string) {
		if v == "" {
			v = missing(q, f)
		}
		fmt.Fprintf(&b, "%s\n%s\n\n", q, v)
	}
	br := c.Breach
	if br == nil {
		br = &register.Breach{}
	}
	ico := c.ICO
	if ico == nil {
		ico = &register.ICO{}
	}

	fmt.Fprintf(&b, "ICO personal data breach report: draft from case %s\n", c.ID)
	fmt.Fprintf(&b, "Prepared %s. Check every answer before sending.\n\n", now.In(loc).Format(time.RFC3339))

	kind := "Initial report"
	if ico.NotifiedAt != nil {
		kind = "Follow-up report to the report made " + ico.NotifiedAt.In(loc).Format(time.RFC3339)
		if ico.Reference == "" {
			kind += ", ICO reference " + missing("ICO reference of the initial report", "ico.reference")
		} else {
			kind += ", ICO reference " + ico.Reference
		}
	}
	field("Is this an initial or a follow-up report?", kind, "")
	field("Organisation", r.Settings.Organisation, "organisation in register.yaml")
	field("What has happened?", whatHappened(c), "the case's narrative (the body of case.md)")
	occurred := ""
	if br.OccurredAt != nil {
		occurred = br.OccurredAt.In(loc).Format(time.RFC3339)
	}
	field("When did the breach happen?", occurred, "breach.occurred_at")
	field("When did you discover the breach?", c.ReportedAt.In(loc).Format(time.RFC3339), "reported_at")
	field("What categories of personal data are involved?", strings.Join(br.DataCategories, ", "), "breach.data_categories")
	special := "No"
	if br.SpecialCategory {
		special = "Yes"
	}
	if !c.Has("breach.special_category") {
		special = ""
	}
	field("Does it involve special category or criminal offence data?", special, "breach.special_category")
	field("Approximately how many people are affected?", count(c, "breach.people_affected", br.PeopleAffected), "breach.people_affected")
	field("Approximately how many personal data records are involved?", count(c, "breach.records_affected", br.RecordsAffected), "breach.records_affected")
	field("What are the likely consequences for the people affected?", br.Consequences, "breach.consequences")
	measures := br.Measures
	if measures != "" && c.Resolution != "" {
		measures += "\n" + c.Resolution
	}
	field("What measures have you taken or propose to take?", measures, "breach.measures")
	told := ""
	switch br.SubjectsTold {
	case "yes":
		told = "Yes"
	case "pending":
		told = "Not yet: we intend to tell them"
	case "no":
		told = "No"
		if br.SubjectsReason == "" {
			told += ". Reason: " + missing("Why have you not told the people affected?", "breach.subjects_reason")
		} else {
			told += ". Reason: " + br.SubjectsReason
		}
	}
	field("Have you told the people affected?", told, "breach.subjects_told")
	due := c.ReportedAt.Add(time.Duration(r.Settings.Deadlines.ICOHours) * time.Hour)
	sent := now
	if ico.NotifiedAt != nil {
		sent = ico.NotifiedAt.Time
	}
	if sent.After(due) {
		field(fmt.Sprintf("Why are you reporting more than %d hours after discovery?", r.Settings.Deadlines.ICOHours),
			ico.LateReason, "ico.late_reason")
	}
	contact := ""
	if p := r.People.ByID(ico.DecidedBy); p != nil {
		contact = fmt.Sprintf("%s <%s>, Data Protection Officer", p.Name, p.Email)
	}
	field("Who should the ICO contact? (the DPO who decided to notify)", contact, "ico.decided_by")

	if len(d.Missing) == 0 {
		b.WriteString("Nothing is missing.\n")
	} else {
		fmt.Fprintf(&b, "Still missing (%d):\n", len(d.Missing))
		for _, g := range d.Missing {
			fmt.Fprintf(&b, "- %s\n", g)
		}
	}
	d.Text = b.String()
	return d, nil
}

func whatHappened(c *register.Case) string {
	body := strings.TrimSpace(string(c.Body()))
	if body == "" {
		return ""
	}
	return c.Title + "\n\n" + body
}

func count(c *register.Case, field string, n int) string {
	if !c.Has(field) {
		return ""
	}
	return "About " + strconv.Itoa(n)
}
