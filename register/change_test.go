package register

import (
	"strings"
	"testing"
)

func mustCase(t *testing.T, s string) *Case {
	t.Helper()
	c, err := ParseCase(strings.NewReader(s))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, s)
	}
	return c
}

const changeBase = `---
id: INC-2026-0007
title: Lost laptop
status: %STATUS%
reported_at: 2026-03-01T09:00:00Z
reported_by: a member of staff
category: %CATEGORY%
investigator: simon
%EXTRA%---
Body.
`

func version(status, category, extra string) string {
	r := strings.NewReplacer("%STATUS%", status, "%CATEGORY%", category, "%EXTRA%", extra)
	return r.Replace(changeBase)
}

const evidence = `evidence:
  - file: E01-photo.jpg.pgp
    sha256: 9a3f5d1c8f1d1a8f0bde79e1d3b2c4a0c5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0
    size: 10
    collected_by: simon
    collected_at: 2026-03-02T10:00:00Z
    description: Photo
    custody:
      - at: 2026-03-02T10:00:00Z
        by: simon
        action: collected
`

func TestCaseChangeJudge(t *testing.T) {
	analyst := &Person{ID: "alice", Roles: []string{RoleBusinessIT}}
	simo := &Person{ID: "simon", Roles: []string{RoleSIMO}}
	board := &Person{ID: "bob", Roles: []string{RoleITPARG}}
	w := DefaultWorkflow()
	tests := []struct {
		name     string
		old, new string // "" for none
		author   *Person
		want     string // rule of the one finding, or "" for none
		contains string
	}{
		{"legal triage", version("reported", "incident", ""), version("triaged", "incident", ""), analyst, "", ""},
		{"illegal transition", version("reported", "incident", ""), version("resolved", "incident", ""), simo, RuleTransition,
			"transition reported -> resolved is not in the workflow"},
		{"role may not", version("triaged", "incident", ""), version("investigating", "incident", ""), board, RuleRole,
			"bob (itparg) may not"},
		{"investigator may", version("triaged", "incident", ""), version("investigating", "incident", ""), &Person{ID: "simon", Roles: []string{"img"}}, "", ""},
		{"new case not initial", "", version("triaged", "incident", ""), analyst, RuleNewCase, "not the initial status reported"},
		{"new case", "", version("reported", "incident", ""), analyst, "", ""},
		{"deleted", version("reported", "incident", ""), "", analyst, RuleDeleted, "cases are never deleted"},
		{"id changed", version("reported", "incident", ""), strings.Replace(version("reported", "incident", ""), "0007", "0008", 1), analyst, RuleID, "id changed"},
		{"category by analyst", version("triaged", "incident", ""), version("triaged", "event", ""), analyst, RuleCategory, "only itparg reclassifies"},
		{"category by itparg without record", version("resolved", "incident", ""), version("resolved", "event", ""), board, RuleCategory, "without recording review.reclassified_from"},
		{"category by itparg recorded", version("resolved", "incident", ""), version("resolved", "event", "review:\n  reclassified_from: incident\n"), board, "", ""},
		{"category at triage", version("reported", "unknown", ""), version("triaged", "event", ""), analyst, "", ""},
		{"evidence added", version("investigating", "incident", ""), version("investigating", "incident", evidence), simo, "", ""},
		{"evidence removed", version("investigating", "incident", evidence), version("investigating", "incident", ""), simo, RuleEvidence, "E01-photo.jpg.pgp removed"},
		{"evidence edited", version("investigating", "incident", evidence), version("investigating", "incident", strings.Replace(evidence, "Photo", "Picture", 1)), simo, RuleEvidence, "description changed"},
		{"custody appended", version("investigating", "incident", evidence), version("investigating", "incident", evidence+"      - at: 2026-03-03T10:00:00Z\n        by: simon\n        action: decrypted\n        reason: review\n"), simo, "", ""},
		{"custody rewritten", version("investigating", "incident", evidence), version("investigating", "incident", strings.Replace(evidence, "action: collected", "action: transferred", 1)), simo, RuleEvidence, "custody entry 1 changed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ch CaseChange
			ch.Author = tt.author
			if tt.old != "" {
				ch.Old = mustCase(t, tt.old)
			}
			if tt.new != "" {
				ch.New = mustCase(t, tt.new)
			}
			got := ch.Judge(w)
			if tt.want == "" {
				if len(got) > 0 {
					t.Fatalf("want no finding, got %v", got)
				}
				return
			}
			if len(got) != 1 || got[0].Rule != tt.want || !strings.Contains(got[0].Message, tt.contains) {
				t.Fatalf("want one %s finding containing %q, got %v", tt.want, tt.contains, got)
			}
		})
	}
}

func TestReencrypted(t *testing.T) {
	old := mustCase(t, version("investigating", "incident", evidence))
	same := mustCase(t, version("investigating", "incident", evidence+"      - at: 2026-03-03T10:00:00Z\n        by: simon\n        action: transferred\n"))
	re := mustCase(t, version("investigating", "incident", evidence+"      - at: 2026-03-03T10:00:00Z\n        by: simon\n        action: re-encrypted\n        reason: alice left\n"))
	if got := Reencrypted(old, same); len(got) != 0 {
		t.Errorf("transfer counted as re-encryption: %v", got)
	}
	if got := Reencrypted(old, re); len(got) != 1 || got[0] != "E01-photo.jpg.pgp" {
		t.Errorf("re-encryption not found: %v", got)
	}
	if got := Reencrypted(re, re); len(got) != 0 {
		t.Errorf("an old re-encryption counted again: %v", got)
	}
}

func TestChangedFields(t *testing.T) {
	old := mustCase(t, version("reported", "incident", ""))
	// Re-quoting and re-spelling a time in another zone is no change.
	new := mustCase(t, strings.NewReplacer(
		"reported_at: 2026-03-01T09:00:00Z", "reported_at: 2026-03-01T09:00:00+00:00",
		"title: Lost laptop", `title: "Lost laptop"`,
		"status: reported", "status: triaged",
	).Replace(version("reported", "incident", "ico:\n  decision: pending\n")))
	got := ChangedFields(old, new)
	want := []FieldChange{{Field: "status", Old: "reported", New: "triaged"}, {Field: "ico.decision", Old: "", New: "pending"}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d: got %v, want %v", i, got[i], want[i])
		}
	}
	added := ChangedFields(nil, old)
	if len(added) == 0 || added[0].Field != "id" || added[0].New != "INC-2026-0007" {
		t.Errorf("new case fields: %v", added)
	}
	if got := ChangedFields(old, mustCase(t, strings.Replace(version("reported", "incident", ""), "Body.", "New body.", 1))); len(got) != 1 || got[0].Field != Body {
		t.Errorf("body change: %v", got)
	}
}
