package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"html/template"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func fixtureSummary(t *testing.T, from, to string) *Summary {
	t.Helper()
	s, err := Summarise(context.Background(), loadFixture(t), Options{From: date(from), To: date(to), Now: fixtureNow, Timeline: fixtureTimeline})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkHTML parses a page and checks what every page of ours must be:
// no script, no style attribute, unique ids, and every chart an
// accessible image whose title and description exist.
func checkHTML(t *testing.T, page []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	var charts int
	var walk func(n *html.Node)
	var labelled [][]string
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.Data == "script" {
				t.Error("page has a script element")
			}
			for _, a := range n.Attr {
				switch {
				case a.Key == "style":
					t.Errorf("<%s> has a style attribute", n.Data)
				case strings.HasPrefix(a.Key, "on"):
					t.Errorf("<%s> has an event handler %s", n.Data, a.Key)
				case a.Key == "id":
					if ids[a.Val] {
						t.Errorf("duplicate id %q", a.Val)
					}
					ids[a.Val] = true
				}
			}
			if n.Data == "svg" {
				charts++
				if attr(n, "role") != "img" {
					t.Error("svg without role=img")
				}
				refs := strings.Fields(attr(n, "aria-labelledby"))
				if len(refs) != 2 {
					t.Errorf("svg aria-labelledby = %q", attr(n, "aria-labelledby"))
				}
				labelled = append(labelled, refs)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, refs := range labelled {
		for _, id := range refs {
			if !ids[id] {
				t.Errorf("aria-labelledby names missing id %q", id)
			}
		}
	}
	if charts != 6 {
		t.Errorf("%d charts, want 6", charts)
	}
	return doc
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ') // cells and list items read apart
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func TestHTML(t *testing.T) {
	s := fixtureSummary(t, "2026-03-01", "2026-05-31")
	var b bytes.Buffer
	if err := HTML(&b, s, HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	doc := checkHTML(t, b.Bytes())
	body := text(doc)
	for _, want := range []string{
		"Cases reported in the period5",
		"Time to triage34.0 h6.0 h11",               // 3 measured, median, p90, 1 pending, 1 no history
		"Time to resolve3120.0 h (5.0 days)240.0 h", // (10.0 days) follows
		"INC-2026-0004", "Facts took four days to establish",
		"Review password guidance",
		"@media print", // the stylesheet is carried along
	} {
		if !strings.Contains(strings.Join(strings.Fields(body), ""), strings.Join(strings.Fields(want), "")) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "No cases were reported") {
		t.Error("page says the period is empty")
	}
	// With a stylesheet link, no style element.
	b.Reset()
	if err := HTML(&b, s, HTMLOptions{CSSHref: "../report.css"}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b.Bytes(), []byte("<style")) || !bytes.Contains(b.Bytes(), []byte(`href="../report.css"`)) {
		t.Error("CSSHref not honoured")
	}
}

func TestHTMLEmptyPeriod(t *testing.T) {
	s := fixtureSummary(t, "2025-01-01", "2025-01-31")
	var b bytes.Buffer
	if err := HTML(&b, s, HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	doc := checkHTML(t, b.Bytes())
	if !strings.Contains(text(doc), "No cases were reported in this period.") {
		t.Error("empty period not announced")
	}
	if !strings.Contains(text(doc), "Cases by category (§4.2): none in this period.") {
		t.Error("empty chart has no description saying so")
	}
	// Zero bars are drawn with zero width.
	if !bytes.Contains(b.Bytes(), []byte(`width="0" height="16"`)) {
		t.Error("no zero-width bar")
	}
}

func TestHostileTextEscaped(t *testing.T) {
	s := fixtureSummary(t, "2026-03-01", "2026-05-31")
	s.Deadlines[1].LateReason = `<script>alert(1)</script>" onload="x`
	s.OpenActions[0].Action.Action = `<img src=x onerror=alert(1)>`
	var b bytes.Buffer
	if err := HTML(&b, s, HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	checkHTML(t, b.Bytes())
}

func TestMarkdown(t *testing.T) {
	s := fixtureSummary(t, "2026-03-01", "2026-05-31")
	var b bytes.Buffer
	if err := Markdown(&b, s); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"- Cases reported in the period: 5\n",
		"## Cases by month reported\n\n| | cases |\n| --- | ---: |\n| 2026-03 | 1 |\n| 2026-04 | 2 |\n| 2026-05 | 2 |\n",
		"| Time to triage | 3 | 4.0 h | 6.0 h | 1 | 1 |\n",
		"| INC-2026-0003 | 2026-04-01 00:30 BST | 2026-04-04 00:30 BST | 2026-04-04 00:30 BST | yes |  |\n",
		"| alice | A1: Review password guidance | 2026-05-20 | INC-2026-0004 | 2026-06-01 | overdue |\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

func TestCSV(t *testing.T) {
	s := fixtureSummary(t, "2026-03-01", "2026-05-31")
	s.OpenActions[1].Action.Action = "x"
	s.OpenActions[1].Owner = "=HYPERLINK(1)"
	var b bytes.Buffer
	if err := CSV(&b, s); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) || bytes.Count(b.Bytes(), []byte("\n")) != bytes.Count(b.Bytes(), []byte("\r\n")) {
		t.Error("CSV lines must end in CRLF (RFC 4180)")
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"cases", "reported in the period", "5", ""},
		{"impact", "confidentiality", "3", ""},
		{"month", "2026-04", "2", ""},
		{"time to resolve", "median hours", "120.0", ""},
		{"time to resolve", "90th percentile hours", "240.0", ""},
		{"ico deadline", "INC-2026-0004", "late", "due 2026-04-18T09:00:00+01:00; notified 2026-04-19T09:00:00+01:00; reason: Facts took four days to establish"},
		{"open cases by age", "31–90 days", "3", ""},
	}
	for _, w := range want {
		if !slices.ContainsFunc(rows, func(r []string) bool { return slices.Equal(r, w) }) {
			t.Errorf("CSV lacks row %q", w)
		}
	}
	// The owner cell is inside the detail; a cell of its own starting
	// with = would be neutralised.
	for _, tc := range [][2]string{{"=1+1", "'=1+1"}, {"+44", "'+44"}, {"-3", "'-3"}, {"@SUM", "'@SUM"},
		{"\tx", "'\tx"}, {"\rx", "'\rx"}, {"a=b", "a=b"}, {"", ""}} {
		if got := Neutralise(tc[0]); got != tc[1] {
			t.Errorf("Neutralise(%q) = %q, want %q", tc[0], got, tc[1])
		}
	}
}

// TestRowsAsTemplate: the rows of the deadlines and actions tables,
// written in Go, are byte for byte what the template wrote, hostile text
// included.
func TestRowsAsTemplate(t *testing.T) {
	s := fixtureSummary(t, "2026-03-01", "2026-05-31")
	if len(s.Deadlines) < 2 || len(s.OpenActions) == 0 {
		t.Fatalf("the fixture has %d deadlines and %d open actions", len(s.Deadlines), len(s.OpenActions))
	}
	hostile := "<script>alert(1)</script>\" onload='x' a+b & \x00 é"
	s.Deadlines[1].LateReason = hostile
	s.OpenActions[0].Action.Action = hostile
	s.OpenActions[0].Owner = hostile
	want := template.Must(template.New("").Parse(`{{define "deadlines"}}
{{- range .Deadlines}}
<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{{.ID}}</th>
<td class="govuk-table__cell">{{$.Stamp .ReportedAt}}</td><td class="govuk-table__cell">{{$.Stamp .Due}}</td>
<td class="govuk-table__cell">{{if .NotifiedAt.IsZero}}not yet{{else}}{{$.Stamp .NotifiedAt}}{{end}}</td>
<td class="govuk-table__cell">{{if .Met}}yes{{else if .Overdue}}<strong>no: deadline passed, not notified</strong>{{else if .NotifiedAt.IsZero}}not yet notified{{else}}no{{end}}</td>
<td class="govuk-table__cell">{{.LateReason}}</td></tr>
{{- end}}{{end}}{{define "actions"}}
{{- range .OpenActions}}
<tr class="govuk-table__row"><td class="govuk-table__cell">{{.Owner}}</td><td class="govuk-table__cell">{{.ID}}: {{.Action.Action}}</td>
<td class="govuk-table__cell">{{.Minutes}}</td><td class="govuk-table__cell">{{.Case}}</td>
<td class="govuk-table__cell">{{.Due}}</td><td class="govuk-table__cell">{{if .Overdue}}<strong class="govuk-tag govuk-tag--red">overdue</strong>{{else}}open{{end}}</td></tr>
{{- end}}{{end}}`))
	for name, got := range map[string]template.HTML{"deadlines": s.deadlineRows(), "actions": s.actionRows()} {
		var b bytes.Buffer
		if err := want.ExecuteTemplate(&b, name, s); err != nil {
			t.Fatal(err)
		}
		if string(got) != b.String() {
			t.Errorf("%s rows:\n%s\nthe template made:\n%s", name, got, b.String())
		}
		if !strings.Contains(string(got), "&lt;script&gt;") {
			t.Errorf("%s rows: the hostile text is not escaped", name)
		}
	}
}
