package report

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/council/register/register"
	"github.com/council/register/register/review"
	"golang.org/x/net/html"
)

// checkFragment parses a fragment as a page's content and applies the
// structural checks of checkHTML except the chart count.
func checkFragment(t *testing.T, frag string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader("<!DOCTYPE html><html><body>" + frag + "</body></html>"))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.Data == "script" || n.Data == "style" {
				t.Errorf("fragment has <%s>", n.Data)
			}
			for _, a := range n.Attr {
				if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
					t.Errorf("<%s> has attribute %s", n.Data, a.Key)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return strings.Join(strings.Fields(text(doc)), " ")
}

func TestReportBody(t *testing.T) {
	s := fixtureSummary(t, "2026-03-01", "2026-05-31")
	body, files, err := ReportBody(s, false)
	if err != nil || files != nil {
		t.Fatal(err, files)
	}
	got := checkFragment(t, string(body))
	if !strings.Contains(got, "Cases reported in the period 5") {
		t.Errorf("body: %s", got)
	}
	if strings.Contains(string(body), "<html") || strings.Contains(string(body), "@media") {
		t.Error("the body is a whole page")
	}
	if n := strings.Count(string(body), `role="img"`); n != 6 {
		t.Errorf("%d charts", n)
	}
}

func TestReportBodyChartFiles(t *testing.T) {
	s := fixtureSummary(t, "2026-03-01", "2026-05-31")
	body, files, err := ReportBody(s, true)
	if err != nil {
		t.Fatal(err)
	}
	checkFragment(t, string(body))
	if strings.Contains(string(body), "<svg") || strings.Count(string(body), `<img class="chart" src="chart-`) != 6 {
		t.Errorf("charts not as images:\n%s", body)
	}
	if !strings.Contains(string(body), `<img class="chart" src="chart-impact.svg" alt="Cases by impact (§4.1) (cases): confidentiality 3; integrity 0; availability 2." width="560" height="88">`) {
		t.Error("impact chart image or its alternative text is wrong")
	}
	if len(files) != 6 {
		t.Fatalf("%d chart files", len(files))
	}
	for name, svg := range files {
		got := checkFragment(t, string(svg))
		if !bytes.HasPrefix(svg, []byte("<?xml")) || !bytes.Contains(svg, []byte(`role="img"`)) || !strings.Contains(got, "(cases)") && !strings.Contains(got, "none in this period") {
			t.Errorf("%s: %s", name, svg)
		}
	}
}

// breachesBody makes the record as a site does: a section per case,
// then the record around them.
func breachesBody(cases []*register.Case, loc *time.Location, l Links) (template.HTML, error) {
	var sections []template.HTML
	for _, c := range cases {
		s, err := BreachSection(c, loc, l)
		if err != nil {
			return "", err
		}
		sections = append(sections, s)
	}
	return BreachesBodyOf(sections, l)
}

func TestBreachesBody(t *testing.T) {
	r := loadFixture(t)
	cases := Breaches(r, nil)
	cases[0].Title = `<img src=x onerror=alert(1)>`
	body, err := breachesBody(cases, r.Settings.Location(), Links{Case: "../cases/", CSV: "breaches.csv"})
	if err != nil {
		t.Fatal(err)
	}
	got := checkFragment(t, string(body))
	for _, want := range []string{
		"with the facts, the effects and the remedial action taken (UK GDPR Art. 33(5)): 4.",
		"INC-2026-0004 : Password shared", "Effects Distress", "Remedial action Files recovered",
		"ICO notified 2026-04-19T09:00:00+01:00; late because Facts took four days to establish",
		"ICO decision no-notify: No risk to people",
		// When the breach happened (breach.occurred_at) beside when the
		// council became aware; a dash where it is not recorded.
		"Status resolved Breach happened 2026-03-31T19:00:00+01:00 Council aware 2026-04-01T00:30:00+01:00",
		"Status reviewed Breach happened – Council aware 2026-04-15T09:00:00+01:00",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("record lacks %q:\n%s", want, got)
		}
	}
	if !strings.Contains(string(body), `href="../cases/INC-2026-0003.html"`) || !strings.Contains(string(body), `href="breaches.csv"`) {
		t.Error("links missing")
	}
	empty, err := breachesBody(nil, r.Settings.Location(), Links{})
	if err != nil || !strings.Contains(checkFragment(t, string(empty)), "No personal-data breach is recorded.") {
		t.Errorf("empty record: %v %s", err, empty)
	}
}

func TestActionsBody(t *testing.T) {
	r := loadFixture(t)
	today := review.Today(r, fixtureNow)
	body, err := ActionsBody(r, today, review.Actions(r, today, review.Filter{}), Links{Case: "../cases/", Minutes: "../minutes/"})
	if err != nil {
		t.Fatal(err)
	}
	got := checkFragment(t, string(body))
	for _, want := range []string{
		"as of 2026-06-15",
		"Alice Analyst (alice) Action State Due Minutes Case A3: Brief staff done 2026-05-25 2026-05-20 A1: Review password guidance overdue 2026-06-01 2026-05-20 INC-2026-0004",
		"Bob Boss (bob) Action State Due Minutes Case A2: Audit shared mailboxes open 2026-07-01 2026-05-20",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("actions lack %q:\n%s", want, got)
		}
	}
	if !bytes.Contains([]byte(body), []byte(`href="../minutes/2026-05-20/"`)) {
		t.Error("no link to the minutes")
	}
}
