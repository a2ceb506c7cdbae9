package register

import (
	"slices"
	"strings"
	"testing"
)

// testPeople holds one person in each role the built-in workflow names.
func testPeople(t testing.TB) *People {
	t.Helper()
	ps, err := ParsePeople(strings.NewReader(`people:
  - id: alice
    name: Alice Analyst
    email: alice@example.gov.uk
    roles: [business-it]
  - id: lena
    name: Lena Line-Manager
    email: lena@example.gov.uk
    roles: [img]
  - id: sam
    name: Sam Simo
    email: sam@example.gov.uk
    roles: [simo]
  - id: dana
    name: Dana DPO
    email: dana@example.gov.uk
    roles: [dpo]
  - id: ian
    name: Ian ITPARG
    email: ian@example.gov.uk
    roles: [itparg]
`))
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// testMinutes lists INC-2026-0100 (and only it) in minutes 2026-11-05.
func testMinutes(t testing.TB) func(string) *Minutes {
	t.Helper()
	m, err := ParseMinutes(strings.NewReader("---\ndate: 2026-11-05\nchair: ian\ncases:\n  - id: INC-2026-0100\n    decision: accepted\n---\n"))
	if err != nil {
		t.Fatal(err)
	}
	m.ID = "2026-11-05"
	return func(id string) *Minutes {
		if id == m.ID {
			return m
		}
		return nil
	}
}

func testEnv(t testing.TB) *Env {
	return &Env{Settings: DefaultSettings(), People: testPeople(t), Minutes: testMinutes(t)}
}

// testCase parses a case INC-2026-0100 with the given extra front-matter
// fields.
func testCase(t testing.TB, status, fields string) *Case {
	t.Helper()
	c, err := ParseCase(strings.NewReader("---\nid: INC-2026-0100\ntitle: Test case\nstatus: " + status +
		"\nreported_at: 2026-03-01T09:00:00Z\nreported_by: alice\n" + fields + "---\nNarrative.\n"))
	if err != nil {
		t.Fatalf("test case does not parse: %v\n%s", err, fields)
	}
	return c
}

const (
	icoNotify   = "personal_data: true\nico:\n  decision: notify\n  decided_by: dana\n  decided_at: 2026-03-02T09:00:00Z\n"
	icoNoNotify = "personal_data: true\nico:\n  decision: no-notify\n  decided_by: dana\n  decided_at: 2026-03-02T09:00:00Z\n"
	breachFull  = "personal_data: true\nbreach:\n  data_categories: [names, addresses]\n  people_affected: 40\n  consequences: Possible distress.\n  measures: Recalled the mail.\n"
)

// requirementTests gives, for every requirement, cases that meet it and
// cases that do not. The label starts with "met" or "missing".
var requirementTests = map[string][]struct {
	label  string
	fields string
	old    string // fields of the case before the change, for reopen-reason
}{
	"category": {
		{"met", "category: event\n", ""},
		{"missing", "", ""},
	},
	"types": {
		{"met", "types: [malware]\n", ""},
		{"missing", "types: []\n", ""},
	},
	"impact": {
		{"met", "impact: [integrity]\n", ""},
		{"missing", "", ""},
	},
	"investigator": {
		{"met", "investigator: alice\n", ""},
		{"missing", "", ""},
	},
	"personal-data-investigator": {
		{"met", "personal_data: true\ninvestigator: sam\n", ""},
		{"met/no_personal_data", "investigator: alice\n", ""},
		{"missing", "personal_data: true\ninvestigator: alice\n", ""},
		{"missing/unknown_person", "personal_data: true\ninvestigator: nobody\n", ""},
	},
	"hard-copy-investigator": {
		{"met/simo", "hard_copy: true\ninvestigator: sam\n", ""},
		{"met/line_manager", "hard_copy: true\nline_manager: lena\ninvestigator: lena\n", ""},
		{"missing", "hard_copy: true\nline_manager: lena\ninvestigator: alice\n", ""},
	},
	"event-without-personal-data": {
		{"met", "category: event\n", ""},
		{"missing/personal_data", "category: event\npersonal_data: true\n", ""},
		{"missing/weakness", "category: weakness\n", ""},
	},
	"resolution": {
		{"met", "resolution: Mail recalled.\n", ""},
		{"missing", "", ""},
	},
	"changes": {
		{"met/changes", "changes: [CHG-2026-0042]\n", ""},
		{"met/no_change_reason", "no_change_reason: Nothing was changed.\n", ""},
		{"missing", "", ""},
	},
	"ico-decision": {
		{"met/notify", icoNotify, ""},
		{"met/no-notify", icoNoNotify + "  reason: Encrypted laptop; no risk to people.\n", ""},
		{"met/no_personal_data", "", ""},
		{"missing/no-notify_without_reason", icoNoNotify, ""},
		{"missing/pending", "personal_data: true\nico:\n  decision: pending\n", ""},
		{"missing/not_dpo", strings.Replace(icoNotify, "dana", "sam", 1), ""},
		{"missing/no_decided_at", "personal_data: true\nico:\n  decision: notify\n  decided_by: dana\n", ""},
		{"missing/no_ico", "personal_data: true\n", ""},
	},
	"ico-deadline": {
		{"met", icoNotify + "  notified_at: 2026-03-04T09:00:00Z\n", ""},
		{"met/late_with_reason", icoNotify + "  notified_at: 2026-03-04T09:00:01Z\n  late_reason: The breach came to light over a bank holiday.\n", ""},
		{"met/no-notify", icoNoNotify, ""},
		{"missing/late", icoNotify + "  notified_at: 2026-03-04T09:00:01Z\n", ""},
		{"missing/not_notified", icoNotify, ""},
	},
	"breach-details": {
		{"met", breachFull + "  subjects_told: yes\n", ""},
		{"met/not_told_with_reason", breachFull + "  subjects_told: no\n  subjects_reason: Not likely to result in a high risk.\n", ""},
		{"met/no_personal_data", "", ""},
		{"missing/not_told_without_reason", breachFull + "  subjects_told: no\n", ""},
		{"missing/no_breach", "personal_data: true\n", ""},
	},
	"service-owner-notified": {
		{"met", "service_affecting: true\nnotified:\n  service_owner: 2026-03-01T10:00:00Z\n", ""},
		{"met/not_service_affecting", "", ""},
		{"missing", "service_affecting: true\nnotified:\n  img: 2026-03-01T10:00:00Z\n", ""},
	},
	"internal-audit-notified": {
		{"met", "category: incident\nnotified:\n  internal_audit: 2026-03-01T10:00:00Z\n", ""},
		{"met/weakness", "category: weakness\n", ""},
		{"missing", "category: incident\n", ""},
	},
	"img-notified": {
		{"met", "category: incident\nnotified:\n  img: 2026-03-01T10:00:00Z\n", ""},
		{"met/event", "category: event\n", ""},
		{"missing", "category: incident\nnotified:\n  internal_audit: 2026-03-01T10:00:00Z\n", ""},
	},
	"reporter-updated": {
		{"met", "updates:\n  - at: 2026-03-02T09:00:00Z\n    by: alice\n    to: reporter\n    note: We are looking into it.\n", ""},
		{"missing/only_service", "updates:\n  - at: 2026-03-02T09:00:00Z\n    by: alice\n    to: service\n    note: Mail may be slow.\n", ""},
		{"missing", "", ""},
	},
	"review-minutes": {
		{"met", "review:\n  minutes: 2026-11-05\n", ""},
		{"missing/not_listed", "review:\n  minutes: 2026-12-01\n", ""},
		{"missing", "", ""},
	},
	"category-known": {
		{"met", "category: weakness\n", ""},
		{"missing", "category: unknown\n", ""},
	},
	"lessons": {
		{"met", "lessons: [Lock screens when away]\n", ""},
		{"met/explicit_none", "lessons: []\n", ""},
		{"missing", "", ""},
	},
	"reopen-reason": {
		{"met", "updates:\n  - at: 2026-03-02T09:00:00Z\n    by: ian\n    to: service\n    note: Reopened because the fault came back.\n", "status: closed\n"},
		{"missing", "updates:\n  - at: 2026-03-02T09:00:00Z\n    by: ian\n    to: service\n    note: Old update.\n",
			"updates:\n  - at: 2026-03-02T09:00:00Z\n    by: ian\n    to: service\n    note: Old update.\n"},
	},
}

// TestRequirements checks each workflow requirement against a case that
// meets it and one that does not, named after the policy § it enforces.
func TestRequirements(t *testing.T) {
	env := testEnv(t)
	for _, r := range Requirements() {
		rows, ok := requirementTests[r.Name]
		if !ok {
			t.Errorf("requirement %s (%s) has no tests", r.Name, r.Section)
			continue
		}
		if r.Section == "" || r.Field == "" || r.Text == "" {
			t.Errorf("requirement %s lacks a section, field or text", r.Name)
		}
		t.Run(r.Section+" "+r.Name, func(t *testing.T) {
			sawMet, sawMissing := false, false
			for _, row := range rows {
				t.Run(row.label, func(t *testing.T) {
					c := testCase(t, "investigating", row.fields)
					e := *env
					if row.old != "" {
						e.Old = testCase(t, "closed", strings.Replace(row.old, "status: closed\n", "", 1))
					}
					want := strings.HasPrefix(row.label, "met")
					if got := r.Met(c, &e); got != want {
						t.Errorf("Met = %v, want %v for:\n%s", got, want, row.fields)
					}
				})
				sawMet = sawMet || strings.HasPrefix(row.label, "met")
				sawMissing = sawMissing || strings.HasPrefix(row.label, "missing")
			}
			if !sawMet || !sawMissing {
				t.Errorf("requirement %s needs a met and a missing case", r.Name)
			}
		})
	}
	for name := range requirementTests {
		if _, ok := requirements[name]; !ok {
			t.Errorf("tests for unknown requirement %s", name)
		}
	}
}

// The reopen-reason requirement on the working tree (no old case) asks
// for at least one update.
func TestReopenReasonWithoutHistory(t *testing.T) {
	r := requirements["reopen-reason"]
	if r.Met(testCase(t, "investigating", ""), &Env{}) {
		t.Error("met without any update")
	}
	if !r.Met(testCase(t, "investigating", "updates:\n  - at: 2026-03-02T09:00:00Z\n    by: ian\n    to: service\n    note: Reopened.\n"), nil) {
		t.Error("not met with an update and no env")
	}
}

// A requirement's message ends "needs …" with its §.
func TestRequirementString(t *testing.T) {
	got := requirements["changes"].String()
	want := "change-management references in changes, or a no_change_reason (§4.5)"
	if got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	names := strings.Split(requirementNames(), ", ")
	if !slices.IsSorted(names) || len(names) != len(requirements) {
		t.Errorf("requirementNames() = %v", names)
	}
}
