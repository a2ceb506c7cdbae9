package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"time"
)

// Stages of a case, in workflow order.
const (
	stReported = iota
	stTriaged
	stInvestigating
	stResolved
	stReviewed
	stClosed
)

var stageNames = []string{"reported", "triaged", "investigating", "resolved", "reviewed", "closed"}

// A plan is everything a case will ever hold, with the time of each of
// its steps; the case file at any step is rendered from it.
type plan struct {
	id, title   string
	k           *kind
	f           filler
	reportedAt  time.Time
	reportedBy  string
	reportedTo  []string
	lineManager string
	cat0, cat   string // at triage, and after ITPARG's review
	types       []string
	impact      []string
	pd, hard    bool
	service     bool
	major       bool

	creator, triager, investigator, closer *person

	// Step times; zero when the case never gets there.
	created, triaged, investigating, resolved, merged, closedEarly time.Time
	early                                                          bool // closed straight after triage
	viaPR                                                          bool // resolution goes through a pull request
	prNumber                                                       int
	stop                                                           int // the last stage the case may reach
	reviewMeeting, deferMeeting, closeMeeting                      int // meeting indexes, -1 for none

	notified map[string]time.Time
	ico      *icoPlan
	breach   *breachPlan
	changes  []string
	noChange string
	resolutn string
	lessons  []string
	updates  []updatePlan
	what     []string
	found    []string
	evidence []evidencePlan

	// cur is the stage on main while the history is written, -1 before
	// the case exists.
	cur int
}

type icoPlan struct {
	decision              string
	decidedAt, notifiedAt time.Time
	reference             string
	reason, lateReason    string
}

type breachPlan struct {
	occurred         time.Time // before the case was reported
	categories       []string
	special          bool
	people, records  int
	consequences     string
	measures         string
	told, toldReason string
}

type updatePlan struct {
	at       time.Time
	by       *person
	to, note string
	minStage int
}

// meeting is one ITPARG meeting and what its minutes record.
type meeting struct {
	at, minutesAt time.Time
	id            string
	attendees     []string
	apologies     []string
	reviewed      []reviewedPlan
	closes        []int // case indexes closed by the minutes commit
	actions       []actionPlan
	head          string // register head at the meeting, set while writing history
}

type reviewedPlan struct {
	c        int
	decision string
	note     string
}

type actionPlan struct {
	id, text, owner, caseID string
	due                     time.Time
	done, dropped           time.Time
}

// story is the whole synthetic history to be written.
type story struct {
	seed     uint64
	people   []*person
	cases    []*plan
	meetings []*meeting
	start    time.Time
	end      time.Time
}

const day = 24 * time.Hour

func between(r *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(r.Int64N(int64(hi-lo)))
}

// workHour moves t to a working hour of the same day, unless it is one.
func workHour(r *rand.Rand, t time.Time) time.Time {
	if h := t.Hour(); h >= 8 && h < 18 {
		return t
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 8, 0, 0, 0, time.UTC)
	return d.Add(between(r, 0, 9*time.Hour)).Truncate(time.Minute)
}

// weekday moves t forward to a Monday–Friday.
func weekday(t time.Time) time.Time {
	for t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		t = t.Add(day)
	}
	return t
}

// session returns the next triage session after t: 09:30 or 14:30 on a
// weekday. Sessions batch the triage of everything reported before them.
func session(t time.Time) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 9, 30, 0, 0, time.UTC)
	for {
		d = weekday(d)
		for _, h := range []time.Duration{0, 5 * time.Hour} {
			if s := d.Add(h); s.After(t) {
				return s
			}
		}
		d = time.Date(d.Year(), d.Month(), d.Day()+1, 9, 30, 0, 0, time.UTC)
	}
}

// housekeeping returns the next weekday 16:30 at least a day after t,
// when the duty analyst closes events that needed nothing more.
func housekeeping(t time.Time) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day()+1, 16, 30, 0, 0, time.UTC)
	return weekday(d)
}

// duty returns the person on duty at t among ps, by day.
func duty(ps []*person, t time.Time) *person {
	var active []*person
	for _, p := range ps {
		if p.activeAt(t) {
			active = append(active, p)
		}
	}
	return active[int(t.Unix()/86400)%len(active)]
}

func newStory(seed uint64, n int, now time.Time) (*story, error) {
	r := rand.New(rand.NewPCG(seed, 0x726567697374)) // "regist"
	end := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	start := time.Date(end.Year()-3, 1, 1, 0, 0, 0, 0, time.UTC)
	span := end.Sub(start)
	people, err := newPeople(seed, start.Add(-30*day), start.Add(span*6/10).Truncate(day))
	if err != nil {
		return nil, err
	}
	s := &story{seed: seed, people: people, start: start, end: end}
	analysts := withRole(people, "business-it")
	simos := withRole(people, "simo")

	// Meetings: monthly for small registers, about one per 40 cases for
	// large ones; the last a few days before the end.
	nm := 0
	if n > 0 {
		nm = max(n/40, min(int(span.Hours()/24/30.4), n/4), 1)
	}
	for i := range nm {
		at := start.Add(time.Duration(float64(span-5*day) * float64(i+1) / float64(nm)))
		at = weekday(time.Date(at.Year(), at.Month(), at.Day(), 14, 0, 0, 0, time.UTC))
		if len(s.meetings) > 0 && at.Sub(s.meetings[len(s.meetings)-1].at) < 3*day {
			continue
		}
		if at.After(end.Add(-3 * day)) {
			break
		}
		m := &meeting{at: at, minutesAt: weekday(at.Add(day)).Add(-4*time.Hour + between(r, 0, 5*time.Hour)).Truncate(time.Minute)}
		m.id = m.at.Format("2006-01-02")
		s.meetings = append(s.meetings, m)
	}
	meetingAfter := func(t time.Time) int {
		i := sort.Search(len(s.meetings), func(i int) bool { return s.meetings[i].at.After(t) })
		if i == len(s.meetings) {
			return -1
		}
		return i
	}

	// Report times, spread over the years; the last few cases are
	// recent and held at each open stage, so every state is present.
	times := make([]time.Time, n)
	for i := range times {
		times[i] = workHour(r, start.Add(between(r, 0, span-3*day)).Truncate(time.Minute))
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	stops := []int{stReported, stTriaged, stInvestigating, stResolved, stReviewed}
	back := []time.Duration{36 * time.Hour, 3 * day, 6 * day, 12 * day, 45 * day}
	forced := min(n, len(stops))
	for j := 0; j < forced; j++ {
		times[n-1-j] = end.Add(-back[j]).Add(-between(r, 0, 6*time.Hour)).Truncate(time.Minute)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })

	perYear := map[int]int{}
	pr := 0
	for i, at := range times {
		p := &plan{reportedAt: at, cur: -1, stop: stClosed, reviewMeeting: -1, deferMeeting: -1, closeMeeting: -1, notified: map[string]time.Time{}}
		if i < len(kinds) {
			p.k = &kinds[(i*5)%len(kinds)]
		} else {
			p.k = &kinds[r.IntN(len(kinds))]
		}
		if j := n - 1 - i; j < forced {
			p.stop = stops[j]
		} else if r.Float64() < 0.02 {
			p.stop = stInvestigating // a long-running investigation
		}
		planCase(r, s, p, analysts, simos)
		perYear[at.Year()]++
		p.id = fmt.Sprintf("INC-%04d-%04d", at.Year(), perYear[at.Year()])

		// Steps, each only if it happens before the end.
		p.created = at.Add(between(r, 10*time.Minute, 2*time.Hour)).Truncate(time.Minute)
		p.triaged = session(p.created.Add(10 * time.Minute))
		if p.pd || p.hard {
			p.triager = duty(simos, p.triaged)
		} else {
			p.triager = duty(analysts, p.triaged)
		}
		if p.stop == stInvestigating && i >= n-forced {
			p.cat0, p.cat = "unknown", "unknown"
		}
		// Investigators pick up their new cases at the next session.
		p.investigating = session(p.triaged.Add(between(r, time.Hour, 2*day)))
		p.resolved = p.investigating.Add(between(r, 4*time.Hour, 20*day)).Truncate(time.Minute)
		if i >= n-forced {
			p.investigating = session(p.triaged)
			p.resolved = p.investigating.Add(between(r, 4*time.Hour, 30*time.Hour)).Truncate(time.Minute)
		}
		if p.ico != nil {
			planICO(r, p)
			if p.resolved.Before(p.ico.latest().Add(time.Hour)) {
				p.resolved = p.ico.latest().Add(time.Hour).Truncate(time.Minute)
			}
		}
		p.early = p.cat0 == "event" && !p.pd && r.Float64() < p.k.early
		if p.early {
			p.closedEarly = housekeeping(p.triaged)
		}
		p.viaPR = r.Float64() < 0.35
		if p.viaPR {
			pr++
			p.prNumber = pr
			p.merged = p.resolved.Add(between(r, 15*time.Minute, 3*time.Hour)).Truncate(time.Minute)
		} else {
			p.merged = p.resolved
		}
		s.cases = append(s.cases, p)
	}
	sort.SliceStable(s.cases, func(i, j int) bool { return s.cases[i].created.Before(s.cases[j].created) })

	for ci, p := range s.cases {
		clip := func(t *time.Time, stage int) bool {
			if t.IsZero() || !t.Before(end) || stage > p.stop {
				*t = time.Time{}
				return false
			}
			return true
		}
		ok := clip(&p.created, stReported) && clip(&p.triaged, stTriaged)
		if p.early {
			clip(&p.closedEarly, stClosed)
			p.investigating, p.resolved, p.merged = time.Time{}, time.Time{}, time.Time{}
			continue
		}
		ok = ok && clip(&p.investigating, stInvestigating)
		ok = ok && clip(&p.resolved, stResolved)
		if ok && !clip(&p.merged, stResolved) {
			// The pull request would be merged after the end: the
			// investigator pushed straight to main instead.
			p.viaPR, p.merged = false, p.resolved
		}
		if !ok {
			if p.resolved.IsZero() {
				p.merged = time.Time{}
			}
			continue
		}
		if p.stop < stReviewed {
			continue
		}
		k := meetingAfter(p.merged.Add(day))
		if k >= 0 && r.Float64() < 0.05 && k+1 < len(s.meetings) {
			p.deferMeeting = k
			s.meetings[k].reviewed = append(s.meetings[k].reviewed, reviewedPlan{c: ci, decision: "deferred",
				note: "Deferred: the group asked for the supplier's report before accepting."})
			k++
		}
		if k < 0 {
			continue
		}
		p.reviewMeeting = k
		m := s.meetings[k]
		if p.cat0 == "unknown" || r.Float64() < 0.08 {
			p.cat = pick(r, []string{"event", "weakness", "incident"})
			if p.cat == p.cat0 {
				p.cat = "incident"
				if p.cat0 == "incident" {
					p.cat = "weakness"
				}
			}
		}
		dec := "accepted"
		if p.cat != p.cat0 {
			dec = "reclassified"
		}
		if r.Float64() < 0.15 {
			p.lessons = nil // ITPARG recorded that there were none
		} else {
			p.lessons = []string{p.f.fill(pick(r, p.k.lessons))}
		}
		m.reviewed = append(m.reviewed, reviewedPlan{c: ci, decision: dec, note: pick(r, minutesNotes)})
		if p.stop >= stClosed && k+1 < len(s.meetings) {
			p.closeMeeting = k + 1
			s.meetings[k+1].closes = append(s.meetings[k+1].closes, ci)
		}
	}

	// Attendance and actions.
	itparg := []string{"ian", "jo", "farah", "hannah", "lucy", "nadia"}
	actionSeq := 0
	for _, m := range s.meetings {
		for _, id := range itparg {
			if id != "ian" && id != "jo" && r.Float64() < 0.15 {
				m.apologies = append(m.apologies, id)
			} else {
				m.attendees = append(m.attendees, id)
			}
		}
		if r.Float64() < 0.3 {
			m.attendees = append(m.attendees, "olu")
		}
		for range r.IntN(3) {
			actionSeq++
			a := actionPlan{id: fmt.Sprintf("A-%s-%d", m.id, len(m.actions)+1), owner: pick(r, []string{"lucy", "farah", "gareth", "hannah", "marcus", "alice", "chen"}),
				due: m.at.Add(between(r, 21*day, 60*day)).Truncate(day)}
			f := filler{system: pick(r, systems), team: pick(r, teams), place: pick(r, places)}
			if len(m.reviewed) > 0 && r.Float64() < 0.6 {
				rv := m.reviewed[r.IntN(len(m.reviewed))]
				a.caseID = s.cases[rv.c].id
				f = s.cases[rv.c].f
			}
			a.text = f.fill(pick(r, actionTexts))
			switch x := r.Float64(); {
			case x < 0.7:
				a.done = m.at.Add(between(r, 5*day, a.due.Sub(m.at)+20*day)).Truncate(day)
			case x < 0.78:
				a.dropped = m.at.Add(between(r, 10*day, 80*day)).Truncate(day)
			}
			m.actions = append(m.actions, a)
		}
	}
	return s, nil
}

func (i *icoPlan) latest() time.Time {
	if i.notifiedAt.After(i.decidedAt) {
		return i.notifiedAt
	}
	return i.decidedAt
}

// planCase fills the case's facts from its kind.
func planCase(r *rand.Rand, s *story, p *plan, analysts, simos []*person) {
	k := p.k
	p.f = filler{system: pick(r, systems), team: pick(r, teams), place: pick(r, places), device: pick(r, devices), n: 2 + r.IntN(40)}
	p.title = p.f.fill(pick(r, k.titles))
	p.reportedBy = "an officer in " + p.f.team
	p.lineManager = "team leader, " + p.f.team
	p.reportedTo = []string{"service-desk"}
	if r.Float64() < 0.5 {
		p.reportedTo = append([]string{"line-manager"}, p.reportedTo...)
	}
	p.pd = r.Float64() < k.personal
	p.hard = k.hardCopy
	p.service = r.Float64() < k.service
	p.cat0 = pick(r, k.categories)
	if p.pd && p.cat0 == "event" {
		p.cat0 = "incident"
	}
	p.cat = p.cat0
	p.major = p.cat0 == "incident" && r.Float64() < 0.04
	p.types = slices.Clone(k.types)
	if r.Float64() < 0.1 {
		if extra := pick(r, kinds).types[0]; !slices.Contains(p.types, extra) {
			p.types = append(p.types, extra)
		}
	}
	p.impact = slices.Clone(k.impact)
	t := p.reportedAt
	p.creator = duty(analysts, t)
	if p.pd || p.hard {
		p.triager = duty(simos, t)
		p.investigator = simos[r.IntN(len(simos))]
	} else {
		p.triager = duty(analysts, t.Add(day/2))
		// Nobody is given a case they would leave before it is done.
		i := r.IntN(len(analysts))
		for !analysts[i].activeAt(t.Add(90 * day)) {
			i = (i + 1) % len(analysts)
		}
		p.investigator = analysts[i]
	}
	p.what = []string{p.f.fill(pick(r, k.what)), p.f.fill(pick(r, k.what))}
	if p.what[0] == p.what[1] {
		p.what = p.what[:1]
	}
	p.found = []string{p.f.fill(pick(r, k.found))}
	p.resolutn = p.f.fill(pick(r, k.resolution))
	if r.Float64() < 0.45 {
		p.changes = []string{fmt.Sprintf(changes, t.Year(), 100+r.IntN(900))}
	} else {
		p.noChange = pick(r, noChangeReasons)
	}
	if p.pd {
		p.ico = &icoPlan{decision: "pending"}
		b := &breachPlan{people: 1 + r.IntN(40), consequences: pick(r, consequences), measures: pick(r, measures)}
		if r.Float64() < 0.1 {
			b.people = 50 + r.IntN(2000)
		}
		b.records = b.people + r.IntN(b.people+1)
		data := k.data
		if len(data) == 0 {
			data = []string{"names", "contact details"}
		}
		b.categories = []string{data[0], pick(r, data[1:])}
		if b.categories[0] == b.categories[1] {
			b.categories = b.categories[:1]
		}
		for _, c := range b.categories {
			if c == "health information" || c == "social care records" {
				b.special = true
			}
		}
		b.told = pick(r, []string{"yes", "no", "no"})
		if b.told == "no" {
			b.toldReason = pick(r, subjectsReasons)
		}
		// Breaches come to light from within the hour to a fortnight
		// after they happen. The time is drawn from a generator of its
		// own, seeded by the report time, so it leaves the rest of the
		// story as the seed told it before the demo had occurred_at.
		o := rand.New(rand.NewPCG(uint64(p.reportedAt.UnixNano()), 0x0cc))
		b.occurred = p.reportedAt.Add(-between(o, 20*time.Minute, 14*day)).Truncate(time.Minute)
		p.breach = b
	}
	p.lessons = nil
}

// planICO sets the DPO's decision: notify in time, notify late with a
// reason, or not notify with a reason.
func planICO(r *rand.Rand, p *plan) {
	i := p.ico
	i.decidedAt = p.reportedAt.Add(between(r, 4*time.Hour, 40*time.Hour)).Truncate(time.Minute)
	switch x := r.Float64(); {
	case x < 0.45:
		i.decision = "notify"
		i.notifiedAt = i.decidedAt.Add(between(r, time.Hour, 24*time.Hour)).Truncate(time.Minute)
		i.reference = fmt.Sprintf("IC-%06d-%c%c%d", 100000+r.IntN(900000), 'A'+r.IntN(26), 'A'+r.IntN(26), r.IntN(10))
	case x < 0.55:
		i.decision = "notify"
		i.decidedAt = p.reportedAt.Add(between(r, 50*time.Hour, 90*time.Hour)).Truncate(time.Minute)
		i.notifiedAt = p.reportedAt.Add(between(r, 80*time.Hour, 120*time.Hour)).Truncate(time.Minute)
		if i.notifiedAt.Before(i.decidedAt) {
			i.notifiedAt = i.decidedAt.Add(time.Hour)
		}
		i.lateReason = pick(r, lateReasons)
		i.reference = fmt.Sprintf("IC-%06d-%c%c%d", 100000+r.IntN(900000), 'A'+r.IntN(26), 'A'+r.IntN(26), r.IntN(10))
	default:
		i.decision = "no-notify"
		i.reason = pick(r, noNotifyReasons)
	}
}
