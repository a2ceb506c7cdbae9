package report

import (
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/council/register/register"
	"github.com/council/register/register/review"
)

// Links say where a site's pages are, relative to the page a fragment
// goes into; empty links leave ids as plain text.
type Links struct {
	Case    string // "../cases/": a case is Case + id + ".html"
	Minutes string // "../minutes/"
	CSV     string // the breach record's CSV file
}

// ReportBody renders the summary report's content, without a page
// around it, for a site's layout (the "report-body" template). The
// stylesheet templates/report/report.css styles it for print. With
// chartFiles, each chart is an image of an SVG file beside the page
// (for pages whose rules allow no inline SVG), returned by file name.
func ReportBody(s *Summary, chartFiles bool) (template.HTML, map[string][]byte, error) {
	v := s.view()
	var files map[string][]byte
	if chartFiles {
		files = map[string][]byte{}
		for _, c := range append(slices.Clone(v.Charts), &v.ICO, &v.Age) {
			c.File = c.ID + ".svg"
			svg, err := execute("chart", c)
			if err != nil {
				return "", nil, err
			}
			files[c.File] = []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + string(svg) + "\n")
		}
	}
	body, err := execute("report-body", v)
	return body, files, err
}

// BreachSection renders one case's section of the Art. 33(5) record for
// a site's layout, so a site can keep it between builds and make the
// record from the sections with BreachesBodyOf.
func BreachSection(c *register.Case, loc *time.Location, l Links) (template.HTML, error) {
	return execute("breach-section", struct {
		Row      BreachRow
		CaseHref string
	}{Row(c, loc), l.Case})
}

// BreachesBodyOf renders the record from its cases' sections.
// The record is megabytes for a large register: it is written into
// memory of its size, once, not into a buffer doubled again and again.
func BreachesBodyOf(sections []template.HTML, l Links) (template.HTML, error) {
	size := 1024
	for _, s := range sections {
		size += len(s) + 1
	}
	return executeSized("breaches-body", struct {
		Sections []template.HTML
		CSV      string
	}{sections, l.CSV}, size)
}

// ActionsBody renders every action by owner for a site's layout.
func ActionsBody(r *register.Register, today time.Time, items []review.Item, l Links) (template.HTML, error) {
	return execute("actions-body", struct {
		Today                 string
		Groups                []review.Group
		CaseHref, MinutesHref string
	}{today.Format(register.DateLayout), review.ByOwner(r, items), l.Case, l.Minutes})
}

// execute runs one of the report templates. Every value in them is
// escaped by html/template, so the result is safe to place in a page.
func execute(name string, data any) (template.HTML, error) { return executeSized(name, data, 0) }

// executeSized is execute of a fragment of about size bytes.
func executeSized(name string, data any, size int) (template.HTML, error) {
	t, err := reportTemplates()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(size)
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}
