package report

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/council/register/register"
)

func get(cs []Count, label string) int {
	for _, c := range cs {
		if c.Label == label {
			return c.N
		}
	}
	return -1
}

func TestSummaryByHand(t *testing.T) {
	r := loadFixture(t)
	s, err := Summarise(context.Background(), r, Options{
		From: date("2026-03-01"), To: date("2026-05-31"), Now: fixtureNow, Timeline: fixtureTimeline,
	})
	if err != nil {
		t.Fatal(err)
	}
	// In the period (London days 1 March – 31 May): 0002, 0003, 0004,
	// 0005, 0006. Not 0001 (February) nor 0007 (1 June in London).
	if s.Cases != 5 {
		t.Errorf("cases = %d, want 5", s.Cases)
	}
	wantCounts := []struct {
		name   string
		got    []Count
		want   map[string]int
		length int
	}{
		// event 0002; weakness 0004; incident 0003; unknown 0006; 0005 has none.
		{"category", s.ByCategory, map[string]int{"event": 1, "weakness": 1, "incident": 1, "unknown": 1, NotCategorised: 1}, 5},
		// 0003 lists theft-or-loss twice: counted once.
		{"type", s.ByType, map[string]int{"unsolicited-mail": 1, "theft-or-loss": 1, "unauthorised-disclosure": 1,
			"password-exposure": 1, "other": 1, "malware": 0}, len(register.Types)},
		// confidentiality: 0002 + 0003 + 0004 = 3; availability: 0003 + 0006 = 2.
		{"impact", s.ByImpact, map[string]int{"confidentiality": 3, "integrity": 0, "availability": 2}, 3},
		// March: 0002; April: 0003 (1 April in London) + 0004; May: 0005 + 0006.
		{"month", s.ByMonth, map[string]int{"2026-03": 1, "2026-04": 2, "2026-05": 2}, 3},
		// pending: 0005 (no ico); notify: 0003, 0004; no-notify: 0006.
		{"ico", s.ICODecisions, map[string]int{"pending": 1, "notify": 2, "no-notify": 1}, 3},
		// As of 15 June 12:00 UTC, open: 0008 5 d; 0007 14 d, 0005 16 d;
		// 0006 36 d, 0004 61 d, 0003 75 d; 0001 115 d. 0002 is closed.
		{"age", s.OpenByAge, map[string]int{"0–7 days": 1, "8–30 days": 2, "31–90 days": 3, "over 90 days": 1}, 4},
	}
	for _, w := range wantCounts {
		if len(w.got) != w.length {
			t.Errorf("%s: %d bars, want %d: %v", w.name, len(w.got), w.length, w.got)
		}
		for label, n := range w.want {
			if got := get(w.got, label); got != n {
				t.Errorf("%s %q = %d, want %d", w.name, label, got, n)
			}
		}
	}
	if s.OpenCases != 7 {
		t.Errorf("open cases = %d, want 7", s.OpenCases)
	}
	// Triage: 0002 4 h, 0003 6 h (23:30 → 05:30), 0004 2 h; sorted 2, 4, 6:
	// median 4 h, 90th percentile the ceil(2.7) = 3rd value, 6 h. 0005 not
	// triaged yet; 0006 triaged but not in the history.
	want := Durations{N: 3, Median: 4 * time.Hour, P90: 6 * time.Hour, Pending: 1, NoRecord: 1}
	if s.Triage != want {
		t.Errorf("triage = %+v, want %+v", s.Triage, want)
	}
	// Resolve: 0002 closed after 24 h, 0003 resolved after 10 d = 240 h,
	// 0004 after 5 d = 120 h; sorted 24, 120, 240: median 120 h, p90 240 h.
	// 0005 and 0006 are not resolved.
	want = Durations{N: 3, Median: 120 * time.Hour, P90: 240 * time.Hour, Pending: 2}
	if s.Resolve != want {
		t.Errorf("resolve = %+v, want %+v", s.Resolve, want)
	}
	if s.PersonalData != 4 {
		t.Errorf("personal-data cases = %d, want 4", s.PersonalData)
	}
	// 0003: 31 March 23:30 + 72 h = 3 April 23:30, notified then: met.
	// 0004: 15 April 08:00 + 72 h = 18 April 08:00, notified 19 April: late.
	wantDL := []Deadline{
		{ID: "INC-2026-0003", ReportedAt: at("2026-03-31T23:30:00Z"), Due: at("2026-04-03T23:30:00Z"), NotifiedAt: at("2026-04-03T23:30:00Z"), Met: true},
		{ID: "INC-2026-0004", ReportedAt: at("2026-04-15T08:00:00Z"), Due: at("2026-04-18T08:00:00Z"), NotifiedAt: at("2026-04-19T08:00:00Z"),
			LateReason: "Facts took four days to establish"},
	}
	if !slices.EqualFunc(s.Deadlines, wantDL, func(a, b Deadline) bool {
		return a.ID == b.ID && a.ReportedAt.Equal(b.ReportedAt) && a.Due.Equal(b.Due) && a.NotifiedAt.Equal(b.NotifiedAt) &&
			a.Met == b.Met && a.LateReason == b.LateReason
	}) {
		t.Errorf("deadlines = %+v, want %+v", s.Deadlines, wantDL)
	}
	// Open actions: A1 (alice, overdue since 1 June) and A2 (bob); A3 is done.
	var ids []string
	for _, it := range s.OpenActions {
		ids = append(ids, it.ID+":"+it.State())
	}
	if !slices.Equal(ids, []string{"A1:overdue", "A2:open"}) {
		t.Errorf("open actions = %v", ids)
	}
}

func TestSummaryEmptyPeriod(t *testing.T) {
	r := loadFixture(t)
	s, err := Summarise(context.Background(), r, Options{From: date("2025-01-01"), To: date("2025-01-31"), Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	if s.Cases != 0 || s.PersonalData != 0 || s.Triage.N != 0 || len(s.Deadlines) != 0 {
		t.Errorf("empty period: %+v", s)
	}
	if len(s.ByMonth) != 1 || s.ByMonth[0] != (Count{"2025-01", 0}) {
		t.Errorf("months = %v", s.ByMonth)
	}
	// Without a history, the open backlog is still counted.
	if s.OpenCases != 7 || s.Timeline {
		t.Errorf("open = %d, timeline = %v", s.OpenCases, s.Timeline)
	}
}

func TestSummaryAudience(t *testing.T) {
	r := loadFixture(t)
	noPersonal := func(c *register.Case) bool { return !c.PersonalData }
	s, err := Summarise(context.Background(), r, Options{From: date("2026-03-01"), To: date("2026-05-31"),
		Now: fixtureNow, Timeline: fixtureTimeline, Case: noPersonal})
	if err != nil {
		t.Fatal(err)
	}
	// Only 0002 is in the period without personal data; A1 names 0004,
	// which this audience may not see.
	if s.Cases != 1 || s.PersonalData != 0 || get(s.ICODecisions, "notify") != 0 || len(s.OpenActions) != 1 {
		t.Errorf("audience summary: cases %d, personal %d, actions %v", s.Cases, s.PersonalData, s.OpenActions)
	}
}

func TestSummaryBadPeriod(t *testing.T) {
	r := loadFixture(t)
	_, err := Summarise(context.Background(), r, Options{From: date("2026-05-01"), To: date("2026-04-01"), Now: fixtureNow})
	if err == nil || err.Error() != "the period ends (2026-04-01) before it starts (2026-05-01)" {
		t.Errorf("err = %v", err)
	}
}

func TestPercentiles(t *testing.T) {
	h := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Hour)
		}
		return out
	}
	for _, tc := range []struct {
		in          []time.Duration
		median, p90 time.Duration
	}{
		{nil, 0, 0},
		{h(5), 5 * time.Hour, 5 * time.Hour},
		{h(4, 1), 150 * time.Minute, 4 * time.Hour}, // (1+4)/2; ceil(1.8) = 2nd
		{h(10, 1, 2, 3, 4, 5, 6, 7, 8, 9), 330 * time.Minute, 9 * time.Hour},  // (5+6)/2; ceil(9) = 9th
		{h(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 6 * time.Hour, 10 * time.Hour}, // ceil(9.9) = 10th
	} {
		if m, p := Median(tc.in), P90(tc.in); m != tc.median || p != tc.p90 {
			t.Errorf("%v: median %v p90 %v, want %v %v", tc.in, m, p, tc.median, tc.p90)
		}
	}
}

// TestUntil: the report made at any instant before Until reads as the
// one made at Now. Times are taken just before every instant the report
// could change at: each open case's age band boundaries, each ICO
// deadline, midnights and minutes, and at random.
func TestUntil(t *testing.T) {
	r := loadFixture(t)
	// A decision to notify not yet carried out, so a deadline can pass;
	// and cases reported between two minutes, so that their ages and
	// deadlines change between them too.
	for _, c := range r.Cases {
		if c.ID == "INC-2026-0006" {
			c.ICO.Decision, c.ICO.NotifiedAt = "notify", nil
		}
		c.ReportedAt.Time = c.ReportedAt.Add(17*time.Second + 250*time.Millisecond)
	}
	from, loc := date("2026-01-01"), r.Settings.Location()
	report := func(now time.Time) string {
		// The period ends today, as on the site's report.
		s, err := Summarise(context.Background(), r, Options{From: from, To: now.In(loc), Now: now, Timeline: fixtureTimeline})
		if err != nil {
			t.Fatal(err)
		}
		body, charts, err := ReportBody(s, true)
		if err != nil {
			t.Fatal(err)
		}
		out := string(body)
		for _, name := range ChartFiles() {
			out += "\n" + string(charts[name])
		}
		if len(charts) != len(ChartFiles()) {
			t.Fatalf("ReportBody made %d charts, ChartFiles names %d", len(charts), len(ChartFiles()))
		}
		return out
	}
	var edges []time.Time
	for _, c := range r.Cases {
		for _, b := range AgeBands[:len(AgeBands)-1] {
			edges = append(edges, c.ReportedAt.Add(time.Duration(b.Max+1)*24*time.Hour))
		}
		edges = append(edges, c.ReportedAt.Add(time.Duration(r.Settings.Deadlines.ICOHours)*time.Hour))
	}
	for d := date("2026-05-20"); d.Before(date("2026-07-10")); d = d.AddDate(0, 0, 1) {
		edges = append(edges, time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc))
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	var nows []time.Time
	for _, e := range edges {
		for _, back := range []time.Duration{time.Nanosecond, time.Second, 59 * time.Second, time.Duration(rnd.Int64N(int64(time.Minute)))} {
			nows = append(nows, e.Add(-back))
		}
	}
	for range 200 {
		nows = append(nows, date("2026-02-01").Add(time.Duration(rnd.Int64N(int64(200*24*time.Hour)))))
	}
	changed := 0
	for _, now := range nows {
		until := Until(r, Options{From: from, To: now.In(loc), Now: now, Timeline: fixtureTimeline})
		if !until.After(now) || until.Sub(now) > time.Minute {
			t.Fatalf("at %v: Until %v is not within the next minute", now, until)
		}
		want := report(now)
		for _, at := range []time.Time{until.Add(-time.Nanosecond), now.Add(time.Duration(rnd.Int64N(int64(until.Sub(now)))))} {
			if report(at) != want {
				t.Fatalf("the report made at %v differs from the one made at %v, before Until (%v)", at, now, until)
			}
		}
		if report(until) != want {
			changed++
		}
	}
	if changed == 0 {
		t.Error("no report changed at Until: the times tried cross no change")
	}
}
