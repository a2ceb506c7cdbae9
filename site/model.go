package site

import (
	"crypto/sha256"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/council/register/register"
)

// dutyNames names whom each notification duty tells.
var dutyNames = map[string]string{
	"service_desk":   "Service desk",
	"img":            "IMG (Information Management Group)",
	"internal_audit": "Internal Audit",
	"itparg":         "ITPARG",
	"service_owner":  "Service owner",
	"simo":           "SIMO",
}

// dutySections gives the policy section of each notification duty.
var dutySections = map[string]string{
	"service_desk":   "§5.2",
	"img":            "§7.21",
	"internal_audit": "§7.17",
	"itparg":         "§7.8",
	"service_owner":  "§7.16",
	"simo":           "§7.19",
}

// clock is the ICO 72-hour clock of a personal-data case (UK GDPR
// Art. 33(1)).
type clock struct {
	Applies  bool
	Limit    int // hours from awareness
	Deadline time.Time
	// State is "notified", "late", "not-notified", "running" or
	// "overdue".
	State    string
	Left     time.Duration // for running clocks
	Decision string
	Notified time.Time
	Reason   string
}

// Running reports whether the clock still ticks: the page then depends
// on the build's clock.
func (c clock) Running() bool { return c.State == "running" || c.State == "overdue" }

// Hours is the time left or over in whole hours.
func (c clock) Hours() int {
	h := int(c.Left.Hours())
	if h < 0 {
		return -h
	}
	return h
}

// Span is the time left or over in plain English: "1 day 4 hours".
func (c clock) Span() string { return span(c.Hours()) }

// span says a number of hours in whole days and hours, as a reader
// would: "3 days", "5 hours", "1 day 4 hours", or "less than an hour".
// The sign is ignored: the caller says whether it is left or over.
func span(hours int) string {
	if hours < 0 {
		hours = -hours
	}
	if hours == 0 {
		return "less than an hour"
	}
	var parts []string
	if d := hours / 24; d > 0 {
		parts = append(parts, plural(d, "day"))
	}
	if h := hours % 24; h > 0 {
		parts = append(parts, plural(h, "hour"))
	}
	return strings.Join(parts, " ")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

func (t *tree) clock(c *Case, now time.Time) clock {
	if !c.PersonalData {
		return clock{}
	}
	k := clock{Applies: true, Limit: t.Settings.Deadlines.ICOHours, Deadline: c.ReportedAt.Add(time.Duration(t.Settings.Deadlines.ICOHours) * time.Hour)}
	if c.ICO != nil {
		k.Decision = string(c.ICO.Decision)
		k.Reason = c.ICO.Reason
		if c.ICO.NotifiedAt != nil {
			k.Notified = c.ICO.NotifiedAt.Time
			k.State = "notified"
			if k.Notified.After(k.Deadline) {
				k.State = "late"
				k.Reason = c.ICO.LateReason
			}
			return k
		}
		if c.ICO.Decision == "no-notify" {
			k.State = "not-notified"
			return k
		}
	}
	if !t.open(c.Status) {
		k.State = "not-notified"
		return k
	}
	k.Left = k.Deadline.Sub(now)
	k.State = "running"
	if k.Left < 0 {
		k.State = "overdue"
	}
	return k
}

// open reports whether a case in the state is work in progress.
func (t *tree) open(status string) bool {
	s, ok := t.Workflow.State(status)
	return ok && s.Open
}

// personName gives a person's name for an id, or the text as written.
func (t *tree) personName(id string) string {
	if p := t.People.ByID(id); p != nil {
		return p.Name
	}
	return id
}

// updated is when the case last changed by its history, or failing that
// as far as its file tells.
func (b *builder) updated(c *Case) time.Time {
	if h := b.hist[c.n]; h.sum != "" {
		if h.last.After(c.ReportedAt.Time) {
			return h.last
		}
		return c.ReportedAt.Time
	}
	return c.updated
}

// linkedMinutes are the minutes that review the case or that the case
// names.
func (t *tree) linkedMinutes(c *Case) []*Minutes {
	t.linkOnce.Do(t.linkMinutes)
	out := t.links[t.linkAt[c.n]:t.linkAt[c.n+1]:t.linkAt[c.n+1]]
	if c.Review != nil && c.Review.Minutes != "" {
		if m := t.minutes[c.Review.Minutes]; m != nil && !slices.Contains(out, m) {
			out = append(slices.Clone(out), m)
			slices.SortFunc(out, func(a, b *Minutes) int { return strings.Compare(a.ID, b.ID) })
		}
	}
	return out
}

// linkMinutes lists the minutes that review each case: those of case n,
// in the minutes' order, are links[linkAt[n]:linkAt[n+1]].
func (t *tree) linkMinutes() {
	type link struct {
		n int
		m *Minutes
	}
	var pairs []link
	t.linkAt = make([]int, len(t.Cases)+1)
	last := make([]*Minutes, len(t.Cases))
	for _, m := range t.Minutes {
		for _, r := range m.Cases {
			c := t.cases[r.ID]
			if c == nil || last[c.n] == m {
				continue // a case the register does not have, or reviewed twice at one meeting
			}
			last[c.n] = m
			pairs = append(pairs, link{c.n, m})
			t.linkAt[c.n+1]++
		}
	}
	for n := range t.Cases {
		t.linkAt[n+1] += t.linkAt[n]
	}
	t.links = make([]*Minutes, len(pairs))
	next := slices.Clone(t.linkAt)
	for _, p := range pairs {
		t.links[next[p.n]] = p.m
		next[p.n]++
	}
}

// audience is one audience's view of the register: what it may see.
type audience struct {
	register.Audience
	cases   []*Case
	minutes []*Minutes
	t       *tree
	// seen and seenMinutes say, by Case.n and Minutes.n, what the
	// audience may see.
	seen, seenMinutes []bool
	breach            bool // may see breach details
	// sight names what the audience sees in this build (a hash of a mark
	// for each case and minutes): audiences with the same sight are shown
	// the same cases and minutes, and share work through View.Shared.
	sight string
}

// sees reports whether the audience may see the case (by id) or the
// minutes ("minutes/" + id).
func (a *audience) sees(id string) bool {
	if mid, ok := strings.CutPrefix(id, "minutes/"); ok {
		m := a.t.minutes[mid]
		return m != nil && a.seenMinutes[m.n]
	}
	c := a.t.cases[id]
	return c != nil && a.seen[c.n]
}

func (t *tree) audience(a register.Audience) *audience {
	v := &audience{Audience: a, t: t, seen: make([]bool, len(t.Cases)), seenMinutes: make([]bool, len(t.Minutes))}
	// Within a build, which cases and minutes an audience sees is a mark
	// for each, in order.
	marks := make([]byte, 0, len(t.Cases)+1+len(t.Minutes))
	for _, c := range t.Cases {
		v.seen[c.n] = t.Settings.Sees(a, c.Audiences, c.PersonalData)
		if v.seen[c.n] {
			v.cases = append(v.cases, c)
		}
		marks = append(marks, mark(v.seen[c.n]))
	}
	marks = append(marks, '\n')
	for _, m := range t.Minutes {
		v.seenMinutes[m.n] = t.Settings.Sees(a, m.Audiences, false)
		if v.seenMinutes[m.n] {
			v.minutes = append(v.minutes, m)
		}
		marks = append(marks, mark(v.seenMinutes[m.n]))
	}
	sight := sha256.Sum256(marks)
	v.sight = string(sight[:])
	for _, r := range a.Roles {
		if slices.Contains(t.Settings.Visibility.PersonalData, r) {
			v.breach = true
		}
	}
	return v
}

// caseText is the searchable text of a case: its fields and narrative.
func caseText(c *register.Case) string {
	var b strings.Builder
	for _, s := range []string{c.ID, c.Title, c.Status, string(c.Category), c.ReportedBy, c.Investigator, c.Resolution} {
		b.WriteString(s)
		b.WriteByte(' ')
	}
	for _, s := range c.Types {
		b.WriteString(string(s) + " ")
	}
	for _, s := range c.Impact {
		b.WriteString(string(s) + " ")
	}
	for _, s := range c.Lessons {
		b.WriteString(s + " ")
	}
	body := c.Body()
	if len(body) > 4000 {
		body = body[:4000]
	}
	b.Write(body)
	return strings.Join(strings.Fields(b.String()), " ")
}
