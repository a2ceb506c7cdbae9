package review

import (
	"cmp"
	"slices"
	"time"

	"github.com/council/register/register"
)

// Item is one action of one minutes, with where it comes from.
type Item struct {
	Minutes string // the minutes id, e.g. 2026-11-05
	register.Action
	// Overdue is set when the action is open and due before today.
	Overdue bool
}

// State returns open, overdue, done or dropped.
func (i Item) State() string {
	if i.Overdue {
		return "overdue"
	}
	return string(i.Status)
}

// Filter selects actions. The zero Filter selects all of them.
type Filter struct {
	// Owner keeps only actions of that person id.
	Owner string
	// Overdue keeps only overdue actions.
	Overdue bool
	// Open keeps only open actions (overdue ones included).
	Open bool
	// Minutes, when set, keeps only actions of minutes it accepts (an
	// audience's view of the site).
	Minutes func(*register.Minutes) bool
}

// Today returns the calendar day of now in the register's time zone, as
// midnight UTC so it compares with register.Date values.
func Today(r *register.Register, now time.Time) time.Time {
	y, m, d := now.In(r.Settings.Location()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Actions returns every action of every minutes that f selects, as of
// the day today (see Today), sorted by owner, due date, minutes and id.
func Actions(r *register.Register, today time.Time, f Filter) []Item {
	var out []Item
	for _, m := range r.Minutes {
		if f.Minutes != nil && !f.Minutes(m) {
			continue
		}
		for _, a := range m.Actions {
			it := Item{Minutes: m.ID, Action: a}
			it.Overdue = a.Status == "open" && !a.Due.IsZero() && a.Due.Before(today)
			switch {
			case f.Owner != "" && a.Owner != f.Owner,
				f.Overdue && !it.Overdue,
				f.Open && a.Status != "open":
				continue
			}
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b Item) int {
		return cmp.Or(cmp.Compare(a.Owner, b.Owner), a.Due.Compare(b.Due.Time),
			cmp.Compare(a.Minutes, b.Minutes), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// Group is the actions of one owner.
type Group struct {
	Owner string
	// Name is the owner's name from people.yaml, or "" if unknown.
	Name  string
	Items []Item
}

// ByOwner groups sorted items by owner, in owner order.
func ByOwner(r *register.Register, items []Item) []Group {
	var out []Group
	for _, it := range items {
		if len(out) == 0 || out[len(out)-1].Owner != it.Owner {
			g := Group{Owner: it.Owner}
			if p := r.People.ByID(it.Owner); p != nil {
				g.Name = p.Name
			}
			out = append(out, g)
		}
		out[len(out)-1].Items = append(out[len(out)-1].Items, it)
	}
	return out
}
