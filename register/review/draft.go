package review

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"github.com/council/register/register"
)

// Draft is what the minutes of a meeting start from.
type Draft struct {
	Agenda    *Agenda
	Chair     string   // a person id
	Secretary string   // a person id, or ""
	Attendees []string // person ids
	// Head is the commit the group is looking at (register_head).
	Head string
}

// Minutes returns the text of the draft minutes file: front matter with
// one entry per case awaiting review, decision deferred until the group
// decides, and a Markdown body with the agenda. The draft is valid as it
// stands, so it can be committed before the meeting.
func (d *Draft) Minutes(r *register.Register) []byte {
	a := d.Agenda
	var b bytes.Buffer
	day := a.Date.Format(register.DateLayout)
	long := a.Date.Format("2 January 2006")
	fmt.Fprintf(&b, "---\ndate: %s\ntitle: ITPARG meeting, %s\nchair: %s\n", day, long, d.Chair)
	if d.Secretary != "" {
		fmt.Fprintf(&b, "secretary: %s\n", d.Secretary)
	}
	b.WriteString("attendees: [" + strings.Join(d.Attendees, ", ") + "]\napologies: []\n")
	if len(a.Awaiting) == 0 {
		b.WriteString("cases: []\n")
	} else {
		b.WriteString("# One entry per case reviewed (§7.8). decision: accepted, reclassified,\n" +
			"# reopened or deferred. To reclassify (§7.10) add reclassified_from and\n" +
			"# reclassified_to, and record the same in the case file (category, and\n" +
			"# review.reclassified_from). Record lessons learned under lessons (§7.9).\n" +
			"cases:\n")
		for _, c := range a.Awaiting {
			fmt.Fprintf(&b, "  - id: %s # %s\n    decision: deferred\n", c.ID, comment(c.Title))
			if c.Category == "unknown" {
				b.WriteString("    # category unknown: reclassify it before the case can be reviewed\n" +
					"    # reclassified_from: unknown\n    # reclassified_to: event, weakness or incident\n")
			}
			b.WriteString("    lessons: []\n")
		}
	}
	b.WriteString("# actions: - id: A1, action, owner (a person id), due (a date), status\n" +
		"# (open, done or dropped), and case when it arises from one (§7.9).\nactions: []\n")
	fmt.Fprintf(&b, "register_head: %s\n---\n", d.Head)

	fmt.Fprintf(&b, "\n# ITPARG meeting, %s\n\n", long)
	fmt.Fprintf(&b, "The group reviewed the register as of commit `%s`.\n\n", d.Head)
	b.WriteString("## Agenda\n\n")
	prev := "none"
	if a.Previous != "" {
		prev = a.Previous
	}
	fmt.Fprintf(&b, "1. Apologies, and the minutes of the last meeting (%s)\n", prev)
	b.WriteString("2. Cases awaiting review (§7.8)\n3. Incidents not yet reported to ITPARG (§6.2)\n" +
		"4. Reclassification proposals (§7.10)\n5. Overdue actions (§7.9)\n6. Any other business\n")

	section(&b, "Cases awaiting review", len(a.Awaiting), func() {
		for _, c := range a.Awaiting {
			fmt.Fprintf(&b, "- %s: %s (%s", c.ID, markdownText(c.Title), orNone(string(c.Category)))
			if c.PersonalData {
				b.WriteString(", personal data")
			}
			b.WriteString(")\n")
		}
	})
	section(&b, "Incidents not yet reported to ITPARG", len(a.NotReported), func() {
		for _, c := range a.NotReported {
			fmt.Fprintf(&b, "- %s: %s (status %s; record notified.itparg once presented)\n", c.ID, markdownText(c.Title), c.Status)
		}
	})
	section(&b, "Reclassification proposals", len(a.Unknown)+len(a.Notes), func() {
		for _, c := range a.Unknown {
			fmt.Fprintf(&b, "- %s: %s (category unknown, status %s)\n", c.ID, markdownText(c.Title), c.Status)
		}
		for _, n := range a.Notes {
			fmt.Fprintf(&b, "- %s: update to ITPARG from %s on %s: %s\n", n.Case.ID, n.By,
				n.At.In(r.Settings.Location()).Format(register.DateLayout), markdownText(n.Note))
		}
	})
	section(&b, "Overdue actions", len(a.Overdue), func() {
		for _, it := range a.Overdue {
			fmt.Fprintf(&b, "- %s %s (owner %s, due %s", it.Minutes, it.ID, it.Owner, it.Due)
			if it.Case != "" {
				fmt.Fprintf(&b, ", case %s", it.Case)
			}
			fmt.Fprintf(&b, "): %s\n", markdownText(it.Action.Action))
		}
	})
	b.WriteString("\n## Any other business\n")
	return b.Bytes()
}

func section(b *bytes.Buffer, title string, n int, list func()) {
	fmt.Fprintf(b, "\n## %s\n\n", title)
	if n == 0 {
		b.WriteString("None.\n")
		return
	}
	list()
}

func orNone(s string) string {
	if s == "" {
		return "not yet categorised"
	}
	return s
}

// comment makes text safe for a one-line YAML comment.
func comment(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// markdownText makes text safe for the middle of a line of Markdown: no
// line breaks, and the characters of inline markup escaped.
func markdownText(s string) string {
	var b strings.Builder
	for _, r := range comment(s) {
		if strings.ContainsRune("\\`*_[]<>|~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
