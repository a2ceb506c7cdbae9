package edit

import (
	"strings"
	"testing"
	"time"

	"github.com/council/register/register"
	"gopkg.in/yaml.v3"
)

var at = register.Time{Time: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}

type op func(doc []byte) ([]byte, error)

func set(path string, v any) op {
	return func(doc []byte) ([]byte, error) { return Set(doc, path, v) }
}

func add(path string, v any) op {
	return func(doc []byte) ([]byte, error) { return Append(doc, path, v) }
}

// md wraps front matter lines in delimiters and a body.
func md(fm string) string { return "---\n" + fm + "---\nThe narrative.\n\n# Notes\nkeep: me\n" }

var editTests = []struct {
	name          string
	before        string
	op            op
	after         string // whole document; "" when an error is wanted
	err           string
	keepWholeBody bool
}{
	{
		name: "scalar keeps comment and neighbours",
		before: md(`id: INC-2026-0001
# where the case is
status: reported   # set by register move

title: "Quoted: stays"
`),
		op: set("status", "triaged"),
		after: md(`id: INC-2026-0001
# where the case is
status: triaged   # set by register move

title: "Quoted: stays"
`),
	},
	{
		name:   "quoted scalar replaced",
		before: md("title: 'It''s odd'   # c\nstatus: x\n"),
		op:     set("title", "plain now"),
		after:  md("title: plain now   # c\nstatus: x\n"),
	},
	{
		name:   "value needing quotes is quoted",
		before: md("title: a\nstatus: x\n"),
		op:     set("title", "a: b # not a comment"),
		after:  md("title: 'a: b # not a comment'\nstatus: x\n"),
	},
	{
		name:   "time written plain",
		before: md("status: x\n"),
		op:     set("reported_at", at),
		after:  md("status: x\nreported_at: 2026-11-28T10:00:00Z\n"),
	},
	{
		name:   "nested creation at the end",
		before: md("id: X\nstatus: x\n\n# trailing comment\n"),
		op:     set("notified.img", at),
		after:  md("id: X\nstatus: x\nnotified:\n  img: 2026-11-28T10:00:00Z\n\n# trailing comment\n"),
	},
	{
		name:   "deeper creation",
		before: md("id: X\n"),
		op:     set("review.minutes", "2026-11-05"),
		after:  md("id: X\nreview:\n  minutes: 2026-11-05\n"),
	},
	{
		name: "field added to existing nested mapping",
		before: md(`ico:
    decision: pending   # DPO to decide
# comment before status
status: investigating
`),
		op: set("ico.decided_by", "dora"),
		after: md(`ico:
    decision: pending   # DPO to decide
    decided_by: dora
# comment before status
status: investigating
`),
	},
	{
		name:   "null parent filled",
		before: md("notified:   # none yet\nstatus: x\n"),
		op:     set("notified.simo", at),
		after:  md("notified:   # none yet\n  simo: 2026-11-28T10:00:00Z\nstatus: x\n"),
	},
	{
		name:   "tilde parent replaced",
		before: md("review: ~\nstatus: x\n"),
		op:     set("review.minutes", "2026-11-05"),
		after:  md("review:\n  minutes: 2026-11-05\nstatus: x\n"),
	},
	{
		name: "block scalar replaced by block scalar",
		before: md(`resolution: |
  Line one.

  # not a comment: part of the text
status: resolved
`),
		op: set("resolution", "New text.\nSecond line.\n"),
		after: md(`resolution: |
  New text.
  Second line.
status: resolved
`),
	},
	{
		name:   "block scalar replaced by plain",
		before: md("resolution: >-\n  folded\n  text\n\nstatus: resolved\n"),
		op:     set("resolution", "short"),
		after:  md("resolution: short\n\nstatus: resolved\n"),
	},
	{
		name:   "plain replaced by block scalar",
		before: md("resolution: short # why\nstatus: resolved\n"),
		op:     set("resolution", "two\nlines"),
		after:  md("resolution: |- # why\n  two\n  lines\nstatus: resolved\n"),
		err:    "",
	},
	{
		name:   "multi-line plain scalar replaced",
		before: md("title: one\n  two three\nstatus: x\n"),
		op:     set("title", "four"),
		after:  md("title: four\nstatus: x\n"),
	},
	{
		name:   "block list replaced by flow-free block list",
		before: md("types:\n  - malware   # first\n  - other\nstatus: x\n"),
		op:     set("types", []string{"theft-or-loss"}),
		after:  md("types:\n  - theft-or-loss\nstatus: x\n"),
	},
	{
		name:   "flow list replaced whole",
		before: md("types: [malware, other]  # what\nstatus: x\n"),
		op:     set("types", []string{"theft-or-loss", "other"}),
		after:  md("types: [theft-or-loss, other]  # what\nstatus: x\n"),
	},
	{
		name:   "mapping replaced by scalar keeps key-line comment",
		before: md("notified: # duties\n  img: 2026-11-01T00:00:00Z\nstatus: x\n"),
		op:     set("notified", nil),
		after:  md("notified: null # duties\nstatus: x\n"),
	},
	{
		name:   "scalar inside flow mapping",
		before: md("ico: {decision: pending, reason: \"n/a\"}  # c\nstatus: x\n"),
		op:     set("ico.decision", "no-notify"),
		after:  md("ico: {decision: no-notify, reason: \"n/a\"}  # c\nstatus: x\n"),
	},
	{
		name:   "field added to flow mapping",
		before: md("notified: {}\nstatus: x\n"),
		op:     set("notified.img", at),
		after:  md("notified: {img: 2026-11-28T10:00:00Z}\nstatus: x\n"),
	},
	{
		name:   "value inside a flow mapping set to a list",
		before: md("ico: {decision: pending, reason: x}\n"),
		op:     set("ico.reason", []string{"a", "b"}),
		after:  md("ico: {decision: pending, reason: [a, b]}\n"),
	},
	{
		name:   "field added to flow mapping keeps the others as written",
		before: md("notified: {service_desk: 2026-11-27T08:31:00Z}   # by phone\nstatus: x\n"),
		op:     set("notified.simo", at),
		after:  md("notified: {service_desk: 2026-11-27T08:31:00Z, simo: 2026-11-28T10:00:00Z}   # by phone\nstatus: x\n"),
	},
	{
		name:   "nested field created inside a flow mapping",
		before: md("ico: {decision: pending}\n"),
		op:     set("review.minutes", "2026-11-05"),
		after:  md("ico: {decision: pending}\nreview:\n  minutes: 2026-11-05\n"),
	},
	{
		name:   "item of a list inside a flow mapping",
		before: md("breach: {data_categories: [health, 'contact details'], people_affected: 3}\n"),
		op:     set("breach.data_categories[1]", "bank details"),
		after:  md("breach: {data_categories: [health, bank details], people_affected: 3}\n"),
	},
	{
		name:   "flow mapping inside a flow list entry gets a field",
		before: md("evidence: [{file: E01-a.pgp}]\n"),
		op:     set("evidence[0].size", 12),
		after:  md("evidence: [{file: E01-a.pgp, size: 12}]\n"),
	},
	{
		name:   "a node value keeps its style",
		before: md("status: x\n"),
		op: set("types", &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Value: "malware"}, {Kind: yaml.ScalarNode, Value: "other"}}}),
		after: md("status: x\ntypes: [malware, other]\n"),
	},
	{
		name:   "struct value without its empty fields",
		before: md("ico: {decision: pending}\nstatus: x\n"),
		op:     set("ico", register.ICO{Decision: "notify", DecidedBy: "dora", DecidedAt: &at}),
		after:  md("ico: {decision: notify, decided_by: dora, decided_at: 2026-11-28T10:00:00Z}\nstatus: x\n"),
	},
	{
		name:   "struct value into a block mapping",
		before: md("review:\n  minutes: 2026-11-01   # first meeting\nstatus: x\n"),
		op:     set("review", register.Review{Minutes: "2026-11-27"}),
		after:  md("review:\n  minutes: 2026-11-27\nstatus: x\n"),
	},
	{
		name:   "explicit empty list",
		before: md("status: x\n"),
		op:     set("lessons", []string{}),
		after:  md("status: x\nlessons: []\n"),
	},
	{
		name:   "time alone in a flow list",
		before: md("a: [x]\n"),
		op:     set("a[0]", at),
		after:  md("a: [2026-11-28T10:00:00Z]\n"),
	},
	{
		name:   "flow mapping rewritten for a field under a null inside it",
		before: md("ico: {decision: pending, extra: , x: 'q'}\n"),
		op:     set("ico.extra.when", at),
		after:  md("ico: {decision: pending, extra: {when: 2026-11-28T10:00:00Z}, x: 'q'}\n"),
	},
	{
		name:   "append to a flow list inside a flow mapping",
		before: md("breach: {data_categories: [health]}\n"),
		op:     add("breach.data_categories", "contact details"),
		after:  md("breach: {data_categories: [health, contact details]}\n"),
	},
	{
		name: "list item field",
		before: md(`evidence:
  - file: E01-a.pgp
    sha256: old   # wrong
  - file: E02-b.pgp
    sha256: old
status: x
`),
		op: set("evidence[1].sha256", "abc"),
		after: md(`evidence:
  - file: E01-a.pgp
    sha256: old   # wrong
  - file: E02-b.pgp
    sha256: abc
status: x
`),
	},
	{
		name:   "list item replaced",
		before: md("lessons:\n- one\n- two # second\nstatus: x\n"),
		op:     set("lessons[1]", "deux"),
		after:  md("lessons:\n- one\n- deux # second\nstatus: x\n"),
	},
	{
		name: "append to block list followed by other keys",
		before: md(`updates:
  - at: 2026-11-01T09:00:00Z
    by: alice
    to: reporter
    note: Looking into it.

  # older updates were by phone
status: x
`),
		op: add("updates", register.Update{At: at, By: "bob", To: "service", Note: "Service restored."}),
		after: md(`updates:
  - at: 2026-11-01T09:00:00Z
    by: alice
    to: reporter
    note: Looking into it.
  - at: 2026-11-28T10:00:00Z
    by: bob
    to: service
    note: Service restored.

  # older updates were by phone
status: x
`),
	},
	{
		name:   "append to compact block list",
		before: md("lessons:\n- one\nstatus: x\n"),
		op:     add("lessons", "two"),
		after:  md("lessons:\n- one\n- two\nstatus: x\n"),
	},
	{
		name:   "append to flow list",
		before: md("types: [malware, other] # c\nstatus: x\n"),
		op:     add("types", "phishing"),
		after:  md("types: [malware, other, phishing] # c\nstatus: x\n"),
	},
	{
		name:   "append to multi-line flow list",
		before: md("types: [malware,\n  other]\nstatus: x\n"),
		op:     add("types", "chain-letter"),
		after:  md("types: [malware,\n  other, chain-letter]\nstatus: x\n"),
	},
	{
		name:   "append to empty flow list makes a block list",
		before: md("lessons: []\nstatus: x\n"),
		op:     add("lessons", "Lock screens."),
		after:  md("lessons:\n  - Lock screens.\nstatus: x\n"),
	},
	{
		name:   "append creates list",
		before: md("status: x\n"),
		op:     add("updates", register.Update{At: at, By: "bob", To: "reporter", Note: "Hello."}),
		after:  md("status: x\nupdates:\n  - at: 2026-11-28T10:00:00Z\n    by: bob\n    to: reporter\n    note: Hello.\n"),
	},
	{
		name: "append custody omits empty reason",
		before: md(`evidence:
  - file: E01-a.pgp
    custody:
      - at: 2026-11-01T09:00:00Z
        by: sam
        action: collected
  - file: E02-b.pgp
`),
		op: add("evidence[0].custody", register.Custody{At: at, By: "sam", Action: "transferred"}),
		after: md(`evidence:
  - file: E01-a.pgp
    custody:
      - at: 2026-11-01T09:00:00Z
        by: sam
        action: collected
      - at: 2026-11-28T10:00:00Z
        by: sam
        action: transferred
  - file: E02-b.pgp
`),
	},
	{
		name:   "append evidence with its custody to a compact list",
		before: md("evidence:\n- file: E01-a.pgp\n  size: 3\nupdates: []\n"),
		op: add("evidence", register.Evidence{File: "E02-b.pgp", SHA256: "ab", Size: 7, CollectedBy: "sam", CollectedAt: at,
			Custody: []register.Custody{{At: at, By: "sam", Action: "collected"}}}),
		after: md("evidence:\n- file: E01-a.pgp\n  size: 3\n- file: E02-b.pgp\n  sha256: ab\n  size: 7\n  collected_by: sam\n  collected_at: 2026-11-28T10:00:00Z\n  custody:\n    - at: 2026-11-28T10:00:00Z\n      by: sam\n      action: collected\nupdates: []\n"),
	},
	{
		name: "minutes: a reviewed case appended, register_head set",
		before: `---
date: 2026-11-27
chair: ivy   # vice-chair in the chair
cases:
  - id: INC-2026-0001
    decision: accepted
register_head: 0000000000000000000000000000000000000000
---
# Minutes
`,
		op: func(doc []byte) ([]byte, error) {
			doc, err := Append(doc, "cases", register.Reviewed{ID: "INC-2026-0002", Decision: "reclassified", ReclassifiedFrom: "unknown", ReclassifiedTo: "event"})
			if err != nil {
				return nil, err
			}
			return Set(doc, "register_head", "1111111111111111111111111111111111111111")
		},
		after: `---
date: 2026-11-27
chair: ivy   # vice-chair in the chair
cases:
  - id: INC-2026-0001
    decision: accepted
  - id: INC-2026-0002
    decision: reclassified
    reclassified_from: unknown
    reclassified_to: event
register_head: "1111111111111111111111111111111111111111"
---
# Minutes
`,
	},
	{
		name:   "append to compact nested list",
		before: md("evidence:\n- file: E01-a.pgp\n  custody:\n  - action: collected\n  size: 3\n"),
		op:     add("evidence[0].custody", map[string]string{"action": "decrypted"}),
		after:  md("evidence:\n- file: E01-a.pgp\n  custody:\n  - action: collected\n  - action: decrypted\n  size: 3\n"),
	},
	{
		name:   "non-ascii before the value",
		before: md("title: Café — “quoted” # ok\nstatus: x\n"),
		op:     set("title", "Tea"),
		after:  md("title: Tea # ok\nstatus: x\n"),
	},
	{
		name:   "body untouched even when it looks like yaml",
		before: "---\nstatus: x\n---\nstatus: y\n---\n",
		op:     set("status", "z"),
		after:  "---\nstatus: z\n---\nstatus: y\n---\n",
	},
	{name: "CRLF refused", before: "---\r\nstatus: x\r\n---\r\n", op: set("status", "y"), err: "CRLF"},
	{name: "BOM refused", before: "\xef\xbb\xbf---\nstatus: x\n---\n", op: set("status", "y"), err: "byte-order mark"},
	{name: "no front matter", before: "status: x\n", op: set("status", "y"), err: "missing front matter"},
	{name: "unclosed", before: "---\nstatus: x\n", op: set("status", "y"), err: "never closed"},
	{name: "invalid yaml", before: md("status: [x\n"), op: set("status", "y"), err: "front matter:"},
	{name: "alias refused", before: md("a: &x 1\nb: *x\n"), op: set("a", 2), err: "anchors and aliases"},
	{name: "index out of range", before: md("lessons: [a]\n"), op: set("lessons[3]", "b"), err: "lessons[3]: no item 3 (the list has 1)"},
	{name: "scalar is not a mapping", before: md("ico: pending\n"), op: set("ico.decision", "notify"), err: "ico.decision: ico is not a mapping of fields"},
	{name: "append to a scalar", before: md("lessons: none\n"), op: add("lessons", "x"), err: "lessons: lessons is not a list"},
	{name: "index into missing list", before: md("a: 1\n"), op: set("evidence[0].file", "x"), err: "evidence[0].file: the front matter does not exist"},
	{name: "bad path", before: md("a: 1\n"), op: set("a..b", 1), err: `bad field name ""`},
	{name: "bad index", before: md("a: 1\n"), op: set("a[x]", 1), err: `bad list index "x"`},
}

func TestEdit(t *testing.T) {
	for _, tt := range editTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.op([]byte(tt.before))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to contain %q; output:\n%s", err, tt.err, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if string(got) != tt.after {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.after)
			}
		})
	}
}
