package edit

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/council/register/register"
	"gopkg.in/yaml.v3"
)

// Cases written the ways people write them: comments, flow and block
// lists, compact lists, block scalars, nested mappings.
var propertyCases = []string{
	`---
# Reported by phone to the service desk.
id: INC-2026-0007
title: "Laptop left on a train"
status: investigating   # moved by alice
reported_at: 2026-03-01T09:00:00Z
reported_by: a member of staff
reported_to: [line-manager, service-desk]
category: incident
types: [theft-or-loss]
impact:
  - confidentiality
personal_data: true
investigator: sam

notified:
  service_desk: 2026-03-01T09:30:00Z   # same morning
ico:
  decision: pending
breach:
  data_categories: [contact details]
  people_affected: 40
evidence:
- file: E01-report.pdf.pgp
  sha256: 0000000000000000000000000000000000000000000000000000000000000000
  size: 1024
  collected_by: sam
  collected_at: 2026-03-02T10:00:00Z
  description: Police report
  custody:
  - at: 2026-03-02T10:00:00Z
    by: sam
    action: collected
updates:
  - at: 2026-03-01T12:00:00Z
    by: alice
    to: reporter
    note: |
      We are looking into it.
      # This line is text, not a comment.

# Lessons come after review.
---
The laptop was left on the 08:12 train.

---
Not front matter.
`,
	`---
id: INC-2025-0101
title: Phishing email
status: resolved
reported_at: 2025-12-30T23:59:59+00:00
reported_by: bob
category: event
types:
- unsolicited-mail
- other
impact: [integrity]
resolution: >-
  Blocked the sender
  at the gateway.
no_change_reason: nothing to change
lessons: []
---
Body.
`,
	`---
id: INC-2024-0002
title: Door left open
status: reported
reported_at: 2024-01-02T08:00:00Z
reported_by: carol
hard_copy: true
notified: {}
---
`,
}

var words = []string{"server", "room", "door", "café", "“quoted”", "a: b", "x #y", "'", "\"", "- dash", "[", "{x}", "*star", "&amp", "!bang",
	"|pipe", ">gt", "%pc", "@at", "yes", "null", "123", "2026-01-01", "~", "tab\there", "  ", "\n  indented", "#hash", ": colon", "0x1F", "+1", "back\\slash", "é"}

func text(r *rand.Rand, multiline bool) string {
	var b strings.Builder
	n := 1 + r.Intn(6)
	for i := 0; i < n; i++ {
		if i > 0 {
			if multiline && r.Intn(4) == 0 {
				b.WriteString("\n")
			} else {
				b.WriteString(" ")
			}
		}
		b.WriteString(words[r.Intn(len(words))])
	}
	if multiline && r.Intn(2) == 0 {
		b.WriteString("\n")
	}
	return b.String()
}

func when(r *rand.Rand) register.Time {
	return register.Time{Time: time.Date(2026, 1+time.Month(r.Intn(12)), 1+r.Intn(28), r.Intn(24), r.Intn(60), 0, 0, time.UTC)}
}

// change is an edit of the file and the same change made to the struct.
type change struct {
	desc  string
	edit  func(doc []byte) ([]byte, error)
	apply func(c *register.Case)
}

func randomChange(r *rand.Rand, c *register.Case) change {
	for {
		switch r.Intn(14) {
		case 0:
			s := []string{"reported", "triaged", "investigating", "resolved", "reviewed", "closed"}[r.Intn(6)]
			return change{"status " + s, set("status", s).f(), func(c *register.Case) { c.Status = s }}
		case 1:
			s := text(r, false)
			return change{"title " + s, set("title", s).f(), func(c *register.Case) { c.Title = s }}
		case 2:
			s := text(r, true)
			return change{"resolution", set("resolution", s).f(), func(c *register.Case) { c.Resolution = s }}
		case 3:
			d := register.Duties[r.Intn(len(register.Duties))]
			t := when(r)
			return change{"notified." + d, set("notified."+d, t).f(), func(c *register.Case) {
				if c.Notified == nil {
					c.Notified = map[register.Duty]register.Time{}
				}
				c.Notified[register.Duty(d)] = t
			}}
		case 4:
			d := register.ICODecisions[r.Intn(3)]
			return change{"ico.decision", set("ico.decision", d).f(), func(c *register.Case) {
				if c.ICO == nil {
					c.ICO = &register.ICO{}
				}
				c.ICO.Decision = register.Decision(d)
			}}
		case 5:
			t := when(r)
			return change{"ico.decided_at", set("ico.decided_at", t).f(), func(c *register.Case) {
				if c.ICO == nil {
					c.ICO = &register.ICO{}
				}
				c.ICO.DecidedAt = &t
			}}
		case 6:
			u := register.Update{At: when(r), By: "alice", To: []string{"reporter", "service"}[r.Intn(2)], Note: text(r, true)}
			return change{"append update", add("updates", u).f(), func(c *register.Case) { c.Updates = append(c.Updates, u) }}
		case 7:
			s := text(r, false)
			return change{"append lesson", add("lessons", s).f(), func(c *register.Case) { c.Lessons = append(c.Lessons, s) }}
		case 8:
			ty := register.Types[r.Intn(len(register.Types))]
			return change{"append type", add("types", ty).f(), func(c *register.Case) { c.Types = append(c.Types, register.Type(ty)) }}
		case 9:
			if len(c.Evidence) == 0 {
				continue
			}
			i := r.Intn(len(c.Evidence))
			k := register.Custody{At: when(r), By: "sam", Action: "decrypted", Reason: text(r, false)}
			p := fmt.Sprintf("evidence[%d].custody", i)
			return change{"append " + p, add(p, k).f(), func(c *register.Case) { c.Evidence[i].Custody = append(c.Evidence[i].Custody, k) }}
		case 10:
			if len(c.Evidence) == 0 {
				continue
			}
			i := r.Intn(len(c.Evidence))
			s := text(r, true)
			p := fmt.Sprintf("evidence[%d].description", i)
			return change{"set " + p, set(p, s).f(), func(c *register.Case) { c.Evidence[i].Description = s }}
		case 11:
			n := r.Intn(1000)
			return change{"breach.records_affected", set("breach.records_affected", n).f(), func(c *register.Case) {
				if c.Breach == nil {
					c.Breach = &register.Breach{}
				}
				c.Breach.RecordsAffected = n
			}}
		case 12:
			im := []register.Impact{"availability"}
			if r.Intn(2) == 0 {
				im = append(im, "integrity")
			}
			return change{"impact", set("impact", im).f(), func(c *register.Case) { c.Impact = im }}
		case 13:
			if len(c.Lessons) == 0 {
				continue
			}
			i := r.Intn(len(c.Lessons))
			s := text(r, false)
			return change{fmt.Sprintf("lessons[%d]", i), set(fmt.Sprintf("lessons[%d]", i), s).f(), func(c *register.Case) { c.Lessons[i] = s }}
		}
	}
}

func (o op) f() func([]byte) ([]byte, error) { return o }

// snapshot renders a case's exported fields, to compare two cases.
func snapshot(t *testing.T, c *register.Case) string {
	out, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestRandomEdits makes random sequences of edits to case files and checks
// that each result parses with register.ParseCase, changes exactly the
// intended field, and leaves the body alone.
func TestRandomEdits(t *testing.T) {
	seed, runs := int64(1), 400
	if v := os.Getenv("EDIT_SEED"); v != "" {
		seed, _ = strconv.ParseInt(v, 10, 64)
		runs = 5000
	}
	r := rand.New(rand.NewSource(seed))
	for i := 0; i < runs; i++ {
		doc := []byte(propertyCases[i%len(propertyCases)])
		c, err := register.ParseCase(bytes.NewReader(doc))
		if err != nil {
			t.Fatalf("base case %d: %v", i%len(propertyCases), err)
		}
		body := string(c.Body())
		var history []string
		for step := 0; step < 8; step++ {
			ch := randomChange(r, c)
			history = append(history, ch.desc)
			next, err := ch.edit(doc)
			if err != nil {
				t.Fatalf("run %d: %s: %v\nbefore:\n%s", i, strings.Join(history, "; "), err, doc)
			}
			nc, err := register.ParseCase(bytes.NewReader(next))
			if err != nil {
				t.Fatalf("run %d: %s: result does not parse: %v\n%s", i, strings.Join(history, "; "), err, next)
			}
			ch.apply(c)
			if got, want := snapshot(t, nc), snapshot(t, c); got != want {
				t.Fatalf("run %d: %s: changed more or less than intended\nfile:\n%s\ngot:\n%s\nwant:\n%s", i, strings.Join(history, "; "), next, got, want)
			}
			if string(nc.Body()) != body {
				t.Fatalf("run %d: %s: body changed", i, strings.Join(history, "; "))
			}
			doc, c = next, nc
		}
	}
}
