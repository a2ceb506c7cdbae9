package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"iter"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/council/register/register"
	"github.com/council/register/templates"
)

// Formats are the output formats of the summary report.
var Formats = []string{"html", "md", "csv"}

// HTMLOptions tune the HTML report.
type HTMLOptions struct {
	// CSSHref links the stylesheet; when empty, the page carries
	// templates/report/report.css in a style element so it stands alone.
	CSSHref string
}

// view is what the report templates see.
type view struct {
	S      *Summary
	Charts []*Chart // category, type, impact, month
	ICO    Chart
	Age    Chart
	Times  []timeRow
	// DeadlineRows and ActionRows are the rows of the tables of ICO
	// deadlines and open actions (see deadlineRows).
	DeadlineRows, ActionRows template.HTML
	Notes                    []string
	CSS                      template.CSS
	CSSHref                  string
}

// deadlineRows and actionRows write the rows of the report's two long
// tables, a thousand each for a register of ten thousand cases, in Go:
// the template spent several microseconds a cell calling its escaper
// through reflection, and a site remakes the report whenever a case it
// counts changes. Every text is escaped as html/template escapes text in an
// element (escapeText); TestRowsAsTemplate holds the rows to what the
// template made.
func (s *Summary) deadlineRows() template.HTML {
	var b strings.Builder
	for _, d := range s.Deadlines {
		notified := ""
		if !d.NotifiedAt.IsZero() {
			notified = s.Stamp(d.NotifiedAt)
		}
		b.WriteString("\n<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">")
		escapeText(&b, d.ID)
		b.WriteString("</th>\n<td class=\"govuk-table__cell\">")
		escapeText(&b, s.Stamp(d.ReportedAt))
		b.WriteString("</td><td class=\"govuk-table__cell\">")
		escapeText(&b, s.Stamp(d.Due))
		b.WriteString("</td>\n<td class=\"govuk-table__cell\">")
		if notified == "" {
			b.WriteString("not yet")
		} else {
			escapeText(&b, notified)
		}
		b.WriteString("</td>\n<td class=\"govuk-table__cell\">")
		switch {
		case d.Met:
			b.WriteString("yes")
		case d.Overdue:
			b.WriteString("<strong>no: deadline passed, not notified</strong>")
		case notified == "":
			b.WriteString("not yet notified")
		default:
			b.WriteString("no")
		}
		b.WriteString("</td>\n<td class=\"govuk-table__cell\">")
		escapeText(&b, d.LateReason)
		b.WriteString("</td></tr>")
	}
	return template.HTML(b.String())
}

func (s *Summary) actionRows() template.HTML {
	var b strings.Builder
	for _, a := range s.OpenActions {
		b.WriteString("\n<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\">")
		escapeText(&b, a.Owner)
		b.WriteString("</td><td class=\"govuk-table__cell\">")
		escapeText(&b, a.ID)
		b.WriteString(": ")
		escapeText(&b, a.Action.Action)
		b.WriteString("</td>\n<td class=\"govuk-table__cell\">")
		escapeText(&b, a.Minutes)
		b.WriteString("</td><td class=\"govuk-table__cell\">")
		escapeText(&b, a.Case)
		b.WriteString("</td>\n<td class=\"govuk-table__cell\">")
		escapeText(&b, a.Due.String())
		b.WriteString("</td><td class=\"govuk-table__cell\">")
		if a.Overdue {
			b.WriteString("<strong class=\"govuk-tag govuk-tag--red\">overdue</strong>")
		} else {
			b.WriteString("open")
		}
		b.WriteString("</td></tr>")
	}
	return template.HTML(b.String())
}

// escapeText writes s escaped as html/template escapes text in an
// element's content.
func escapeText(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var r string
		switch s[i] {
		case 0:
			r = "\uFFFD"
		case '"':
			r = "&#34;"
		case '&':
			r = "&amp;"
		case '\'':
			r = "&#39;"
		case '+':
			r = "&#43;"
		case '<':
			r = "&lt;"
		case '>':
			r = "&gt;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(r)
		last = i + 1
	}
	b.WriteString(s[last:])
}

type timeRow struct {
	Name string
	Durations
}

// Charts returns the summary's charts: category, type, impact, month,
// ICO decisions and open cases by age.
func (s *Summary) Charts() []Chart {
	return []Chart{
		NewChart(chartIDs[0], "Cases by category (§4.2)", "cases", s.ByCategory),
		NewChart(chartIDs[1], "Cases by type (§4.6)", "cases", s.ByType),
		NewChart(chartIDs[2], "Cases by impact (§4.1)", "cases", s.ByImpact),
		NewChart(chartIDs[3], "Cases by month reported", "cases", s.ByMonth),
		NewChart(chartIDs[4], "ICO decisions on personal-data cases", "cases", s.ICODecisions),
		NewChart(chartIDs[5], "Open cases by age", "cases", s.OpenByAge),
	}
}

// chartIDs are the ids of the report's charts, in the order Charts
// gives them.
var chartIDs = []string{"chart-category", "chart-type", "chart-impact", "chart-month", "chart-ico", "chart-age"}

// ChartFiles names the chart files ReportBody returns with chartFiles
// set, whatever the summary.
func ChartFiles() []string {
	out := make([]string, len(chartIDs))
	for i, id := range chartIDs {
		out[i] = id + ".svg"
	}
	return out
}

// Notes returns the footnotes saying how the figures were computed.
func (s *Summary) Notes() []string {
	tl := "They come from the register's Git history: the author time of the first commit that put the case in each state."
	if !s.Timeline {
		tl = "They come from the register's Git history, which was not available for this report."
	}
	return []string{
		"Time to triage runs from reported_at (when the council became aware) to the first change of status from " +
			"the initial state; time to resolve, to the first entry into a state that needs a resolution " +
			"(resolved, reviewed or closed). The case file does not record when its status changed. " + tl +
			" Cases that have not got there yet, or that the history does not cover, are counted but not measured.",
		"The median of an even number of values is the mean of the two middle ones; the 90th percentile is the " +
			"nearest-rank value, the ceil(0.9 × n)-th smallest.",
		"A case is in the period when its reported_at falls on one of the period's days in " + s.Location.String() +
			". A case may have several types and impacts, so those counts may exceed the number of cases.",
		fmt.Sprintf("The ICO deadline is met when ico.notified_at is no later than reported_at plus %d hours "+
			"(UK GDPR Art. 33(1)). Personal-data cases with no decision yet count as pending.", s.ICOHours),
		"Open cases and open actions are the whole register's, as of the time the report was prepared.",
	}
}

var (
	parseOnce sync.Once
	parsed    *template.Template
	parseErr  error
)

func reportTemplates() (*template.Template, error) {
	parseOnce.Do(func() {
		parsed, parseErr = template.New("report").Funcs(template.FuncMap{
			"date": func(t time.Time) string { return t.Format(register.DateLayout) },
			"dur":  Hours,
		}).ParseFS(templates.FS, "report/*.tmpl")
	})
	return parsed, parseErr
}

// view returns what the report templates see, without a stylesheet.
func (s *Summary) view() *view {
	charts := s.Charts()
	v := &view{S: s, Charts: []*Chart{&charts[0], &charts[1], &charts[2], &charts[3]}, ICO: charts[4], Age: charts[5], Notes: s.Notes(),
		Times: []timeRow{{"Time to triage", s.Triage}, {"Time to resolve", s.Resolve}}}
	v.DeadlineRows, v.ActionRows = s.deadlineRows(), s.actionRows()
	return v
}

// HTML writes the report as one printable HTML page.
func HTML(w io.Writer, s *Summary, o HTMLOptions) error {
	t, err := reportTemplates()
	if err != nil {
		return err
	}
	v := s.view()
	v.CSSHref = o.CSSHref
	if o.CSSHref == "" {
		css, err := fs.ReadFile(templates.FS, "report/report.css")
		if err != nil {
			return err
		}
		v.CSS = template.CSS(css) // our own file, not user input
	}
	return t.ExecuteTemplate(w, "report", v)
}

// Stamp formats an instant in the register's time zone.
func (s *Summary) Stamp(t time.Time) string { return stamp(t.In(s.Location)) }

func stamp(t time.Time) string {
	return t.Format("2006-01-02 15:04 MST")
}

// Hours formats a duration in hours, with days for longer ones:
// "4.0 h", "120.0 h (5.0 days)".
func Hours(d time.Duration) string {
	h := d.Hours()
	if h < 24 {
		return fmt.Sprintf("%.1f h", h)
	}
	return fmt.Sprintf("%.1f h (%.1f days)", h, h/24)
}

// Markdown writes the report as Markdown, for a meeting pack or an email.
func Markdown(w io.Writer, s *Summary) error {
	b := bufio.NewWriter(w)
	loc := s.Location
	fmt.Fprintf(b, "# Information-security cases: summary report for ITPARG\n\n")
	fmt.Fprintf(b, "%s. Cases reported from %s to %s (policy §7.18). Prepared by Business IT on %s.\n\n",
		mdCell(strings.Trim(s.Organisation+", "+s.Name, ", ")), s.From.Format(register.DateLayout), s.To.Format(register.DateLayout), stamp(s.Now.In(loc)))
	fmt.Fprintf(b, "- Cases reported in the period: %d\n- of which involve personal data: %d\n- Open cases today: %d\n- Open ITPARG actions: %d\n",
		s.Cases, s.PersonalData, s.OpenCases, len(s.OpenActions))
	if s.Cases == 0 {
		b.WriteString("\nNo cases were reported in this period.\n")
	}
	for _, c := range s.Charts() {
		fmt.Fprintf(b, "\n## %s\n\n| | %s |\n| --- | ---: |\n", c.Title, c.Unit)
		for _, bar := range c.Bars {
			fmt.Fprintf(b, "| %s | %d |\n", mdCell(bar.Label), bar.N)
		}
	}
	b.WriteString("\n## Time to triage and to resolve\n\n| | cases measured | median | 90th percentile | not there yet | no history |\n| --- | ---: | ---: | ---: | ---: | ---: |\n")
	for _, t := range []timeRow{{"Time to triage", s.Triage}, {"Time to resolve", s.Resolve}} {
		med, p90 := "–", "–"
		if t.N > 0 {
			med, p90 = Hours(t.Median), Hours(t.P90)
		}
		fmt.Fprintf(b, "| %s | %d | %s | %s | %d | %d |\n", t.Name, t.N, med, p90, t.Pending, t.NoRecord)
	}
	fmt.Fprintf(b, "\n## ICO notifications and the %d-hour deadline\n\n", s.ICOHours)
	if len(s.Deadlines) == 0 {
		b.WriteString("No case of the period was decided as notify.\n")
	} else {
		b.WriteString("| case | aware | deadline | notified | met | reason for lateness |\n| --- | --- | --- | --- | --- | --- |\n")
		for _, d := range s.Deadlines {
			notified, met := "not yet", "not yet notified"
			if d.Overdue {
				met = "no: deadline passed, not notified"
			}
			if !d.NotifiedAt.IsZero() {
				notified, met = stamp(d.NotifiedAt.In(loc)), "no"
			}
			if d.Met {
				met = "yes"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", d.ID, stamp(d.ReportedAt.In(loc)), stamp(d.Due.In(loc)), notified, met, mdCell(d.LateReason))
		}
	}
	b.WriteString("\n## Open ITPARG actions (§7.9)\n\n")
	if len(s.OpenActions) == 0 {
		b.WriteString("No open actions.\n")
	} else {
		b.WriteString("| owner | action | minutes | case | due | state |\n| --- | --- | --- | --- | --- | --- |\n")
		for _, it := range s.OpenActions {
			fmt.Fprintf(b, "| %s | %s: %s | %s | %s | %s | %s |\n", it.Owner, mdCell(it.ID), mdCell(it.Action.Action), it.Minutes, it.Case, it.Due, it.State())
		}
	}
	b.WriteString("\n## Notes\n\n")
	for i, n := range s.Notes() {
		fmt.Fprintf(b, "%d. %s\n", i+1, n)
	}
	return b.Flush()
}

// mdCell makes text safe for a Markdown table cell.
func mdCell(s string) string {
	s = strings.NewReplacer("\n", " ", "\r", " ", "|", `\|`).Replace(s)
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CSV writes the report as CSV (RFC 4180): one row per figure, with the
// columns section, item, value and detail.
func CSV(w io.Writer, s *Summary) error {
	cw := NewCSVWriter(w)
	loc := s.Location
	rows := [][]string{
		{"section", "item", "value", "detail"},
		{"period", "from", s.From.Format(register.DateLayout), ""},
		{"period", "to", s.To.Format(register.DateLayout), ""},
		{"period", "prepared", s.Now.In(loc).Format(time.RFC3339), ""},
		{"cases", "reported in the period", strconv.Itoa(s.Cases), ""},
		{"cases", "involving personal data", strconv.Itoa(s.PersonalData), ""},
		{"cases", "open today", strconv.Itoa(s.OpenCases), ""},
	}
	for _, c := range []struct {
		section string
		counts  []Count
	}{{"category", s.ByCategory}, {"type", s.ByType}, {"impact", s.ByImpact}, {"month", s.ByMonth},
		{"ico decision", s.ICODecisions}, {"open cases by age", s.OpenByAge}} {
		for _, n := range c.counts {
			rows = append(rows, []string{c.section, n.Label, strconv.Itoa(n.N), ""})
		}
	}
	for _, t := range []timeRow{{"time to triage", s.Triage}, {"time to resolve", s.Resolve}} {
		rows = append(rows, []string{t.Name, "cases measured", strconv.Itoa(t.N), ""})
		if t.N > 0 {
			rows = append(rows,
				[]string{t.Name, "median hours", strconv.FormatFloat(t.Median.Hours(), 'f', 1, 64), ""},
				[]string{t.Name, "90th percentile hours", strconv.FormatFloat(t.P90.Hours(), 'f', 1, 64), ""})
		}
		rows = append(rows,
			[]string{t.Name, "not there yet", strconv.Itoa(t.Pending), ""},
			[]string{t.Name, "no history", strconv.Itoa(t.NoRecord), ""})
	}
	for _, d := range s.Deadlines {
		v := "not yet notified"
		switch {
		case d.Overdue:
			v = "overdue"
		case d.Met:
			v = "met"
		case !d.NotifiedAt.IsZero():
			v = "late"
		}
		detail := "due " + d.Due.In(loc).Format(time.RFC3339)
		if !d.NotifiedAt.IsZero() {
			detail += "; notified " + d.NotifiedAt.In(loc).Format(time.RFC3339)
		}
		if d.LateReason != "" {
			detail += "; reason: " + d.LateReason
		}
		rows = append(rows, []string{"ico deadline", d.ID, v, detail})
	}
	for _, it := range s.OpenActions {
		rows = append(rows, []string{"open action", it.Minutes + " " + it.ID, it.State(),
			fmt.Sprintf("owner %s; due %s; case %s; %s", it.Owner, it.Due, it.Case, it.Action.Action)})
	}
	for _, r := range rows {
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// CSVWriter writes RFC 4180 CSV (CRLF line ends) and neutralises cells
// a spreadsheet would read as a formula.
type CSVWriter struct{ *csv.Writer }

// NewCSVWriter returns a CSVWriter writing to w.
func NewCSVWriter(w io.Writer) *CSVWriter {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &CSVWriter{cw}
}

// Write writes one record, neutralising each cell (see Neutralise).
func (w *CSVWriter) Write(record []string) error {
	out := make([]string, len(record))
	for i, c := range record {
		out[i] = Neutralise(c)
	}
	return w.Writer.Write(out)
}

// CSVRecord returns one record as a CSVWriter writes it, for a file
// written later from records kept apart (CSVOf).
func CSVRecord(cells []string) ([]byte, error) {
	var b bytes.Buffer
	cw := NewCSVWriter(&b)
	if err := cw.Write(cells); err != nil {
		return nil, err
	}
	cw.Flush()
	return b.Bytes(), cw.Error()
}

// CSVOf writes a CSV file of records made already (CSVRecord): the
// header, then the records.
func CSVOf(w io.Writer, header []string, records iter.Seq[[]byte]) error {
	cw := NewCSVWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	if cw.Flush(); cw.Error() != nil {
		return cw.Error()
	}
	for r := range records {
		if _, err := w.Write(r); err != nil {
			return err
		}
	}
	return nil
}

// Neutralise prefixes a cell starting with = + - @, a tab or a carriage
// return with an apostrophe, so a spreadsheet shows it as text instead
// of running it as a formula.
func Neutralise(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
