package review

import (
	"slices"
	"time"

	"github.com/council/register/register"
)

// Agenda is what an ITPARG meeting has to look at (see the package
// documentation for how each list is drawn).
type Agenda struct {
	// Date is the meeting's day.
	Date time.Time
	// Previous is the id of the latest minutes before Date, or "".
	Previous string
	// Awaiting are the cases awaiting review (§7.8).
	Awaiting []*register.Case
	// NotReported are incidents not yet reported to ITPARG (§6.2).
	NotReported []*register.Case
	// Unknown are open cases whose category is still unknown (§7.10).
	Unknown []*register.Case
	// Notes are updates investigators addressed to ITPARG since the
	// previous minutes.
	Notes []Note
	// Overdue are open actions of earlier minutes due before Date (§7.9).
	Overdue []Item
}

// Note is an update addressed to ITPARG.
type Note struct {
	Case *register.Case
	register.Update
}

// ToITPARG is the updates[].to value of an update addressed to ITPARG.
const ToITPARG = "itparg"

// AwaitingReview reports whether a case is in a state from which a
// transition leads into a state, or through a step, that requires
// review-minutes: in the built-in workflow, resolved.
func AwaitingReview(w *register.Workflow, c *register.Case) bool {
	if s, ok := w.State(c.Status); !ok || slices.Contains(s.Requires, "review-minutes") {
		return false
	}
	for _, t := range w.Next(c.Status) {
		to, _ := w.State(t.To)
		if slices.Contains(t.Requires, "review-minutes") || slices.Contains(to.Requires, "review-minutes") {
			return true
		}
	}
	return false
}

// NewAgenda draws up the agenda of a meeting on day date (midnight UTC,
// like a register.Date) from the register's working tree.
func NewAgenda(r *register.Register, date time.Time) *Agenda {
	a := &Agenda{Date: date}
	var since time.Time
	for _, m := range r.Minutes {
		if m.Date.Before(date) {
			a.Previous = m.ID
			since = m.Date.Time
		}
	}
	for _, c := range r.Cases {
		s, _ := r.Workflow.State(c.Status)
		if AwaitingReview(r.Workflow, c) {
			a.Awaiting = append(a.Awaiting, c)
		}
		if c.Category == "incident" && !notifiedITPARG(c) {
			a.NotReported = append(a.NotReported, c)
		}
		if c.Category == "unknown" && s.Open {
			a.Unknown = append(a.Unknown, c)
		}
		for _, u := range c.Updates {
			if u.To == ToITPARG && !u.At.Before(since) {
				a.Notes = append(a.Notes, Note{Case: c, Update: u})
			}
		}
	}
	for _, it := range Actions(r, date, Filter{Overdue: true}) {
		if it.Minutes < date.Format(register.DateLayout) {
			a.Overdue = append(a.Overdue, it)
		}
	}
	return a
}

func notifiedITPARG(c *register.Case) bool {
	t, ok := c.Notified["itparg"]
	return ok && !t.IsZero()
}
