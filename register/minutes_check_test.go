package register

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// reviewFS is a register whose minutes review cases; tests add or
// replace files.
func reviewFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"register.yaml": {Data: []byte("name: Test\n")},
		"people.yaml": {Data: []byte(`people:
  - {id: alice, name: Alice, email: alice@example.gov.uk, roles: [itparg, business-it]}
  - {id: bob, name: Bob, email: bob@example.gov.uk, roles: [itparg]}
`)},
	}
	for p, s := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(s)}
	}
	return fsys
}

const reviewedCase = `---
id: INC-2026-0004
title: Weak password policy
status: %s
reported_at: 2026-10-01T09:00:00Z
reported_by: alice
category: %s
review: %s
---
Body.
`

func caseText(status, category, review string) string {
	out := reviewedCase
	for _, v := range []string{status, category, review} {
		out = strings.Replace(out, "%s", v, 1)
	}
	return out
}

// minutesFindings loads the register and returns the messages of the
// findings the minutes rules raise, as path:line: message.
func minutesFindings(t *testing.T, fsys fstest.MapFS) []string {
	t.Helper()
	r, found, err := Load(context.Background(), fsys)
	if err != nil || len(found) > 0 {
		t.Fatalf("load: %v %v", err, found)
	}
	var out []string
	for _, f := range r.Check(context.Background(), CheckOptions{}) {
		if f.Rule == "§7.10" || f.Rule == "§7.8" || f.Rule == "§7.9" || strings.HasPrefix(f.Path, "minutes/") {
			out = append(out, f.String())
		}
	}
	return out
}

func TestMinutesReviewRules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"a listed case that does not exist", map[string]string{
			"minutes/2026/2026-11-05.md": "---\ndate: 2026-11-05\nchair: bob\ncases:\n  - id: INC-2026-0099\n    decision: accepted\n---\n",
		}, []string{"minutes/2026/2026-11-05.md:5: case INC-2026-0099 does not exist (there is no cases/2026/INC-2026-0099/case.md)"}},
		{"reclassified in the minutes, not in the case", map[string]string{
			"cases/2026/INC-2026-0004/case.md": caseText("reviewed", "weakness", "{minutes: 2026-11-05}"),
			"minutes/2026/2026-11-05.md": "---\ndate: 2026-11-05\nchair: bob\ncases:\n  - id: INC-2026-0004\n    decision: reclassified\n" +
				"    reclassified_from: event\n    reclassified_to: incident\n---\n",
		}, []string{`minutes/2026/2026-11-05.md:5: case INC-2026-0004: minutes reclassify event → incident but the case file has category "weakness" and review.reclassified_from ""; set category: incident and review.reclassified_from: event in cases/2026/INC-2026-0004/case.md, or correct the minutes`}},
		{"reclassified in the case, not in the minutes", map[string]string{
			"cases/2026/INC-2026-0004/case.md": caseText("reviewed", "weakness", "{minutes: 2026-11-05, reclassified_from: event}"),
			"minutes/2026/2026-11-05.md":       "---\ndate: 2026-11-05\nchair: bob\ncases:\n  - id: INC-2026-0004\n    decision: accepted\n---\n",
		}, []string{`cases/2026/INC-2026-0004/case.md:8: review.reclassified_from "event" is recorded under minutes 2026-11-05, which do not reclassify this case`}},
		{"consistent reclassification", map[string]string{
			"cases/2026/INC-2026-0004/case.md": caseText("reviewed", "weakness", "{minutes: 2026-11-05, reclassified_from: event}"),
			"minutes/2026/2026-11-05.md": "---\ndate: 2026-11-05\nchair: bob\ncases:\n  - id: INC-2026-0004\n    decision: reclassified\n" +
				"    reclassified_from: event\n    reclassified_to: weakness\n---\n",
		}, nil},
		{"reclassified once, reviewed again later", map[string]string{
			"cases/2026/INC-2026-0004/case.md": caseText("reviewed", "weakness", "{minutes: 2026-12-03}"),
			"minutes/2026/2026-11-05.md": "---\ndate: 2026-11-05\nchair: bob\ncases:\n  - id: INC-2026-0004\n    decision: reclassified\n" +
				"    reclassified_from: event\n    reclassified_to: weakness\n---\n",
			"minutes/2026/2026-12-03.md": "---\ndate: 2026-12-03\nchair: bob\ncases:\n  - id: INC-2026-0004\n    decision: accepted\n---\n",
		}, nil},
		{"reviewed through minutes that deferred it", map[string]string{
			"cases/2026/INC-2026-0004/case.md": caseText("reviewed", "weakness", "{minutes: 2026-11-05}"),
			"minutes/2026/2026-11-05.md":       "---\ndate: 2026-11-05\nchair: bob\ncases:\n  - id: INC-2026-0004\n    decision: deferred\n---\n",
		}, []string{"cases/2026/INC-2026-0004/case.md:8: status reviewed, but minutes 2026-11-05 record the decision deferred for this case"}},
		{"reviewed through minutes that do not list it", map[string]string{
			"cases/2026/INC-2026-0004/case.md": caseText("reviewed", "weakness", "{minutes: 2026-11-05}"),
			"minutes/2026/2026-11-05.md":       "---\ndate: 2026-11-05\nchair: bob\n---\n",
		}, []string{
			"cases/2026/INC-2026-0004/case.md:8: status reviewed needs review.minutes naming ITPARG minutes that list this case (§7.8)",
		}},
		{"actions", map[string]string{
			"minutes/2026/2026-11-05.md": "---\ndate: 2026-11-05\nchair: carol\nsecretary: alice\nactions:\n" +
				"  - {id: A1, action: Do it, owner: zed, due: 2026-12-01, status: open}\n" +
				"  - {id: A2, action: Do it, owner: bob, due: 2026-12-01, status: open, done: 2026-11-20}\n" +
				"  - {id: A3, action: Do it, owner: bob, status: open}\n" +
				"  - {id: A4, action: Do it, owner: alice, due: 2026-12-01, status: done, done: 2026-11-20}\n---\n",
		}, []string{
			`minutes/2026/2026-11-05.md:3: chair "carol" is not a person in people.yaml`,
			`minutes/2026/2026-11-05.md:6: action A1: owner "zed" is not a person in people.yaml`,
			`minutes/2026/2026-11-05.md:7: action A2 has a done date but status open`,
			`minutes/2026/2026-11-05.md:8: action A3 needs action, owner, due and status`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := minutesFindings(t, reviewFS(tc.files))
			// The case fixture is not complete for its state; only the
			// review rules matter here.
			got = slices.DeleteFunc(got, func(s string) bool {
				return strings.Contains(s, "status reviewed needs") && !strings.Contains(s, "review.minutes")
			})
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestReviewOnlyThroughMinutes: the transition resolved -> reviewed needs
// minutes that list the case, in the working tree and as a transition.
func TestReviewOnlyThroughMinutes(t *testing.T) {
	fsys := reviewFS(map[string]string{
		"cases/2026/INC-2026-0004/case.md": caseText("reviewed", "weakness", "{minutes: 2026-11-05}"),
		"minutes/2026/2026-11-05.md":       "---\ndate: 2026-11-05\nchair: bob\n---\n",
	})
	r, _, err := Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	c := r.Case("INC-2026-0004")
	tr, ok := r.Workflow.Transition("resolved", "reviewed")
	if !ok {
		t.Fatal("no transition resolved -> reviewed")
	}
	names := func(rs []Requirement) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return out
	}
	if got := names(r.Workflow.Missing(tr, c, r.Env())); !slices.Contains(got, "review-minutes") {
		t.Errorf("transition: missing %v lacks review-minutes", got)
	}
	if got := names(r.Workflow.StateMissing(c, r.Env())); !slices.Contains(got, "review-minutes") {
		t.Errorf("working tree: missing %v lacks review-minutes", got)
	}
	// Once the minutes list it, the requirement is met.
	fsys["minutes/2026/2026-11-05.md"] = &fstest.MapFile{Data: []byte("---\ndate: 2026-11-05\nchair: bob\ncases:\n  - {id: INC-2026-0004, decision: accepted}\n---\n")}
	r, _, _ = Load(context.Background(), fsys)
	if got := names(r.Workflow.Missing(tr, r.Case("INC-2026-0004"), r.Env())); slices.Contains(got, "review-minutes") {
		t.Errorf("listed case still misses review-minutes: %v", got)
	}
}
