package site

import (
	"testing"
	"time"
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
