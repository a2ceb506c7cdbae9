package report

import (
	"context"
	"testing"
	"testing/fstest"
	"time"

	"github.com/council/register/register"
)

// The fixed register of the tests. The time zone is Europe/London, so
// INC-2026-0003 (23:30 UTC on 31 March) falls on 1 April, in April's
// count, and INC-2026-0007 (23:30 UTC on 31 May) on 1 June, after the
// period. Now is 2026-06-15T12:00:00Z.
var fixture = fstest.MapFS{
	"register.yaml": {Data: []byte("name: Test register\norganisation: Example Council\ntime_zone: Europe/London\n")},
	"people.yaml": {Data: []byte(`people:
  - {id: alice, name: Alice Analyst, email: alice@example.gov.uk, roles: [business-it, itparg]}
  - {id: bob, name: Bob Boss, email: bob@example.gov.uk, roles: [itparg]}
  - {id: sam, name: Sam Simo, email: sam@example.gov.uk, roles: [simo]}
  - {id: dee, name: Dee Dpo, email: dee@example.gov.uk, roles: [dpo]}
`)},
	// Before the period; open (investigating), 115 days old.
	"cases/2026/INC-2026-0001/case.md": caseFile(`id: INC-2026-0001
title: Malware on a laptop
status: investigating
reported_at: 2026-02-20T10:00:00Z
category: incident
types: [malware]
impact: [integrity]`),
	// March; closed; triaged after 4 h, closed after 24 h.
	"cases/2026/INC-2026-0002/case.md": caseFile(`id: INC-2026-0002
title: Phishing mail
status: closed
reported_at: 2026-03-02T09:00:00Z
category: event
types: [unsolicited-mail]
impact: [confidentiality]`),
	// April (London); resolved; notified to the ICO after exactly 72 h.
	"cases/2026/INC-2026-0003/case.md": caseFile(`id: INC-2026-0003
title: Lost files
status: resolved
reported_at: 2026-03-31T23:30:00Z
category: incident
types: [theft-or-loss, unauthorised-disclosure, theft-or-loss]
impact: [confidentiality, availability]
personal_data: true
ico:
  decision: notify
  decided_by: dee
  decided_at: 2026-04-02T10:00:00Z
  notified_at: 2026-04-03T23:30:00Z
  reference: ICO-1
breach:
  occurred_at: 2026-03-31T18:00:00Z
  data_categories: [names, addresses]
  special_category: false
  people_affected: 40
  records_affected: 120
  consequences: Distress
  measures: Files recovered
  subjects_told: "yes"`),
	// April; reviewed; notified after 96 h, late with a reason.
	"cases/2026/INC-2026-0004/case.md": caseFile(`id: INC-2026-0004
title: Password shared
status: reviewed
reported_at: 2026-04-15T08:00:00Z
category: weakness
types: [password-exposure]
impact: [confidentiality]
personal_data: true
ico:
  decision: notify
  notified_at: 2026-04-19T08:00:00Z
  late_reason: Facts took four days to establish`),
	// May; not triaged; personal data with no ICO decision yet.
	"cases/2026/INC-2026-0005/case.md": caseFile(`id: INC-2026-0005
title: Letter to the wrong address
status: reported
reported_at: 2026-05-30T12:00:00Z
personal_data: true`),
	// May; triaged but the history does not cover it; no-notify.
	"cases/2026/INC-2026-0006/case.md": caseFile(`id: INC-2026-0006
title: Odd log entries
status: triaged
reported_at: 2026-05-10T12:00:00Z
category: unknown
types: [other]
impact: [availability]
personal_data: true
ico:
  decision: no-notify
  reason: No risk to people`),
	// 1 June in London: after the period; open, 14 days old.
	"cases/2026/INC-2026-0007/case.md": caseFile(`id: INC-2026-0007
title: Tailgating
status: reported
reported_at: 2026-05-31T23:30:00Z`),
	// After the period; open, 5 days old.
	"cases/2026/INC-2026-0008/case.md": caseFile(`id: INC-2026-0008
title: Printer left open
status: reported
reported_at: 2026-06-10T00:00:00Z`),
	"minutes/2026/2026-05-20.md": {Data: []byte(`---
date: 2026-05-20
chair: bob
cases:
  - id: INC-2026-0004
    decision: accepted
actions:
  - {id: A1, action: Review password guidance, owner: alice, due: 2026-06-01, status: open, case: INC-2026-0004}
  - {id: A2, action: Audit shared mailboxes, owner: bob, due: 2026-07-01, status: open}
  - {id: A3, action: Brief staff, owner: alice, due: 2026-05-25, status: done}
---
Minutes.
`)},
}

func caseFile(front string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("---\n" + front + "\n---\nNarrative.\n")}
}

var fixtureNow = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

// timeline is a history in a map: case id → state → first entered.
type timeline map[string]map[string]time.Time

func (t timeline) Entered(id string) ([]Entry, bool) {
	m, ok := t[id]
	var out []Entry
	for state, at := range m {
		out = append(out, Entry{state, at})
	}
	return out, ok
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

var fixtureTimeline = timeline{
	"INC-2026-0001": {"reported": at("2026-02-20T10:00:00Z"), "triaged": at("2026-02-21T10:00:00Z"), "investigating": at("2026-02-22T10:00:00Z")},
	"INC-2026-0002": {"reported": at("2026-03-02T09:00:00Z"), "triaged": at("2026-03-02T13:00:00Z"), "closed": at("2026-03-03T09:00:00Z")},
	"INC-2026-0003": {"reported": at("2026-03-31T23:30:00Z"), "triaged": at("2026-04-01T05:30:00Z"),
		"investigating": at("2026-04-02T00:00:00Z"), "resolved": at("2026-04-10T23:30:00Z")},
	"INC-2026-0004": {"triaged": at("2026-04-15T10:00:00Z"), "investigating": at("2026-04-16T10:00:00Z"),
		"resolved": at("2026-04-20T08:00:00Z"), "reviewed": at("2026-05-21T08:00:00Z")},
	"INC-2026-0005": {"reported": at("2026-05-30T12:00:00Z")},
}

func loadFixture(t *testing.T) *register.Register {
	t.Helper()
	r, found, err := register.Load(context.Background(), fixture)
	if err != nil || len(found) > 0 {
		t.Fatalf("load: %v %v", err, found)
	}
	return r
}

func date(s string) time.Time {
	t, err := time.Parse(register.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}
