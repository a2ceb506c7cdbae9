package site

import (
	"context"
	"encoding/binary"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"slices"
	"sync"
	"time"

	"github.com/council/register/register"
	"github.com/council/register/register/report"
	"github.com/council/register/register/review"
	"github.com/council/register/templates"
)

// ITPARG returns the page types of ITPARG's work (policy §7.8–7.10,
// §7.18, UK GDPR Art. 33(5)) and their navigation entries, for
// Options.Pages and Options.Nav: the actions every minutes set, the
// summary report over the whole register, and the record of
// personal-data breaches. Each shows only what the audience may see.
func ITPARG() ([]PageFunc, []NavItem) {
	return []PageFunc{actionsPage, reportPage, breachesPage},
		[]NavItem{{Title: "Actions", Path: "actions/"}, {Title: "Report", Path: "report/"}, {Title: "Breaches", Path: "breaches/"}}
}

// itpargPage is the Data of the "itparg" template: a fragment rendered
// by register/report's templates (every value escaped there) and the
// stylesheet it needs, if any, relative to the page.
type itpargPage struct {
	Body       template.HTML
	Stylesheet string
	// Lazy, if set, makes the body when the page is rendered, which a
	// page with an unchanged Page.Key never is.
	Lazy func() (template.HTML, error)
}

// visibleRegister is the audience's view as a register holding only the
// cases and minutes it may see, for register/report and register/review:
// the cases' summaries (see Case).
func visibleRegister(v *View) *register.Register {
	r := visibleMinutes(v)
	for _, c := range v.Cases {
		r.Cases = append(r.Cases, c.Case)
	}
	return r
}

// visibleMinutes is visibleRegister without the cases, for a page of the
// minutes alone.
func visibleMinutes(v *View) *register.Register {
	r := &register.Register{Settings: v.Settings, People: v.People, Workflow: v.Workflow}
	for _, m := range v.Minutes {
		r.Minutes = append(r.Minutes, m.Minutes)
	}
	return r
}

func actionsPage(ctx context.Context, v *View) ([]Page, error) {
	r := visibleMinutes(v)
	today := review.Today(r, v.Now)
	// The page shows the actions of the minutes and which of their
	// cases the audience may see, as of today: its key.
	key := appendActionsKey([]byte("actions "+today.Format(time.DateOnly)), v)
	body := func() (template.HTML, error) {
		items := review.Actions(r, today, review.Filter{})
		visible := items[:0]
		for _, it := range items {
			if it.Case == "" || v.Sees(it.Case) {
				visible = append(visible, it)
			}
		}
		return report.ActionsBody(r, today, visible, report.Links{Case: "../cases/", Minutes: "../minutes/"})
	}
	return []Page{{Path: "actions/index.html", Title: "ITPARG actions", Template: "itparg", Section: "actions/",
		Data: itpargPage{Lazy: body}, Key: string(key)}}, nil
}

// historyTimeline reads when each visible case entered each state from
// the commits the site was given.
type historyTimeline struct{ v *View }

func (t historyTimeline) Entered(id string) ([]report.Entry, bool) {
	c := t.v.a.t.cases[id]
	if c == nil || !t.v.a.seen[c.n] {
		return nil, false
	}
	h := t.v.hist[c.n] // every case's, worked out once a build
	if h.sum == "" {
		return nil, false
	}
	return h.entered, true
}

// reportPage is the summary report over the whole register as the
// audience sees it: from the day the earliest case was reported to today.
func reportPage(ctx context.Context, v *View) ([]Page, error) {
	r := visibleRegister(v)
	loc := v.Settings.Location()
	to := v.Now.In(loc)
	from := to
	for _, c := range r.Cases {
		if at := c.ReportedAt.In(loc); at.Before(from) {
			from = at
		}
	}
	opts := report.Options{From: from, To: to, Now: v.Now}
	if v.in != nil && v.in.hasHistory() {
		opts.Timeline = historyTimeline{v}
	}
	// The report reads the summaries of the cases and the sums of their
	// histories, the minutes and which of their actions' cases the
	// audience sees, the settings (in every page's key), and the time,
	// which changes it only at report.Until: its key. It is made only if
	// the key changed, once for the audiences that see the same cases.
	got, err := v.Shared("report "+v.a.sight, func() (any, error) { return &madeReport{key: reportKey(v, r, opts)}, nil })
	if err != nil {
		return nil, err
	}
	made := got.(*madeReport)
	ready := func() error {
		made.once.Do(func() {
			s, err := report.Summarise(ctx, r, opts)
			if err != nil {
				made.err = err
				return
			}
			// Pages hold no inline SVG (see site_test.go): each chart is
			// an image of its own file, its description the alternative
			// text, its figures in the table that follows.
			made.body, made.charts, made.err = report.ReportBody(s, true)
		})
		return made.err
	}
	css, err := fs.ReadFile(templates.FS, "report/report.css")
	if err != nil {
		return nil, err
	}
	pages := []Page{
		{Path: "report/index.html", Title: "Summary report for ITPARG", Template: "itparg", Section: "report/", Key: made.key,
			Data: itpargPage{Stylesheet: "report.css", Lazy: func() (template.HTML, error) {
				err := ready()
				return made.body, err
			}}},
		{Path: "report/report.css", Body: css},
	}
	for _, name := range report.ChartFiles() {
		pages = append(pages, Page{Path: "report/" + name, Key: made.key, Make: func(w io.Writer) error {
			if err := ready(); err != nil {
				return err
			}
			_, err := w.Write(made.charts[name])
			return err
		}})
	}
	return pages, nil
}

// madeReport is the summary report of the audiences that see the same
// cases: its pages' key, and the report, made when a tree first renders
// one of its pages.
type madeReport struct {
	key    string
	once   sync.Once
	body   template.HTML
	charts map[string][]byte
	err    error
}

// reportKey is the key of the summary report's pages (see reportPage).
func reportKey(v *View, r *register.Register, opts report.Options) string {
	head := appendActionsKey(fmt.Appendf(nil, "report\n%d %t\n", report.Until(r, opts).UnixNano(), opts.Timeline != nil), v)
	return casesKey(string(append(head, '\n')), v.Cases, func(b []byte, c *Case) []byte {
		rec := c.summaryRecord()
		b = append(binary.AppendUvarint(b, uint64(len(rec))), rec...)
		h := v.hist[c.n].sum
		return append(binary.AppendUvarint(b, uint64(len(h))), h...)
	})
}

// appendActionsKey appends to key what a page of the minutes' actions
// reads of them: each visible minutes' id and sum, and whether the
// audience sees each action's case.
func appendActionsKey(key []byte, v *View) []byte {
	for _, m := range v.Minutes {
		key = append(append(append(append(append(key, ' '), m.ID...), ' '), m.Sum...), ' ')
		for _, a := range m.Actions {
			key = append(key, mark(a.Case == "" || v.Sees(a.Case)))
		}
	}
	return key
}

// breachesPage is the Art. 33(5) record, for audiences that may see
// breach details; others get a page saying the record is kept elsewhere,
// so the navigation never leads nowhere.
func breachesPage(ctx context.Context, v *View) ([]Page, error) {
	page := Page{Path: "breaches/index.html", Title: "Record of personal-data breaches", Template: "itparg", Section: "breaches/"}
	if !v.BreachDetails {
		page.Data = itpargPage{Body: template.HTML(`<h1 class="govuk-heading-xl">Record of personal-data breaches</h1>` +
			`<p class="govuk-body">The record of personal-data breaches (UK GDPR Art. 33(5)) is kept for the audiences that see personal-data cases. It is not part of this site.</p>`)}
		return []Page{page}, nil
	}
	// The record is several megabytes of HTML for a large register: made
	// only when a breach case's file changed (settings, people and
	// templates are in every key).
	page.Key = casesKey("breaches\n", v.Cases, func(b []byte, c *Case) []byte {
		if !c.PersonalData {
			return b
		}
		return caseSum(b, c)
	})
	links := report.Links{Case: "../cases/", CSV: "breaches.csv"}
	// Made only by the first tree that needs them (the trees that see the
	// same cases link to its files) and not kept after.
	page.Data = itpargPage{Lazy: func() (template.HTML, error) {
		// Each case's section is kept with the case between builds: a
		// rebuild renders only the sections of cases that changed.
		var sections []template.HTML
		for _, c := range v.Cases {
			if !c.PersonalData {
				continue
			}
			f, err := v.CaseFragment(c, "breach-section", func() ([]byte, error) {
				w, err := c.Whole()
				if err != nil {
					return nil, err
				}
				s, err := report.BreachSection(w, v.Settings.Location(), links)
				return []byte(s), err
			})
			if err != nil {
				return "", err
			}
			sections = append(sections, template.HTML(f))
		}
		return report.BreachesBodyOf(sections, links)
	}}
	csv := func(w io.Writer) error {
		// Each case's record is kept with the case like its section.
		var records [][]byte
		for _, c := range v.Cases {
			if !c.PersonalData {
				continue
			}
			r, err := v.CaseFragment(c, "breach-csv", func() ([]byte, error) {
				w, err := c.Whole()
				if err != nil {
					return nil, err
				}
				return report.BreachCSVRecord(w, v.Settings.Location())
			})
			if err != nil {
				return err
			}
			records = append(records, r)
		}
		return report.CSVOf(w, report.BreachColumns, slices.Values(records))
	}
	return []Page{page, {Path: "breaches/breaches.csv", Make: csv, Key: page.Key}}, nil
}
