package register

import (
	"slices"
	"strings"
	"testing"
)

// designTransitions is DESIGN.md's workflow table, written out: who may
// make each transition and what it requires. DESIGN.md's "requires"
// column is split the way the workflow holds it: what every case in the
// state entered must meet (designStates) and what only this road asks
// (requires below), so the table reads the same after a case is
// reopened.
var designTransitions = []struct {
	from, to string
	roles    []string
	requires []string
}{
	{"reported", "triaged", []string{"business-it", "simo"}, nil},
	{"triaged", "investigating", []string{"investigator", "business-it", "simo"}, nil},
	{"triaged", "closed", []string{"business-it", "simo"}, []string{"event-without-personal-data"}},
	{"investigating", "resolved", []string{"investigator", "simo"}, nil},
	{"resolved", "reviewed", []string{"itparg"}, nil},
	{"reviewed", "closed", []string{"itparg"}, []string{"lessons"}},
	{"closed", "investigating", []string{"itparg", "simo"}, []string{"reopen-reason"}},
}

// triage is what DESIGN.md's reported → triaged row requires: category,
// ≥1 type, impact, investigator; personal data → SIMO (§7.19); hard copy
// → SIMO or line manager (§7.12).
var triage = []string{"category", "types", "impact", "investigator", "personal-data-investigator", "hard-copy-investigator"}

// resolve is what DESIGN.md's investigating → resolved row adds:
// resolution; changes or no_change_reason (§4.5); the ICO decision by a
// DPO and its 72-hour deadline (§6.3); service owner (§7.16), internal
// audit (§7.17), IMG (§7.21) told; an update to the reporter (§7.14).
// breach-details (Art. 33(3)) is DESIGN.md's breach field, which says
// the ICO form asks exactly these: it is required at resolution too.
var resolve = []string{"resolution", "changes", "ico-decision", "ico-deadline", "breach-details",
	"service-owner-notified", "internal-audit-notified", "img-notified", "reporter-updated"}

var designStates = []struct {
	name     string
	initial  bool
	open     bool
	requires []string
}{
	{"reported", true, true, nil},
	{"triaged", false, true, triage},
	{"investigating", false, true, triage},
	{"resolved", false, true, concat(triage, resolve)},
	{"reviewed", false, true, concat(triage, resolve, []string{"review-minutes", "category-known"})},
	// A closed case came by either road: both have the triage fields and
	// a resolution; the personal-data rules belong to the long road.
	{"closed", false, false, []string{"category", "types", "impact", "investigator", "resolution"}},
}

func concat(lists ...[]string) []string { return slices.Concat(lists...) }

func TestDefaultWorkflowMatchesDesign(t *testing.T) {
	w := DefaultWorkflow()
	if got, want := len(w.States), len(designStates); got != want {
		t.Fatalf("%d states, DESIGN.md has %d", got, want)
	}
	for i, d := range designStates {
		s := w.States[i]
		if s.Name != d.name || s.Initial != d.initial || s.Open != d.open {
			t.Errorf("state %d = %s initial=%v open=%v, want %s initial=%v open=%v", i, s.Name, s.Initial, s.Open, d.name, d.initial, d.open)
		}
		if !slices.Equal(sorted(s.Requires), sorted(d.requires)) {
			t.Errorf("state %s requires %v, want %v", s.Name, s.Requires, d.requires)
		}
	}
	if got, want := len(w.Transitions), len(designTransitions); got != want {
		t.Errorf("%d transitions, DESIGN.md has %d", got, want)
	}
	for _, d := range designTransitions {
		tr, ok := w.Transition(d.from, d.to)
		if !ok {
			t.Errorf("no transition %s -> %s", d.from, d.to)
			continue
		}
		if !slices.Equal(sorted(tr.Roles), sorted(d.roles)) {
			t.Errorf("%s: roles %v, want %v", tr, tr.Roles, d.roles)
		}
		if !slices.Equal(sorted(tr.Requires), sorted(d.requires)) {
			t.Errorf("%s: requires %v, want %v", tr, tr.Requires, d.requires)
		}
	}
	if w.Initial() != "reported" {
		t.Errorf("Initial() = %q", w.Initial())
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestTransition(t *testing.T) {
	w := DefaultWorkflow()
	for _, tc := range []struct {
		from, to string
		ok       bool
	}{
		{"reported", "triaged", true},
		{"triaged", "closed", true},
		{"closed", "investigating", true},
		{"reported", "closed", false},
		{"resolved", "closed", false},
		{"triaged", "reported", false},
		{"closed", "reopened", false},
		{"", "", false},
	} {
		tr, ok := w.Transition(tc.from, tc.to)
		if ok != tc.ok {
			t.Errorf("Transition(%q, %q) ok = %v, want %v", tc.from, tc.to, ok, tc.ok)
		}
		if ok && (tr.From != tc.from || tr.To != tc.to || tr.String() != tc.from+" -> "+tc.to) {
			t.Errorf("Transition(%q, %q) = %v", tc.from, tc.to, tr)
		}
	}
	var next []string
	for _, tr := range w.Next("triaged") {
		next = append(next, tr.To)
	}
	if !slices.Equal(next, []string{"investigating", "closed"}) {
		t.Errorf("Next(triaged) = %v", next)
	}
}

func TestMayMake(t *testing.T) {
	w := DefaultWorkflow()
	ps := testPeople(t)
	resolve, _ := w.Transition("investigating", "resolved")
	review, _ := w.Transition("resolved", "reviewed")
	reopen, _ := w.Transition("closed", "investigating")
	led := testCase(t, "investigating", "investigator: alice\n")
	other := testCase(t, "investigating", "investigator: lena\n")
	for _, tc := range []struct {
		name   string
		t      Transition
		person string
		c      *Case
		want   bool
	}{
		{"investigator_role/is_the_investigator", resolve, "alice", led, true},
		{"investigator_role/not_the_investigator", resolve, "alice", other, false},
		{"investigator_role/no_case", resolve, "alice", nil, false},
		{"simo_role", resolve, "sam", other, true},
		{"itparg_cannot_resolve", resolve, "ian", other, false},
		{"itparg_reviews", review, "ian", led, true},
		{"investigator_cannot_review", review, "alice", led, false},
		{"dpo_cannot_reopen", reopen, "dana", led, false},
		{"simo_reopens", reopen, "sam", led, true},
		{"nobody", resolve, "", led, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p *Person
			if tc.person != "" {
				p = ps.ByID(tc.person)
			}
			if got := w.MayMake(tc.t, p, tc.c); got != tc.want {
				t.Errorf("MayMake(%s, %s) = %v, want %v", tc.t, tc.person, got, tc.want)
			}
		})
	}
}

func names(rs []Requirement) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

func TestMissing(t *testing.T) {
	w := DefaultWorkflow()
	env := testEnv(t)
	triageT, _ := w.Transition("reported", "triaged")
	c := testCase(t, "reported", "category: incident\npersonal_data: true\ninvestigator: alice\n")
	if got, want := names(w.Missing(triageT, c, env)), []string{"types", "impact", "personal-data-investigator"}; !slices.Equal(got, want) {
		t.Errorf("Missing(%s) = %v, want %v", triageT, got, want)
	}
	c = testCase(t, "reported", "category: incident\npersonal_data: true\ninvestigator: sam\ntypes: [theft-or-loss]\nimpact: [confidentiality]\n")
	if got := w.Missing(triageT, c, env); len(got) != 0 {
		t.Errorf("Missing(%s) of a ready case = %v", triageT, names(got))
	}
	// A transition's own requirements come after its state's.
	shortcut, _ := w.Transition("triaged", "closed")
	c = testCase(t, "triaged", "category: weakness\ntypes: [malware]\nimpact: [integrity]\ninvestigator: alice\n")
	if got, want := names(w.Missing(shortcut, c, env)), []string{"resolution", "event-without-personal-data"}; !slices.Equal(got, want) {
		t.Errorf("Missing(%s) = %v, want %v", shortcut, got, want)
	}
}

func TestStateMissing(t *testing.T) {
	w := DefaultWorkflow()
	env := testEnv(t)
	const triaged = "types: [malware]\nimpact: [integrity]\ninvestigator: alice\nresolution: Quarantined.\n"
	for _, tc := range []struct {
		name   string
		status string
		fields string
		want   []string
	}{
		{"closed/by_the_shortcut_after_triage", "closed", "category: event\n" + triaged, nil},
		{"closed/by_review_with_lessons", "closed", "category: weakness\nlessons: [Patch sooner]\n" + triaged, nil},
		{"closed/by_review_with_explicit_no_lessons", "closed", "category: incident\nlessons: []\n" + triaged, nil},
		{"closed/by_neither_road", "closed", "category: weakness\n" + triaged, []string{"lessons"}},
		{"closed/event_with_personal_data", "closed", "category: event\npersonal_data: true\n" + triaged, []string{"lessons"}},
		{"closed/no_resolution", "closed", "category: event\ntypes: [malware]\nimpact: [integrity]\ninvestigator: alice\n", []string{"resolution"}},
		{"reported/asks_nothing", "reported", "", nil},
		{"investigating/reached_by_reopening_too", "investigating", "category: event\n" + triaged, nil},
		{"unknown_state", "archived", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testCase(t, tc.status, tc.fields)
			if got := names(w.StateMissing(c, env)); !slices.Equal(got, tc.want) {
				t.Errorf("StateMissing = %v, want %v", got, tc.want)
			}
		})
	}
}

// A council with another policy: three states, its own role, and only
// some of the requirements.
const otherPolicy = `# Borough of Elsewhere: a lighter policy.
states:
  - name: new
    initial: true
    open: true
  - name: assessed
    open: true
    requires: [category, investigator]
  - name: done
    requires: [category, investigator, resolution]
transitions:
  - from: new
    to: assessed
    roles: [security-officer]
  - from: assessed
    to: done
    roles: [investigator, security-officer]
    requires: [changes]
`

func TestParseWorkflowCustom(t *testing.T) {
	w, err := ParseWorkflow(strings.NewReader(otherPolicy))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(w.StateNames(), " "); got != "new assessed done" {
		t.Errorf("states = %s", got)
	}
	if w.Initial() != "new" {
		t.Errorf("Initial() = %q", w.Initial())
	}
	if _, ok := w.Transition("reported", "triaged"); ok {
		t.Error("the built-in transitions leak into a custom workflow")
	}
	finish, ok := w.Transition("assessed", "done")
	if !ok {
		t.Fatal("no assessed -> done")
	}
	officer := &Person{ID: "olu", Roles: []string{"security-officer"}}
	simo := &Person{ID: "sam", Roles: []string{"simo"}}
	c := testCase(t, "assessed", "category: weakness\ninvestigator: sam\n")
	if !w.MayMake(finish, officer, c) || !w.MayMake(finish, simo, c) {
		t.Error("officer and investigator may finish")
	}
	if w.MayMake(finish, &Person{ID: "x", Roles: []string{"simo"}}, c) {
		t.Error("a simo who is not the investigator may not finish under this policy")
	}
	if got, want := names(w.Missing(finish, c, nil)), []string{"resolution", "changes"}; !slices.Equal(got, want) {
		t.Errorf("Missing = %v, want %v", got, want)
	}
	c = testCase(t, "done", "category: weakness\ninvestigator: sam\nresolution: Fixed.\n")
	if got, want := names(w.StateMissing(c, nil)), []string{"changes"}; !slices.Equal(got, want) {
		t.Errorf("StateMissing = %v, want %v", got, want)
	}
	// Its states are the ones a register using it checks against.
	fsys := baseRegister(t)
	delete(fsys, "cases/2026/INC-2026-0002/case.md")
	delete(fsys, "minutes/2026/2026-11-05.md")
	fsys["workflow.yaml"] = mapFile(otherPolicy)
	got := loadCheck(t, fsys)
	want := []string{`cases/2026/INC-2026-0001/case.md:4: unknown status "reported"; the workflow's states are: new, assessed, done`}
	if !slices.Equal(got, want) {
		t.Errorf("check with custom workflow:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseWorkflowBad(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       string
	}{
		{"empty_states", "states: []\n", `1: no states defined; list them under states:, one marked initial: true`},
		{"bad_state_name", "states:\n  - name: Open Case\n    initial: true\n", `2: state name "Open Case" must be lowercase letters, digits and dashes`},
		{"duplicate_transition", "states:\n  - name: a\n    initial: true\n  - name: b\ntransitions:\n  - {from: a, to: b, roles: [simo]}\n  - {from: a, to: b, roles: [itparg]}\n",
			`7: transition a -> b is defined twice`},
		{"unknown_field", "states:\n  - name: a\n    initial: true\n    final: true\n", `4: unknown field "states[0].final"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseWorkflow(strings.NewReader(tc.text))
			fs, ok := err.(Findings)
			if !ok || len(fs) != 1 {
				t.Fatalf("err = %v, want one finding", err)
			}
			if got := fs.In("workflow.yaml")[0].String(); got != "workflow.yaml:"+tc.want {
				t.Errorf("got  %s\nwant workflow.yaml:%s", got, tc.want)
			}
		})
	}
}
