package review

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/council/register/register"
)

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

func fixture() fstest.MapFS {
	return fstest.MapFS{
		"register.yaml": file("name: Test\ntime_zone: Europe/London\n"),
		"people.yaml": file(`people:
  - {id: alice, name: Alice Analyst, email: alice@example.gov.uk, roles: [itparg, business-it]}
  - {id: bob, name: Bob Boss, email: bob@example.gov.uk, roles: [itparg]}
  - {id: sam, name: Sam Simo, email: sam@example.gov.uk, roles: [simo]}
`),
		// Resolved, reported to ITPARG: awaiting review.
		"cases/2026/INC-2026-0001/case.md": file("---\nid: INC-2026-0001\ntitle: Phishing *campaign*\nstatus: resolved\nreported_at: 2026-10-01T09:00:00Z\n" +
			"category: incident\nnotified: {itparg: 2026-10-02T09:00:00Z}\n---\n"),
		// Resolved with category unknown: awaiting review and a proposal.
		"cases/2026/INC-2026-0002/case.md": file("---\nid: INC-2026-0002\ntitle: Odd traffic\nstatus: resolved\nreported_at: 2026-10-03T09:00:00Z\n" +
			"category: unknown\n---\n"),
		// An incident not reported to ITPARG, with a note for the group
		// after the last minutes, and one before.
		"cases/2026/INC-2026-0003/case.md": file("---\nid: INC-2026-0003\ntitle: Ransomware\nstatus: investigating\nreported_at: 2026-11-01T09:00:00Z\n" +
			"category: incident\nupdates:\n  - {at: 2026-11-02T09:00:00Z, by: sam, to: itparg, note: old news}\n" +
			"  - {at: 2026-11-10T09:00:00Z, by: sam, to: itparg, note: propose weakness}\n  - {at: 2026-11-11T09:00:00Z, by: sam, to: reporter, note: in hand}\n---\n"),
		// Reviewed: not awaiting.
		"cases/2026/INC-2026-0004/case.md": file("---\nid: INC-2026-0004\ntitle: Weak passwords\nstatus: reviewed\nreported_at: 2026-09-01T09:00:00Z\n" +
			"category: weakness\nreview: {minutes: 2026-11-05}\n---\n"),
		// Closed with category unknown: no longer a proposal.
		"cases/2026/INC-2026-0005/case.md": file("---\nid: INC-2026-0005\ntitle: Noise\nstatus: closed\nreported_at: 2026-08-01T09:00:00Z\n" +
			"category: unknown\n---\n"),
		"minutes/2026/2026-11-05.md": file(`---
date: 2026-11-05
chair: bob
cases:
  - {id: INC-2026-0004, decision: accepted}
actions:
  - {id: A1, action: Check filters, owner: alice, due: 2026-11-20, status: open, case: INC-2026-0001}
  - {id: A2, action: Audit mailboxes, owner: bob, due: 2026-12-10, status: open}
  - {id: A3, action: Brief staff, owner: alice, due: 2026-11-10, status: done, done: 2026-11-09}
---
`),
	}
}

func load(t *testing.T, fsys fstest.MapFS) *register.Register {
	t.Helper()
	r, found, err := register.Load(context.Background(), fsys)
	if err != nil || len(found) > 0 {
		t.Fatalf("load: %v %v", err, found)
	}
	return r
}

func ids(cs []*register.Case) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func day(s string) time.Time {
	t, err := time.Parse(register.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestAgenda(t *testing.T) {
	r := load(t, fixture())
	a := NewAgenda(r, day("2026-12-03"))
	if a.Previous != "2026-11-05" {
		t.Errorf("previous = %q", a.Previous)
	}
	for _, tc := range []struct {
		name string
		got  []string
		want []string
	}{
		{"awaiting", ids(a.Awaiting), []string{"INC-2026-0001", "INC-2026-0002"}},
		{"not reported", ids(a.NotReported), []string{"INC-2026-0003"}},
		{"unknown", ids(a.Unknown), []string{"INC-2026-0002"}},
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if len(a.Notes) != 1 || a.Notes[0].Note != "propose weakness" {
		t.Errorf("notes = %+v", a.Notes)
	}
	// A1 was due 20 November and is open; A2 is due after the meeting.
	if len(a.Overdue) != 1 || a.Overdue[0].ID != "A1" {
		t.Errorf("overdue = %+v", a.Overdue)
	}
}

func TestActions(t *testing.T) {
	r := load(t, fixture())
	today := Today(r, time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC))
	key := func(items []Item) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.Owner+"/"+it.ID+"/"+it.State())
		}
		return out
	}
	for _, tc := range []struct {
		f    Filter
		want []string
	}{
		// By owner, then due date: A3 (10 Nov) before A1 (20 Nov).
		{Filter{}, []string{"alice/A3/done", "alice/A1/overdue", "bob/A2/open"}},
		{Filter{Owner: "alice"}, []string{"alice/A3/done", "alice/A1/overdue"}},
		{Filter{Overdue: true}, []string{"alice/A1/overdue"}},
		{Filter{Owner: "bob", Overdue: true}, nil},
		{Filter{Open: true}, []string{"alice/A1/overdue", "bob/A2/open"}},
		{Filter{Minutes: func(*register.Minutes) bool { return false }}, nil},
	} {
		if got := key(Actions(r, today, tc.f)); !slices.Equal(got, tc.want) {
			t.Errorf("%+v: got %v, want %v", tc.f, got, tc.want)
		}
	}
	// Due today is not overdue.
	if got := key(Actions(r, day("2026-11-20"), Filter{Overdue: true})); got != nil {
		t.Errorf("due today counted overdue: %v", got)
	}
	groups := ByOwner(r, Actions(r, today, Filter{}))
	if len(groups) != 2 || groups[0].Name != "Alice Analyst" || len(groups[0].Items) != 2 || groups[1].Owner != "bob" {
		t.Errorf("groups = %+v", groups)
	}
}

// TestDraftIsValid: the drafted minutes parse and pass the checker as
// drafted, listing every case awaiting review as deferred.
func TestDraftIsValid(t *testing.T) {
	fsys := fixture()
	r := load(t, fsys)
	d := &Draft{Agenda: NewAgenda(r, day("2026-12-03")), Chair: "bob", Secretary: "alice",
		Attendees: []string{"alice", "bob"}, Head: strings.Repeat("ab", 20)}
	text := d.Minutes(r)
	fsys["minutes/2026/2026-12-03.md"] = &fstest.MapFile{Data: text}
	r = load(t, fsys)
	m := r.MinutesByID("2026-12-03")
	if m == nil {
		t.Fatalf("draft not loaded:\n%s", text)
	}
	if len(m.Cases) != 2 || m.Cases[0].ID != "INC-2026-0001" || m.Cases[0].Decision != "deferred" || m.RegisterHead != d.Head {
		t.Errorf("draft front matter: %+v", m)
	}
	for _, f := range r.Check(context.Background(), register.CheckOptions{}) {
		if f.Path == m.Path {
			t.Errorf("draft finding: %v", f)
		}
	}
	body := string(m.Body())
	for _, want := range []string{
		"- INC-2026-0001: Phishing \\*campaign\\* (incident)\n",
		"## Incidents not yet reported to ITPARG\n\n- INC-2026-0003: Ransomware (status investigating",
		"- INC-2026-0002: Odd traffic (category unknown, status resolved)\n",
		"- INC-2026-0003: update to ITPARG from sam on 2026-11-10: propose weakness\n",
		"- 2026-11-05 A1 (owner alice, due 2026-11-20, case INC-2026-0001): Check filters\n",
		"1. Apologies, and the minutes of the last meeting (2026-11-05)\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}
