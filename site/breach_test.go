package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBreachOccurredAt: the case page shows when the breach happened in
// the breach details, to the audiences that may see breach details and to
// no other, even one the case is shown to.
func TestBreachOccurredAt(t *testing.T) {
	dir := writeRegister(t, map[string]string{
		"register.yaml": "name: R\norganisation: O\naudiences:\n  - name: itparg\n    roles: [itparg]\n  - name: img\n    roles: [img]\n",
		"people.yaml":   people,
		// Shown to img by its audiences, but img may not see breach
		// details.
		"cases/2026/INC-2026-0001/case.md": `---
id: INC-2026-0001
title: Letter to the wrong address
status: investigating
reported_at: 2026-11-27T08:30:00Z
reported_by: alice
personal_data: true
audiences: [itparg, img]
breach:
  occurred_at: 2026-11-20T06:15:00Z
  data_categories: [contact details]
  consequences: BREACHDETAILMARK
---
Body.
`,
		"cases/2026/INC-2026-0002/case.md": "---\nid: INC-2026-0002\ntitle: Not known when\nstatus: investigating\nreported_at: 2026-11-27T08:30:00Z\nreported_by: alice\npersonal_data: true\nbreach:\n  data_categories: [names]\n---\nBody.\n",
	})
	out := build(t, dir, Input{}, Options{})
	read := func(aud, id string) string {
		data, err := os.ReadFile(filepath.Join(out, aud, "cases", id+".html"))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	const label, when = "When the breach happened</dt>", "20 Nov 2026 06:15 GMT"
	page := read("itparg", "INC-2026-0001")
	if !strings.Contains(page, label+`<dd class="govuk-summary-list__value">`+when+"</dd>") {
		t.Errorf("itparg's page of INC-2026-0001 does not say when the breach happened:\n%s", page)
	}
	if page := read("itparg", "INC-2026-0002"); !strings.Contains(page, label+`<dd class="govuk-summary-list__value">Not recorded</dd>`) {
		t.Error("itparg's page of INC-2026-0002 does not say the time of the breach is not recorded")
	}
	page = read("img", "INC-2026-0001")
	for _, s := range []string{label, when, "BREACHDETAILMARK"} {
		if strings.Contains(page, s) {
			t.Errorf("img's page of INC-2026-0001 holds %q, a breach detail img may not see", s)
		}
	}
	for _, f := range files(t, filepath.Join(out, "img")) {
		data, _ := os.ReadFile(filepath.Join(out, "img", f))
		if strings.Contains(string(data), when) || strings.Contains(string(data), "2026-11-20T06:15") {
			t.Errorf("img/%s holds the time of the breach", f)
		}
	}
}
