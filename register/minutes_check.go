package register

import (
	"fmt"
	"slices"
)

// checkMinutesReview adds ITPARG's rules to the minutes checks: the
// people the minutes name exist, actions are coherent, and every case
// the minutes review agrees with them (§7.8–7.10).
func (r *Register) checkMinutesReview(m *Minutes) Findings {
	var out Findings
	add := func(field, rule, format string, args ...any) {
		out = append(out, Finding{Path: m.Path, Line: m.Line(field), Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	// With no people (people.yaml missing or unreadable, which is
	// reported already) every name would be unknown: say nothing more.
	knownPeople := len(r.People.People) > 0
	for _, f := range []struct{ field, id string }{{"chair", m.Chair}, {"secretary", m.Secretary}} {
		if knownPeople && f.id != "" && r.People.ByID(f.id) == nil {
			add(f.field, "reference", "%s %q is not a person in people.yaml", f.field, f.id)
		}
	}
	for i, a := range m.Actions {
		p := fmt.Sprintf("actions[%d]", i)
		if knownPeople && a.Owner != "" && r.People.ByID(a.Owner) == nil {
			add(p+".owner", "reference", "action %s: owner %q is not a person in people.yaml", a.ID, a.Owner)
		}
		if a.Done != nil && a.Status != "done" {
			add(p+".done", "§7.9", "action %s has a done date but status %s", a.ID, a.Status)
		}
	}
	for _, rv := range m.Cases {
		c := r.cases[rv.ID]
		if c == nil || c.Review == nil || c.Review.Minutes != m.ID {
			continue // a later meeting may have reviewed it again
		}
		reclassified := rv.ReclassifiedFrom != "" || rv.ReclassifiedTo != ""
		if c.Review.ReclassifiedFrom != "" && !reclassified {
			out = append(out, Finding{Path: c.Path, Line: c.Line("review.reclassified_from"), Rule: "§7.10",
				Message: fmt.Sprintf("review.reclassified_from %q is recorded under minutes %s, which do not reclassify this case", c.Review.ReclassifiedFrom, m.ID)})
		}
		s, _ := r.Workflow.State(c.Status)
		if slices.Contains(s.Requires, "review-minutes") && (rv.Decision == "deferred" || rv.Decision == "reopened") {
			out = append(out, Finding{Path: c.Path, Line: c.Line("review.minutes"), Rule: "§7.8",
				Message: fmt.Sprintf("status %s, but minutes %s record the decision %s for this case", c.Status, m.ID, rv.Decision)})
		}
	}
	return out
}
