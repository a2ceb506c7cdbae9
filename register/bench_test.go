package register

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkLoadCheck loads and checks a register of 10,000 realistic
// cases (about 2.4 KB each, 1.6 KB of it front matter) and 250 minutes,
// as `register check` does. With
// REGISTER_BENCH_DIR set it writes the register there (and keeps it), so
// testdata/bench/check.sh can time the real binary on the same files.
func BenchmarkLoadCheck(b *testing.B) {
	dir := os.Getenv("REGISTER_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	if _, err := os.Stat(filepath.Join(dir, SettingsFile)); err != nil {
		if err := writeBenchRegister(dir, 10000, 250, 1); err != nil {
			b.Fatal(err)
		}
	}
	fsys := os.DirFS(dir)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, found, err := Load(ctx, fsys)
		if err != nil {
			b.Fatal(err)
		}
		found = append(found, r.Check(ctx, CheckOptions{FS: fsys})...)
		if len(found) > 0 {
			b.Fatalf("the synthetic register has %d findings, first:\n%s", len(found), found[:min(len(found), 5)])
		}
		if len(r.Cases) != 10000 {
			b.Fatalf("loaded %d cases", len(r.Cases))
		}
	}
}

// TestBenchRegisterIsClean checks a small register from the benchmark's
// generator: every state, road and rule it produces passes the checker.
func TestBenchRegisterIsClean(t *testing.T) {
	dir := t.TempDir()
	if err := writeBenchRegister(dir, 400, 10, 2); err != nil {
		t.Fatal(err)
	}
	if got := loadCheck(t, os.DirFS(dir)); len(got) > 0 {
		t.Fatalf("%d findings, first:\n%s", len(got), strings.Join(got[:min(len(got), 10)], "\n"))
	}
}

var benchPeople = []struct{ id, name, role string }{
	{"alice", "Alice Analyst", "business-it"},
	{"bilal", "Bilal Analyst", "business-it"},
	{"chen", "Chen Analyst", "business-it"},
	{"sam", "Sam Simo", "simo"},
	{"sofia", "Sofia Simo", "simo"},
	{"dana", "Dana DPO", "dpo"},
	{"ian", "Ian ITPARG", "itparg"},
	{"isla", "Isla ITPARG", "itparg"},
	{"gwen", "Gwen IMG", "img"},
	{"aud", "Aude Auditor", "audit"},
}

const benchNarrative = `# What happened

%s The reporter noticed it at the start of the working day and called the
service desk, who logged it and passed it to Business IT. No error message
was shown on screen; the symptoms were as described in the report.

# Investigation

The investigator spoke to the reporter and to the service manager, read
the relevant logs and checked whether any other service was affected. The
timeline below is in local time.

- 09:10 reported to the service desk
- 09:40 triaged by Business IT
- 11:00 investigation started; logs preserved
- 15:30 cause understood and contained

# Outcome

The immediate cause was fixed and the owner of the service was told. The
wider lesson is recorded in the front matter for ITPARG to review.
`

var benchTitles = []string{
	"Laptop left on a train", "Phishing email with a fake invoice", "Server room door propped open",
	"Password written on a sticky note", "Letter sent to the wrong address", "Malware blocked on a desktop",
	"Chain letter forwarded to all staff", "Printer queue exposed to the guest network",
	"Old hard drives found in a skip", "Shared account used by a contractor",
}

var benchTypes = []string{"theft-or-loss", "unsolicited-mail", "physical-security", "password-exposure",
	"unauthorised-disclosure", "malware", "chain-letter", "system-malfunction", "inadequate-disposal", "credential-misuse"}

// writeBenchRegister writes a valid synthetic register of n cases and m
// minutes under dir, deterministic for seed.
func writeBenchRegister(dir string, n, m int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 0))
	write := func(p, s string) error {
		p = filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, []byte(s), 0o644)
	}
	if err := write(SettingsFile, "name: Synthetic register\norganisation: Example Borough Council\nid_prefix: INC\ntime_zone: Europe/London\n"); err != nil {
		return err
	}
	var people strings.Builder
	people.WriteString("people:\n")
	for _, p := range benchPeople {
		fmt.Fprintf(&people, "  - id: %s\n    name: %s\n    email: %s@example.gov.uk\n    roles: [%s]\n", p.id, p.name, p.id, p.role)
		if err := write("keys/"+p.id+".asc", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nsynthetic\n-----END PGP PUBLIC KEY BLOCK-----\n"); err != nil {
			return err
		}
	}
	if err := write(PeopleFile, people.String()); err != nil {
		return err
	}

	// Minutes are fortnightly from 2020; each lists the cases it
	// reviewed, a few weeks after they were reported.
	first := time.Date(2020, 1, 9, 0, 0, 0, 0, time.UTC)
	minutesDate := func(k int) time.Time { return first.AddDate(0, 0, 14*k) }
	reviewed := make([][]string, m)

	years := 7
	perYear := (n + years - 1) / years
	for i := range n {
		year := 2020 + i/perYear
		id := FormatID("INC", year, i%perYear+1)
		reportedAt := time.Date(year, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 8+rng.IntN(9), rng.IntN(60), 0, 0, time.UTC)
		ts := func(h int) string { return reportedAt.Add(time.Duration(h) * time.Hour).Format(time.RFC3339) }
		state := []string{"reported", "triaged", "investigating", "resolved", "reviewed",
			"closed", "closed", "closed", "closed", "closed", "closed", "closed"}[rng.IntN(12)]
		category := []string{"event", "weakness", "incident", "incident"}[rng.IntN(4)]
		pd := category != "event" && rng.IntN(3) == 0
		shortcut := state == "closed" && category == "event"
		investigator := benchPeople[rng.IntN(3)].id
		if pd {
			investigator = []string{"sam", "sofia"}[rng.IntN(2)]
		}
		var b strings.Builder
		fmt.Fprintf(&b, "---\nid: %s\ntitle: %s\nstatus: %s\nreported_at: %s\nreported_by: member of staff in %s\nreported_to: [service-desk]\nline_manager: %s\n",
			id, benchTitles[rng.IntN(len(benchTitles))], state, reportedAt.Format(time.RFC3339),
			[]string{"Revenues", "Housing", "Planning", "Libraries"}[rng.IntN(4)], benchPeople[rng.IntN(3)].id)
		if state != "reported" {
			fmt.Fprintf(&b, "category: %s\ntypes: [%s]\nimpact: [confidentiality, integrity]\npersonal_data: %v\nhard_copy: false\nservice_affecting: true\nmajor: false\ninvestigator: %s\n",
				category, benchTypes[rng.IntN(len(benchTypes))], pd, investigator)
		}
		later := state != "reported" && state != "triaged" && state != "investigating"
		if later || state == "investigating" {
			fmt.Fprintf(&b, "notified:\n  service_desk: %s\n  service_owner: %s\n  internal_audit: %s\n  img: %s\n", ts(1), ts(2), ts(3), ts(4))
		}
		if later && pd {
			fmt.Fprintf(&b, "ico:\n  decision: notify\n  decided_by: dana\n  decided_at: %s\n  notified_at: %s\n  reference: ICO-%08d\n", ts(20), ts(40), rng.IntN(1e8))
			fmt.Fprintf(&b, "breach:\n  data_categories: [names, addresses, council tax account numbers]\n  special_category: false\n  people_affected: %d\n  records_affected: %d\n  consequences: Possible distress; no financial loss expected.\n  measures: Recipient confirmed deletion; staff reminded to check addresses.\n  subjects_told: yes\n",
				1+rng.IntN(200), 1+rng.IntN(500))
		}
		if later || shortcut {
			b.WriteString("resolution: The cause was fixed and the service owner agreed the outcome.\n")
		}
		if later {
			if rng.IntN(2) == 0 {
				fmt.Fprintf(&b, "changes: [CHG-%d-%04d]\n", year, rng.IntN(10000))
			} else {
				b.WriteString("no_change_reason: No system was changed; the fix was a reminder to staff.\n")
			}
		}
		if (state == "reviewed" || state == "closed") && !shortcut {
			k := min(int(reportedAt.Sub(first).Hours())/(24*14)+2+rng.IntN(4), m-1)
			reviewed[k] = append(reviewed[k], id)
			fmt.Fprintf(&b, "review:\n  minutes: %s\n", minutesDate(k).Format(DateLayout))
		}
		if state == "closed" && !shortcut {
			b.WriteString("lessons:\n  - Remind staff how to report quickly.\n  - Check the same control in other services.\n  - Add the case to the next awareness bulletin for all staff.\n")
		}
		// No evidence: register check inspects every evidence file as an
		// OpenPGP message, which needs genuine keys and ciphertext; the
		// evidence package measures that on its own.
		b.WriteString("updates:\n")
		fmt.Fprintf(&b, "  - at: %s\n    by: %s\n    to: reporter\n    note: Thank you for reporting this; we have logged it and an analyst will look into it today.\n", ts(1), investigator)
		fmt.Fprintf(&b, "  - at: %s\n    by: %s\n    to: service\n    note: >-\n      The service owner has been told what happened, which systems are\n      involved and what we are doing; no change to service levels is expected.\n", ts(6), investigator)
		for u := range 2 + rng.IntN(3) {
			fmt.Fprintf(&b, "  - at: %s\n    by: %s\n    to: %s\n    note: Progress so far - logs reviewed, accounts checked and the reporter's questions answered (%d).\n",
				ts(24*(u+1)), investigator, []string{"reporter", "service"}[u%2], u+1)
		}
		b.WriteString("---\n")
		fmt.Fprintf(&b, benchNarrative, benchTitles[rng.IntN(len(benchTitles))]+".")
		if err := write(CasePath(id), b.String()); err != nil {
			return err
		}
	}
	for k := range m {
		date := minutesDate(k).Format(DateLayout)
		var b strings.Builder
		fmt.Fprintf(&b, "---\ndate: %s\nchair: ian\nsecretary: isla\nattendees: [ian, isla, sam, dana]\napologies: [gwen]\n", date)
		if len(reviewed[k]) > 0 {
			b.WriteString("cases:\n")
			for _, id := range reviewed[k] {
				fmt.Fprintf(&b, "  - id: %s\n    decision: accepted\n", id)
			}
		}
		fmt.Fprintf(&b, "actions:\n  - id: A-%s-1\n    action: Report back on the awareness campaign\n    owner: alice\n    due: %s\n    status: open\n---\n# Minutes\n\nThe group reviewed the cases listed above.\n",
			date, minutesDate(k+4).Format(DateLayout))
		if err := write(MinutesPath(date), b.String()); err != nil {
			return err
		}
	}
	return nil
}
