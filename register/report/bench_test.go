package report

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"testing/fstest"
	"time"

	"github.com/council/register/register"
)

// benchRegister is a synthetic register of n cases over two years, with
// a minutes file a month setting two actions each.
func benchRegister(b *testing.B, n int) *register.Register {
	b.Helper()
	fsys := fstest.MapFS{
		"register.yaml": {Data: []byte("name: Bench\norganisation: Example Council\n")},
		"people.yaml":   fixture["people.yaml"],
	}
	states := []string{"reported", "triaged", "investigating", "resolved", "reviewed", "closed"}
	start := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range n {
		at := start.Add(time.Duration(i) * 2 * time.Hour)
		id := fmt.Sprintf("INC-%d-%04d", at.Year(), i+1)
		fsys[fmt.Sprintf("cases/%d/%s/case.md", at.Year(), id)] = &fstest.MapFile{Data: fmt.Appendf(nil,
			"---\nid: %s\ntitle: Case %d\nstatus: %s\nreported_at: %s\ncategory: %s\ntypes: [%s]\nimpact: [%s]\npersonal_data: %v\n---\nBody.\n",
			id, i, states[i%len(states)], at.Format(time.RFC3339), register.Categories[i%4], register.Types[i%len(register.Types)],
			register.Impacts[i%3], i%5 == 0)}
	}
	for m := range 24 {
		d := start.AddDate(0, m, 4)
		fsys[fmt.Sprintf("minutes/%d/%s.md", d.Year(), d.Format(register.DateLayout))] = &fstest.MapFile{Data: fmt.Appendf(nil,
			"---\ndate: %s\nchair: bob\nactions:\n  - {id: A1, action: Do, owner: alice, due: %s, status: open}\n  - {id: A2, action: Do, owner: bob, due: %s, status: done}\n---\n",
			d.Format(register.DateLayout), d.AddDate(0, 1, 0).Format(register.DateLayout), d.AddDate(0, 1, 0).Format(register.DateLayout))}
	}
	r, found, err := register.Load(context.Background(), fsys)
	if err != nil || len(found) > 0 {
		b.Fatalf("load: %v %v", err, found[:min(3, len(found))])
	}
	return r
}

// BenchmarkReport: a year's summary of a 10,000-case register, computed
// and rendered as HTML.
func BenchmarkReport(b *testing.B) {
	r := benchRegister(b, 10000)
	opts := Options{From: date("2025-06-01"), To: date("2026-05-31"), Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	b.ResetTimer()
	for b.Loop() {
		s, err := Summarise(context.Background(), r, opts)
		if err != nil {
			b.Fatal(err)
		}
		if err := HTML(io.Discard, s, HTMLOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBreachesCSV: the Art. 33(5) record of the same register.
func BenchmarkBreachesCSV(b *testing.B) {
	r := benchRegister(b, 10000)
	var buf bytes.Buffer
	b.ResetTimer()
	for b.Loop() {
		buf.Reset()
		if err := BreachesCSV(&buf, Breaches(r, nil), r.Settings.Location()); err != nil {
			b.Fatal(err)
		}
	}
}
