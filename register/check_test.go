package register

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// TestCheckBreachOccurredAt: a breach is reported after it happens, so
// breach.occurred_at later than reported_at is a finding at the line of
// occurred_at. Times compare as instants, whatever their offsets.
func TestCheckBreachOccurredAt(t *testing.T) {
	const path = "cases/2026/INC-2026-0100/case.md"
	for _, tc := range []struct {
		name, reported, occurred string
		want                     []string
	}{
		{"before", "2026-03-01T09:00:00Z", "2026-02-28T22:00:00Z", nil},
		{"same instant", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", nil},
		{"same instant, another offset", "2026-03-01T09:00:00Z", "2026-03-01T10:00:00+01:00", nil},
		{"not recorded", "2026-03-01T09:00:00Z", "", nil},
		{"after", "2026-03-01T09:00:00Z", "2026-03-02T10:00:00Z", []string{
			path + ":9: breach.occurred_at 2026-03-02T10:00:00Z is after reported_at 2026-03-01T09:00:00Z: a breach is reported after it happens; correct whichever is wrong"}},
		// Earlier as text, later as a time: 08:30 at UTC-1 is 09:30Z.
		{"after, another offset", "2026-03-01T09:00:00Z", "2026-03-01T08:30:00-01:00", []string{
			path + ":9: breach.occurred_at 2026-03-01T08:30:00-01:00 is after reported_at 2026-03-01T09:00:00Z: a breach is reported after it happens; correct whichever is wrong"}},
		// Without reported_at only the missing field is reported.
		{"no reported_at", "", "2026-03-02T10:00:00Z", []string{
			path + `:1: missing field "reported_at" (when the council became aware; it starts the ICO clock)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("---\nid: INC-2026-0100\ntitle: Laptop left on a train\nstatus: reported\n")
			if tc.reported != "" {
				fmt.Fprintf(&b, "reported_at: %s\n", tc.reported)
			}
			b.WriteString("reported_by: alice\npersonal_data: true\nbreach:\n")
			if tc.occurred != "" {
				fmt.Fprintf(&b, "  occurred_at: %s\n", tc.occurred)
			}
			b.WriteString("  people_affected: 12\n---\nBody.\n")
			fsys := baseRegister(t)
			fsys[path] = &fstest.MapFile{Data: []byte(b.String()), Mode: 0o644}
			if got := loadCheck(t, fsys); !slices.Equal(got, tc.want) {
				t.Errorf("findings:\n%s\nwant:\n%s\ncase.md:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"), b.String())
			}
		})
	}
}
