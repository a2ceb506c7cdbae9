package site

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/council/register/register"
)

// TestSpan: deadlines read in whole days and hours, in plain English.
func TestSpan(t *testing.T) {
	for _, tc := range []struct {
		hours int
		want  string
	}{
		{0, "less than an hour"},
		{1, "1 hour"},
		{5, "5 hours"},
		{23, "23 hours"},
		{24, "1 day"},
		{25, "1 day 1 hour"},
		{28, "1 day 4 hours"},
		{48, "2 days"},
		{72, "3 days"},
		{79, "3 days 7 hours"},
		{-72, "3 days"},
		{-1, "1 hour"},
	} {
		if got := span(tc.hours); got != tc.want {
			t.Errorf("span(%d) = %q, want %q", tc.hours, got, tc.want)
		}
	}
}

// TestClockSpan: the clock's span is its whole hours left or over, so a
// clock 30 minutes from its deadline, either side, has "less than an
// hour", and one 3 days and 59 minutes late is "3 days".
func TestClockSpan(t *testing.T) {
	for _, tc := range []struct {
		left time.Duration
		want string
	}{
		{30 * time.Minute, "less than an hour"},
		{-30 * time.Minute, "less than an hour"},
		{28*time.Hour + 59*time.Minute, "1 day 4 hours"},
		{-(72*time.Hour + 59*time.Minute), "3 days"},
	} {
		if got := (clock{Left: tc.left}).Span(); got != tc.want {
			t.Errorf("clock with %v left: Span() = %q, want %q", tc.left, got, tc.want)
		}
		if got := (deadline{Hours: clock{Left: tc.left}.Hours()}).Span(); got != tc.want {
			t.Errorf("deadline with %v left: Span() = %q, want %q", tc.left, got, tc.want)
		}
	}
}

// TestLatestChanged: the n latest changed cases are those a stable sort
// by time of change, newest first, puts first, ties included.
func TestLatestChanged(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var cases []*Case
		hist := map[string][]Event{}
		for i := range rnd.IntN(60) {
			c := &Case{Case: &register.Case{ID: fmt.Sprintf("INC-2026-%04d", i)}}
			// Few distinct times, so many ties; some from the history.
			c.ReportedAt.Time = testNow.Add(time.Duration(rnd.IntN(8)) * time.Hour)
			if rnd.IntN(3) == 0 {
				hist[c.ID] = []Event{{Time: testNow.Add(time.Duration(rnd.IntN(12)) * time.Hour)}}
			}
			c.n, c.updated = i, fileUpdated(c.Case)
			cases = append(cases, c)
		}
		b := &builder{in: Input{History: hist}, reg: &tree{Cases: cases}}
		b.hist = make([]histSum, len(cases))
		for i, c := range cases {
			b.hist[i] = b.historySum(c.ID)
		}
		want := slices.Clone(cases)
		slices.SortStableFunc(want, func(x, y *Case) int { return b.updated(y).Compare(b.updated(x)) })
		for _, n := range []int{1, 3, 10, 50} {
			got := b.latestChanged(cases, n)
			if w := want[:min(n, len(want))]; !slices.Equal(got, w) {
				t.Fatalf("round %d, n %d: got %v, want %v", round, n, ids(got), ids(w))
			}
		}
	}
}

func ids(cs []*Case) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}
