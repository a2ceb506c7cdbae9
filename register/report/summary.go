package report

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/council/register/register"
	"github.com/council/register/register/review"
)

// Timeline gives, from the Git history, when a case first entered each
// state, one Entry a state. ok is false for a case the history does not
// cover. The entries may be shared (the site works them out once for
// all audiences): read them, never change them.
type Timeline interface {
	Entered(id string) (entries []Entry, ok bool)
}

// Entry says when a case first entered a state.
type Entry struct {
	State string
	At    time.Time
}

// Enter records in entries that a case entered state at t, keeping the
// earliest time of each state.
func Enter(entries []Entry, state string, t time.Time) []Entry {
	for i, e := range entries {
		if e.State == state {
			if t.Before(e.At) {
				entries[i].At = t
			}
			return entries
		}
	}
	return append(entries, Entry{state, t})
}

// Options say what a summary covers.
type Options struct {
	// From and To are the first and last days of the period (their
	// dates are read as calendar days in the register's time zone).
	From, To time.Time
	// Now is when the report is made.
	Now time.Time
	// Timeline gives transition times; nil leaves times out.
	Timeline Timeline
	// Case and Minutes, when set, keep only what an audience may see.
	Case    func(*register.Case) bool
	Minutes func(*register.Minutes) bool
}

// Count is one bar of a chart: a label and a number.
type Count struct {
	Label string
	N     int
}

// Durations summarise how long something took.
type Durations struct {
	N        int           // cases measured
	Median   time.Duration // zero when N is 0
	P90      time.Duration
	Pending  int // cases of the period that have not got there yet
	NoRecord int // cases that got there but the history does not cover
}

// Deadline is one ICO notification decided as notify.
type Deadline struct {
	ID         string
	ReportedAt time.Time
	Due        time.Time
	NotifiedAt time.Time // zero when not yet notified
	Met        bool
	// Overdue is set when the case is not notified and the deadline
	// has passed.
	Overdue    bool
	LateReason string
}

// Summary is the Business IT summary report for ITPARG (§7.18).
type Summary struct {
	Name, Organisation string
	From, To           time.Time // first and last day (dates)
	Now                time.Time
	Location           *time.Location

	Cases      int // reported in the period
	ByCategory []Count
	ByType     []Count
	ByImpact   []Count
	ByMonth    []Count

	Triage, Resolve Durations
	Timeline        bool // a history was available

	ICOHours     int
	PersonalData int     // personal-data cases of the period
	ICODecisions []Count // pending, notify, no-notify
	Deadlines    []Deadline

	OpenCases   int
	OpenByAge   []Count
	OpenActions []review.Item
}

// AgeBands are the bands of open cases by age, in days since reported_at.
var AgeBands = []struct {
	Label    string
	Min, Max int
}{
	{"0–7 days", 0, 7}, {"8–30 days", 8, 30}, {"31–90 days", 31, 90}, {"over 90 days", 91, math.MaxInt},
}

// NotCategorised labels cases with no category yet.
const NotCategorised = "not yet categorised"

// Summarise computes the summary report. It reads only the register's
// exported fields (Settings, People, Workflow, Cases, Minutes), so a
// caller may pass a register holding just what an audience may see.
func Summarise(ctx context.Context, r *register.Register, o Options) (*Summary, error) {
	if o.To.Before(o.From) {
		return nil, fmt.Errorf("the period ends (%s) before it starts (%s)", o.To.Format(register.DateLayout), o.From.Format(register.DateLayout))
	}
	loc := r.Settings.Location()
	start := day(o.From, loc)
	end := day(o.To, loc).AddDate(0, 0, 1)
	s := &Summary{
		Name: r.Settings.Name, Organisation: r.Settings.Organisation,
		From: o.From, To: o.To, Now: o.Now, Location: loc,
		ICOHours: r.Settings.Deadlines.ICOHours, Timeline: o.Timeline != nil,
	}
	visible := func(c *register.Case) bool { return o.Case == nil || o.Case(c) }

	category := map[string]int{}
	types := map[string]int{}
	impact := map[string]int{}
	month := map[string]int{}
	decision := map[string]int{}
	age := make([]int, len(AgeBands))
	var triage, resolve []time.Duration
	for _, c := range r.Cases {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !visible(c) {
			continue
		}
		if st, ok := r.Workflow.State(c.Status); ok && st.Open {
			s.OpenCases++
			age[ageBand(o.Now.Sub(c.ReportedAt.Time))]++
		}
		at := c.ReportedAt.Time
		if at.Before(start) || !at.Before(end) {
			continue
		}
		s.Cases++
		if c.Category == "" {
			category[NotCategorised]++
		} else {
			category[string(c.Category)]++
		}
		for _, t := range unique(c.Types) {
			types[string(t)]++
		}
		for _, i := range unique(c.Impact) {
			impact[string(i)]++
		}
		month[at.In(loc).Format("2006-01")]++
		if c.PersonalData {
			s.PersonalData++
			d := "pending"
			if c.ICO != nil && c.ICO.Decision != "" {
				d = string(c.ICO.Decision)
			}
			decision[d]++
			if d == "notify" {
				s.Deadlines = append(s.Deadlines, deadline(c, s.ICOHours, o.Now))
			}
		}
		s.measure(r.Workflow, c, o.Timeline, &triage, &resolve)
	}
	for i, b := range AgeBands {
		s.OpenByAge = append(s.OpenByAge, Count{Label: b.Label, N: age[i]})
	}
	s.ByCategory = counts(register.Categories, category, NotCategorised)
	s.ByType = counts(register.Types, types, "")
	s.ByImpact = counts(register.Impacts, impact, "")
	for m := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, loc); m.Before(end); m = m.AddDate(0, 1, 0) {
		s.ByMonth = append(s.ByMonth, Count{Label: m.Format("2006-01"), N: month[m.Format("2006-01")]})
	}
	s.ICODecisions = counts(register.ICODecisions, decision, "")
	s.Triage.Median, s.Triage.P90 = Median(triage), P90(triage)
	s.Resolve.Median, s.Resolve.P90 = Median(resolve), P90(resolve)
	s.Triage.N, s.Resolve.N = len(triage), len(resolve)
	s.OpenActions = review.Actions(r, review.Today(r, o.Now), review.Filter{Open: true, Minutes: o.Minutes})
	// An action about a case the reader may not see is left out, so its
	// id and text do not leak.
	seen := make(map[string]bool, len(r.Cases))
	for _, c := range r.Cases {
		seen[c.ID] = visible(c)
	}
	s.OpenActions = slices.DeleteFunc(s.OpenActions, func(it review.Item) bool {
		return it.Case != "" && !seen[it.Case]
	})
	return s, nil
}

// measure adds the case's times to triage and to resolve.
func (s *Summary) measure(w *register.Workflow, c *register.Case, tl Timeline, triage, resolve *[]time.Duration) {
	initial := w.Initial()
	var entered []Entry
	ok := false
	if tl != nil {
		entered, ok = tl.Entered(c.ID)
	}
	var firstTriage, firstResolve time.Time
	for _, e := range entered {
		state, t := e.State, e.At
		if state != initial && (firstTriage.IsZero() || t.Before(firstTriage)) {
			firstTriage = t
		}
		if Resolved(w, state) && (firstResolve.IsZero() || t.Before(firstResolve)) {
			firstResolve = t
		}
	}
	add := func(reached bool, when time.Time, d *Durations, list *[]time.Duration) {
		switch {
		case !reached:
			d.Pending++
		case !ok || when.IsZero():
			d.NoRecord++
		default:
			*list = append(*list, max(when.Sub(c.ReportedAt.Time), 0))
		}
	}
	add(c.Status != initial, firstTriage, &s.Triage, triage)
	add(Resolved(w, c.Status), firstResolve, &s.Resolve, resolve)
}

// Until returns the first instant after o.Now at which the HTML report
// of the summary Summarise makes of r with o (ReportBody, HTML) may read
// differently with the passing of time alone: the next minute, as it
// says when it was prepared to the minute; the next midnight in the
// register's time zone, when the open actions fall due (and the period
// ends, for a caller whose To is today); an open case's next age band;
// an ICO deadline passing unnotified. Until then, the same register and
// options but a later Now give the same report, so a site can key the
// report's page by what it is made of and this instant rather than make
// it to compare. (The Markdown and CSV forms say the time to the second.)
func Until(r *register.Register, o Options) time.Time {
	loc := r.Settings.Location()
	now := o.Now.In(loc)
	// (Midnight is a minute too.)
	until := now.Truncate(time.Second).Add(time.Duration(60-now.Second()) * time.Second)
	hours := time.Duration(r.Settings.Deadlines.ICOHours) * time.Hour
	for _, c := range r.Cases {
		if o.Case != nil && !o.Case(c) {
			continue
		}
		if st, ok := r.Workflow.State(c.Status); ok && st.Open {
			if b := ageBand(o.Now.Sub(c.ReportedAt.Time)); b < len(AgeBands)-1 {
				until = earliest(until, c.ReportedAt.Add(time.Duration(AgeBands[b].Max+1)*24*time.Hour))
			}
		}
		if c.PersonalData && c.ICO != nil && c.ICO.Decision == "notify" && c.ICO.NotifiedAt == nil {
			if due := c.ReportedAt.Add(hours); !o.Now.After(due) {
				until = earliest(until, due.Add(time.Nanosecond))
			}
		}
	}
	return until
}

// earliest returns the earlier of two instants.
func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// Resolved reports whether a case in state has been resolved: the state
// requires a resolution (resolved, reviewed and closed in the built-in
// workflow).
func Resolved(w *register.Workflow, state string) bool {
	st, ok := w.State(state)
	return ok && slices.Contains(st.Requires, "resolution")
}

func deadline(c *register.Case, hours int, now time.Time) Deadline {
	d := Deadline{ID: c.ID, ReportedAt: c.ReportedAt.Time, Due: c.ReportedAt.Add(time.Duration(hours) * time.Hour)}
	if c.ICO.NotifiedAt != nil {
		d.NotifiedAt = c.ICO.NotifiedAt.Time
		d.Met = !d.NotifiedAt.After(d.Due)
	} else {
		d.Overdue = now.After(d.Due)
	}
	d.LateReason = c.ICO.LateReason
	return d
}

// ageBand returns the index in AgeBands of an age; a case reported in
// the future (a clock error) counts as new.
func ageBand(age time.Duration) int {
	days := int(age / (24 * time.Hour))
	for i, b := range AgeBands {
		if days <= b.Max {
			return i
		}
	}
	return len(AgeBands) - 1
}

// counts lists every label of a vocabulary in order, then extra if it
// was counted.
func counts(vocab []string, n map[string]int, extra string) []Count {
	out := make([]Count, 0, len(vocab)+1)
	for _, v := range vocab {
		out = append(out, Count{Label: v, N: n[v]})
	}
	if extra != "" && n[extra] > 0 {
		out = append(out, Count{Label: extra, N: n[extra]})
	}
	return out
}

func unique[T comparable](xs []T) []T {
	var out []T
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// day returns midnight of t's calendar date in loc.
func day(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// Median returns the median of ds: the middle value, or the mean of the
// two middle values; zero for none.
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// P90 returns the nearest-rank 90th percentile of ds: the
// ceil(0.9·n)-th smallest value; zero for none.
func P90(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := (9*len(s) + 9) / 10 // ceil(0.9 n)
	return s[rank-1]
}
