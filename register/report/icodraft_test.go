package report

import (
	"bytes"
	"encoding/csv"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/council/register/register"
)

func parseCase(t *testing.T, front string) *register.Case {
	t.Helper()
	c, err := register.ParseCase(strings.NewReader("---\n" + front + "\n---\nA laptop was left on a train.\n"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const happened = "breach.occurred_at"

func TestICODraftMissing(t *testing.T) {
	r := loadFixture(t)
	for _, tc := range []struct {
		name    string
		c       *register.Case
		now     time.Time
		kind    string
		missing []string // the case fields named, in the order asked
	}{
		{"complete follow-up", r.Case("INC-2026-0003"), fixtureNow,
			"Follow-up report to the report made 2026-04-04T00:30:00+01:00, ICO reference ICO-1",
			nil},
		{"nothing yet, and late", r.Case("INC-2026-0005"), fixtureNow, "Initial report",
			[]string{happened, "breach.data_categories", "breach.special_category", "breach.people_affected",
				"breach.records_affected", "breach.consequences", "breach.measures", "breach.subjects_told",
				"ico.late_reason", "ico.decided_by"}},
		{"notified late with reason, no reference", r.Case("INC-2026-0004"), fixtureNow, "Follow-up report",
			[]string{"ico.reference", happened, "breach.data_categories", "breach.special_category", "breach.people_affected",
				"breach.records_affected", "breach.consequences", "breach.measures", "breach.subjects_told", "ico.decided_by"}},
		{"within the deadline, subjects not told without reason", parseCase(t, `id: INC-2026-0009
title: Laptop lost
status: investigating
reported_at: 2026-06-14T12:00:00Z
personal_data: true
ico: {decision: notify, decided_by: dee}
breach:
  data_categories: [names]
  special_category: false
  people_affected: 0
  records_affected: 3
  consequences: Little
  measures: Remote wipe
  subjects_told: "no"`), fixtureNow, "Initial report",
			[]string{happened, "breach.subjects_reason"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := NewICODraft(r, tc.c, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, g := range d.Missing {
				got = append(got, g.Field)
			}
			if !slices.Equal(got, tc.missing) {
				t.Errorf("missing:\n got %q\nwant %q", got, tc.missing)
			}
			if !strings.Contains(d.Text, "Is this an initial or a follow-up report?\n"+tc.kind) {
				t.Errorf("report kind not %q:\n%s", tc.kind, d.Text)
			}
			for _, g := range d.Missing {
				if !strings.Contains(d.Text, "- "+g.Question+" — fill "+g.Field+"\n") {
					t.Errorf("text does not list %v", g)
				}
			}
		})
	}
}

func TestICODraftFilled(t *testing.T) {
	r := loadFixture(t)
	d, err := NewICODraft(r, r.Case("INC-2026-0003"), fixtureNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Organisation\nExample Council\n",
		"What has happened?\nLost files\n\nNarrative.\n",
		"When did you discover the breach?\n2026-04-01T00:30:00+01:00\n",
		"What categories of personal data are involved?\nnames, addresses\n",
		"Does it involve special category or criminal offence data?\nNo\n",
		"Approximately how many people are affected?\nAbout 40\n",
		"Approximately how many personal data records are involved?\nAbout 120\n",
		"Have you told the people affected?\nYes\n",
		"Who should the ICO contact? (the DPO who decided to notify)\nDee Dpo <dee@example.gov.uk>, Data Protection Officer\n",
	} {
		if !strings.Contains(d.Text, want) {
			t.Errorf("draft lacks %q:\n%s", want, d.Text)
		}
	}
	if strings.Contains(d.Text, "more than 72 hours") {
		t.Error("a report exactly at the deadline is not late")
	}
}

func TestICODraftRefusesNoPersonalData(t *testing.T) {
	r := loadFixture(t)
	if _, err := NewICODraft(r, r.Case("INC-2026-0002"), fixtureNow); !errors.Is(err, ErrNoPersonalData) {
		t.Errorf("err = %v", err)
	}
}

func TestBreaches(t *testing.T) {
	r := loadFixture(t)
	cases := Breaches(r, nil)
	var ids []string
	for _, c := range cases {
		ids = append(ids, c.ID)
	}
	// Every personal-data case, notified (0003, 0004), not notified
	// (0006) or undecided (0005).
	if !slices.Equal(ids, []string{"INC-2026-0003", "INC-2026-0004", "INC-2026-0005", "INC-2026-0006"}) {
		t.Errorf("breaches = %v", ids)
	}
	var b bytes.Buffer
	if err := BreachesCSV(&b, cases, r.Settings.Location()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || !slices.Equal(rows[0], BreachColumns) {
		t.Fatalf("rows = %q", rows)
	}
	want := []string{"INC-2026-0003", "Lost files", "resolved", "2026-03-31T19:00:00+01:00", "2026-04-01T00:30:00+01:00",
		"theft-or-loss; unauthorised-disclosure; theft-or-loss", "names; addresses", "no", "40", "120",
		"Distress", "Files recovered", "", "yes", "", "notify", "dee", "2026-04-02T11:00:00+01:00",
		"2026-04-04T00:30:00+01:00", "ICO-1", "", ""}
	if !slices.Equal(rows[1], want) {
		t.Errorf("row:\n got %q\nwant %q", rows[1], want)
	}
	if rows[2][3] != "" { // INC-2026-0004 has no breach.occurred_at
		t.Errorf("occurred cell of a case without breach.occurred_at: %q", rows[2])
	}
	if rows[4][15] != "no-notify" || rows[4][20] != "No risk to people" || rows[3][15] != "pending" {
		t.Errorf("decisions: %q %q", rows[4], rows[3])
	}
	none := Breaches(r, func(c *register.Case) bool { return false })
	if len(none) != 0 {
		t.Error("visibility filter ignored")
	}
}
