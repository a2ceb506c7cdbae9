package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/council/register/register"
	"github.com/council/register/register/report"
	"github.com/council/register/templates"
)

// fragments are the parts of the audience-wide files a case contributes,
// made once per case and kept in the cache.
type fragments struct {
	Row    []byte // a table row of the static lists (pages at depth 2)
	CSV    []byte // a record of cases.csv
	JSON   []byte // an object of cases.json
	Search []byte // an entry of search.json
	// Sums are the SHA-256 of CSV, JSON, Search and Row, one after the
	// other in the order of csvSum... (see fragmentSum).
	Sums []byte
	// More are fragments page types keep with View.CaseFragment.
	More map[string][]byte
	// added names the fragments of More added since the entry was last
	// written to the cache file, or read from it: the ones to save.
	added []string
}

// csvHeader names the columns of cases.csv.
var csvHeader = []string{"id", "title", "status", "category", "types", "impact", "personal_data",
	"reported_at", "reported_by", "investigator", "ico_decision", "resolution", "url"}

// exportCase is a case in cases.json: its summary, without breach
// details, evidence or narrative.
type exportCase struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	Status       string    `json:"status"`
	Category     string    `json:"category,omitempty"`
	Types        []string  `json:"types"`
	Impact       []string  `json:"impact"`
	PersonalData bool      `json:"personal_data"`
	ReportedAt   time.Time `json:"reported_at"`
	ReportedBy   string    `json:"reported_by,omitempty"`
	Investigator string    `json:"investigator,omitempty"`
	ICODecision  string    `json:"ico_decision,omitempty"`
	Resolution   string    `json:"resolution,omitempty"`
	URL          string    `json:"url"`
}

// searchEntry is a case in search.json; short keys keep the file small.
type searchEntry struct {
	ID       string   `json:"id"`
	Title    string   `json:"t"`
	Status   string   `json:"s"`
	Category string   `json:"c"`
	Types    []string `json:"ty"`
	Year     int      `json:"y"`
	Reported string   `json:"r"`
	Text     string   `json:"x"`
}

func strs[T ~string](v []T) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = string(s)
	}
	return out
}

func (b *builder) fragments(ctx context.Context) error {
	return parallel(ctx, len(b.reg.Cases), func(i int) error {
		c := b.reg.Cases[i]
		if c.frag != nil {
			return nil
		}
		f := &fragments{}
		w, err := c.Whole()
		if err != nil {
			return err
		}
		if f.Row, err = b.execute("row", w); err != nil { // register.Case: see case.tmpl on promoted fields
			return err
		}
		ico := ""
		if c.ICO != nil {
			ico = string(c.ICO.Decision)
		}
		reported := c.ReportedAt.UTC().Format(time.RFC3339)
		rec := []string{c.ID, c.Title, c.Status, string(c.Category), strings.Join(strs(c.Types), ";"),
			strings.Join(strs(c.Impact), ";"), strconv.FormatBool(c.PersonalData), reported,
			c.ReportedBy, c.Investigator, ico, c.Resolution, casePath(c.ID)}
		cr := csvRows.Get().(*csvRow)
		cr.buf.Reset()
		cr.w.Write(rec)
		cr.w.Flush()
		f.CSV = bytes.Clone(cr.buf.Bytes()) // exact: the buffer grew past it
		csvRows.Put(cr)
		if f.JSON, err = json.Marshal(exportCase{ID: c.ID, Title: c.Title, Status: c.Status, Category: string(c.Category),
			Types: strs(c.Types), Impact: strs(c.Impact), PersonalData: c.PersonalData, ReportedAt: c.ReportedAt.UTC(),
			ReportedBy: c.ReportedBy, Investigator: c.Investigator, ICODecision: ico, Resolution: c.Resolution,
			URL: casePath(c.ID)}); err != nil {
			return err
		}
		if f.Search, err = json.Marshal(searchEntry{ID: c.ID, Title: c.Title, Status: c.Status, Category: string(c.Category),
			Types: strs(c.Types), Year: c.Year(), Reported: c.ReportedAt.UTC().Format("2006-01-02"), Text: caseText(w)}); err != nil {
			return err
		}
		f.Sums = make([]byte, 0, fragmentSums*sha256.Size)
		for _, part := range [fragmentSums][]byte{csvSum: f.CSV, jsonSum: f.JSON, searchSum: f.Search, rowSum: f.Row} {
			s := sha256.Sum256(part)
			f.Sums = append(f.Sums, s[:]...)
		}
		c.frag = f
		b.reg.setFragments(c)
		return nil
	})
}

// A csvRow is where a case's CSV row is written: csv.Writer makes a 4 KB
// buffer of its own, so one is kept for row after row.
type csvRow struct {
	buf bytes.Buffer
	w   *report.CSVWriter
}

var csvRows = sync.Pool{New: func() any { r := &csvRow{}; r.w = report.NewCSVWriter(&r.buf); return r }}

type count struct {
	Name  string
	Count int
	Path  string
}

type deadline struct {
	Case  *Case
	Due   time.Time
	What  string
	Late  bool
	Hours int // left or over, in whole hours
}

// Span is the time left or over in plain English: "1 day 4 hours".
func (d deadline) Span() string { return span(d.Hours) }

type dashboard struct {
	Open     []count
	Total    int
	OpenAll  int
	Clocks   []deadline
	Reviews  []deadline
	Actions  []actionDue
	Latest   []*Case
	Updated  map[string]time.Time
	Audience string
	Now      time.Time
}

type actionDue struct {
	Minutes *Minutes
	Action  register.Action
	Late    bool
}

func (b *builder) dashboard(ctx context.Context, v *View) ([]Page, error) {
	d := &dashboard{Total: len(v.Cases), Updated: map[string]time.Time{}, Now: v.Now}
	by := map[string]int{}
	review := time.Duration(v.Settings.Deadlines.ReviewDays) * 24 * time.Hour
	for _, c := range v.Cases {
		if !b.reg.open(c.Status) {
			if c.Status == "resolved" {
				due := b.resolvedAt(c).Add(review)
				if due.Before(v.Now.Add(14 * 24 * time.Hour)) {
					d.Reviews = append(d.Reviews, deadline{Case: c, Due: due, What: "ITPARG review (§7.8)", Late: due.Before(v.Now)})
				}
			}
			continue
		}
		by[c.Status]++
		d.OpenAll++
		if k := b.reg.clock(c, v.Now); k.Running() && k.Left < 48*time.Hour {
			d.Clocks = append(d.Clocks, deadline{Case: c, Due: k.Deadline, What: "ICO decision and notification (Art. 33(1), §6.3)", Late: k.Left < 0, Hours: k.Hours()})
		}
	}
	for _, s := range v.Workflow.States {
		if s.Open {
			d.Open = append(d.Open, count{Name: s.Name, Count: by[s.Name], Path: "register/status-" + s.Name + "/1.html"})
		}
	}
	sort.Slice(d.Clocks, func(i, j int) bool { return d.Clocks[i].Due.Before(d.Clocks[j].Due) })
	sort.Slice(d.Reviews, func(i, j int) bool { return d.Reviews[i].Due.Before(d.Reviews[j].Due) })
	for _, m := range v.Minutes {
		for _, a := range m.Actions {
			if a.Status != "open" || (a.Case != "" && !v.Sees(a.Case)) {
				continue
			}
			if a.Due.Before(v.Now.Add(14 * 24 * time.Hour)) {
				d.Actions = append(d.Actions, actionDue{Minutes: m, Action: a, Late: a.Due.Before(v.Now)})
			}
		}
	}
	latest := b.latestChanged(v.Cases, 10)
	d.Latest = latest
	for _, c := range latest {
		d.Updated[c.ID] = b.updated(c)
	}
	return []Page{{Path: "index.html", Title: "Dashboard", Template: "dashboard", Section: "", Data: d}}, nil
}

// resolvedAt is when the case was resolved by its history, or failing
// that when it was reported.
func (b *builder) resolvedAt(c *Case) time.Time {
	if at := b.hist[c.n].resolved; !at.IsZero() {
		return at
	}
	return c.ReportedAt.Time
}

// listSize is the number of rows on a page of the static lists.
const listSize = 100

type listPage struct {
	Heading string
	Count   int
	cases   []*Case
	Page    int
	Pages   []int
	Total   int
	Prev    string
	Next    string
	Lists   *listIndex
}

// Rows are the page's table rows, made only when the page is rendered.
// They were rendered by the "row" template, which escapes every field.
func (lp *listPage) Rows() template.HTML {
	n := 0
	for _, c := range lp.cases {
		n += len(c.frag.Row)
	}
	var rows strings.Builder
	rows.Grow(n)
	for _, c := range lp.cases {
		rows.Write(c.frag.Row)
	}
	return template.HTML(rows.String())
}

type listIndex struct {
	Status []count
	Years  []count
	All    int
}

// lists makes the register's static lists. They show only the cases and
// the workflow, so audiences that see the same cases share them.
func (b *builder) lists(ctx context.Context, v *View) ([]Page, error) {
	pages, err := v.Shared("lists "+v.a.sight, func() (any, error) { return b.makeLists(v), nil })
	if err != nil {
		return nil, err
	}
	return pages.([]Page), nil
}

func (b *builder) makeLists(v *View) []Page {
	idx := &listIndex{All: len(v.Cases)}
	byStatus := map[string][]*Case{}
	byYear := map[int][]*Case{}
	for _, c := range v.Cases {
		byStatus[c.Status] = append(byStatus[c.Status], c)
		byYear[c.Year()] = append(byYear[c.Year()], c)
	}
	var pages []Page
	add := func(name, heading string, cases []*Case) {
		n := max(1, (len(cases)+listSize-1)/listSize)
		for i := range n {
			on := cases[i*listSize : min(len(cases), (i+1)*listSize)]
			// A page is its cases' rows: an edit the rows do not show
			// (a narrative) leaves it as it was.
			key := casesKey(fmt.Sprintf("%s %d %d %d\n", heading, i, n, len(cases)), on, fragmentSum(rowSum))
			lp := &listPage{Heading: heading, Count: len(cases), Page: i + 1, cases: on}
			// GOV.UK pagination: first, last and two either side of
			// the current page; 0 marks a gap.
			for j := 1; j <= n; j++ {
				if j == 1 || j == n || (j >= i-1 && j <= i+3) {
					lp.Pages = append(lp.Pages, j)
				} else if lp.Pages[len(lp.Pages)-1] != 0 {
					lp.Pages = append(lp.Pages, 0)
				}
			}
			lp.Total = n
			if i > 0 {
				lp.Prev = fmt.Sprintf("%d.html", i)
			}
			if i < n-1 {
				lp.Next = fmt.Sprintf("%d.html", i+2)
			}
			title := heading
			if n > 1 {
				title = fmt.Sprintf("%s (page %d of %d)", heading, i+1, n)
			}
			pages = append(pages, Page{Path: fmt.Sprintf("register/%s/%d.html", name, i+1), Title: title,
				Template: "list", Section: "register/", Data: lp, Key: key})
		}
	}
	add("all", "All cases", v.Cases)
	for _, s := range v.Workflow.States {
		idx.Status = append(idx.Status, count{Name: s.Name, Count: len(byStatus[s.Name]), Path: "register/status-" + s.Name + "/1.html"})
		add("status-"+s.Name, "Cases "+s.Name, byStatus[s.Name])
	}
	var years []int
	for y := range byYear {
		years = append(years, y)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(years)))
	for _, y := range years {
		idx.Years = append(idx.Years, count{Name: strconv.Itoa(y), Count: len(byYear[y]), Path: fmt.Sprintf("register/year-%d/1.html", y)})
		add(fmt.Sprintf("year-%d", y), fmt.Sprintf("Cases reported in %d", y), byYear[y])
	}
	// Every list page shows the index of lists, so it is part of each
	// page's key.
	idxKey := fmt.Sprint(idx.All, idx.Status, idx.Years)
	for i := range pages {
		pages[i].Data.(*listPage).Lists = idx
		pages[i].Key += idxKey
	}
	filters := struct {
		*listIndex
		Categories, Types []string
	}{idx, register.Categories, register.Types}
	pages = append(pages, Page{Path: "register/index.html", Title: "Register", Template: "register", Section: "register/", Data: filters})
	return pages
}

type minutesView struct {
	*Minutes
	b *builder
	v *View
}

// Narrative renders the minutes' Markdown, only when the page is.
func (mv *minutesView) Narrative() template.HTML { return mv.b.markdown(mv.Body) }

// Cases are the reviews of cases the audience may see, made only when
// the page is rendered (as is Actions).
func (mv *minutesView) Cases() []register.Reviewed {
	var out []register.Reviewed
	for _, r := range mv.Minutes.Cases {
		if mv.v.Sees(r.ID) {
			out = append(out, r)
		}
	}
	return out
}

// Actions are the actions on no case or on a case the audience may see.
func (mv *minutesView) Actions() []register.Action {
	var out []register.Action
	for _, a := range mv.Minutes.Actions {
		if a.Case == "" || mv.v.Sees(a.Case) {
			out = append(out, a)
		}
	}
	return out
}

func (b *builder) minutesPages(ctx context.Context, v *View) ([]Page, error) {
	// The list shows each minutes' id, date, title and number of
	// actions: the minutes' ids and sums are its key.
	list := []byte("minutes list")
	for _, m := range v.Minutes {
		list = append(append(append(append(list, ' '), m.ID...), ' '), m.Sum...)
	}
	pages := []Page{{Path: "minutes/index.html", Title: "ITPARG minutes", Template: "minutes-list", Section: "minutes/", Data: v.Minutes, Key: string(list)}}
	for _, m := range v.Minutes {
		mv := &minutesView{Minutes: m, b: b, v: v}
		// The page shows the minutes file and which of its cases and
		// actions the audience may see: its key.
		key := make([]byte, 0, len("minutes ")+len(m.Sum)+1+len(m.Minutes.Cases)+len(m.Minutes.Actions))
		key = append(append(key, "minutes "...), m.Sum...)
		key = append(key, ' ')
		for _, r := range m.Minutes.Cases {
			key = append(key, mark(v.Sees(r.ID)))
		}
		for _, a := range m.Minutes.Actions {
			key = append(key, mark(a.Case == "" || v.Sees(a.Case)))
		}
		title := m.Title
		if title == "" {
			title = "ITPARG meeting " + m.Date.Format("2 January 2006")
		}
		pages = append(pages, Page{Path: "minutes/" + m.ID + "/index.html", Title: title, Template: "minutes", Section: "minutes/", Data: mv, Key: string(key)})
	}
	return pages, nil
}

// mark is 1 for true and 0 for false, for keys.
func mark(b bool) byte {
	if b {
		return '1'
	}
	return '0'
}

// caseIDs finds case ids in a text.
var caseIDs = regexp.MustCompile(`\b[A-Z][A-Z0-9]{0,9}-\d{4}-\d{4,6}\b`)

func (b *builder) auditPage(ctx context.Context, v *View) ([]Page, error) {
	data := struct {
		Audit *AuditStatus
		Note  string
	}{v.Audit(), b.in.HistoryNote}
	if a := data.Audit; a != nil {
		// A finding about a case the audience may not see is left out:
		// its path or message names the case.
		shown := *a
		shown.Findings = nil
		for _, f := range a.Findings {
			ok := true
			for _, id := range caseIDs.FindAllString(f, -1) {
				if !v.Sees(id) && b.reg.cases[id] != nil {
					ok = false
				}
			}
			if ok {
				shown.Findings = append(shown.Findings, f)
			}
		}
		data.Audit = &shown
	}
	return []Page{{Path: "audit/index.html", Title: "Audit status of the history", Template: "audit", Section: "audit/", Data: data}}, nil
}

func (b *builder) staticPages(ctx context.Context, v *View) ([]Page, error) {
	pages := []Page{
		{Path: "accessibility/index.html", Title: "Accessibility statement", Template: "accessibility", Section: "accessibility/", Data: v.Settings},
		{Path: "search/index.html", Title: "Search", Template: "search", Section: "search/"},
	}
	// The style sheets, scripts and icon, from templates/static: keyed
	// by the templates (every key holds them), so each tree links them
	// from the previous build or from the tree that wrote them first.
	err := fs.WalkDir(templates.FS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (p == "static/reload.js" && !b.opts.Reload) {
			return err
		}
		data, err := fs.ReadFile(templates.FS, p)
		pages = append(pages, Page{Path: p, Body: data, Key: "static"})
		return err
	})
	return pages, err
}

// dataFiles writes the exports, the search index and the feed.
func (b *builder) dataFiles(ctx context.Context, v *View) ([]Page, error) {
	// Keyed by the records of their cases, so an unchanged export
	// (megabytes for a large register) is neither made nor hashed to
	// find it unchanged — an edit of a narrative changes the search
	// index only — and made only by the first tree that needs it: the
	// trees that see the same cases link to it (see render).
	key := func(i int) string { return casesKey("exports\n", v.Cases, fragmentSum(i)) }
	feed, err := b.feed(v)
	if err != nil {
		return nil, err
	}
	cases := v.Cases
	join := func(part func(*fragments) []byte) func(io.Writer) error {
		return func(w io.Writer) error { return writeFragments(w, cases, part) }
	}
	return []Page{
		{Path: "data/cases.csv", Make: func(w io.Writer) error { return writeCSV(w, cases) }, Key: key(csvSum)},
		{Path: "data/cases.json", Make: join(func(f *fragments) []byte { return f.JSON }), Key: key(jsonSum)},
		{Path: "data/search.json", Make: join(func(f *fragments) []byte { return f.Search }), Key: key(searchSum)},
		{Path: "feed.xml", Body: feed},
		{Path: "version.txt", Body: []byte(b.reg.envSum[:16] + "-" + strconv.FormatInt(v.Now.UnixNano(), 36) + "\n")},
	}, nil
}

// casesKey is a page key: head, then part of each case the page is made
// of, appended to b: its content hash (caseSum; its fragments follow
// from the case file and the environment, which every page key holds),
// a fragment's (fragmentSum), or nothing to leave the case out.
func casesKey(head string, cases []*Case, part func(b []byte, c *Case) []byte) string {
	key := sha256.New()
	// The parts go to the hash a few kilobytes at a time.
	b := make([]byte, 0, 4096)
	b = append(b, head...)
	for _, c := range cases {
		if len(b) > cap(b)-128 {
			key.Write(b)
			b = b[:0]
		}
		b = part(b, c)
	}
	key.Write(b)
	return string(key.Sum(nil))
}

func caseSum(b []byte, c *Case) []byte { return append(b, c.Sum...) }

// The fragments whose sums are kept, in the order of fragments.Sums, and
// their number.
const (
	csvSum = iota
	jsonSum
	searchSum
	rowSum
	fragmentSums
)

// fragmentSum returns the part of casesKey that is the sum of a case's
// i-th fragment (csvSum, jsonSum, searchSum or rowSum).
func fragmentSum(i int) func(b []byte, c *Case) []byte {
	return func(b []byte, c *Case) []byte { return append(b, c.frag.Sums[i*sha256.Size:(i+1)*sha256.Size]...) }
}

// writeCSV writes the cases' CSV records under the header.
func writeCSV(w io.Writer, cases []*Case) error {
	return report.CSVOf(w, csvHeader, func(yield func([]byte) bool) {
		for _, c := range cases {
			if !yield(c.frag.CSV) {
				return
			}
		}
	})
}

// writeFragments writes a JSON fragment of each case as an array.
func writeFragments(w io.Writer, cases []*Case, part func(*fragments) []byte) error {
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	for i, c := range cases {
		if i > 0 {
			if _, err := io.WriteString(w, ",\n"); err != nil {
				return err
			}
		}
		if _, err := w.Write(part(c.frag)); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "]\n")
	return err
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Link    atomLink    `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomEntry struct {
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary"`
	Author  string   `xml:"author>name"`
}

// feed is the Atom feed of the 50 latest changed cases.
func (b *builder) feed(v *View) ([]byte, error) {
	latest := b.latestChanged(v.Cases, 50)
	// The feed changed when its latest entry did (a feed of no entries,
	// when it was made): the file stays the same from build to build
	// until a case changes.
	updated := v.Now
	if len(latest) > 0 {
		updated = b.updated(latest[0])
	}
	f := atomFeed{Title: v.Settings.Name + " — " + v.Audience.Name, ID: "urn:register:" + v.Audience.Name,
		Updated: updated.UTC().Format(time.RFC3339), Link: atomLink{Href: "index.html"}}
	for _, c := range latest {
		f.Entries = append(f.Entries, atomEntry{Title: c.ID + ": " + c.Title, ID: "urn:register:case:" + c.ID,
			Updated: b.updated(c).UTC().Format(time.RFC3339), Link: atomLink{Href: casePath(c.ID)},
			Summary: fmt.Sprintf("Status %s; category %s.", c.Status, orNone(string(c.Category))), Author: v.Settings.Organisation})
	}
	out, err := xml.MarshalIndent(f, "", " ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

func orNone(s string) string {
	if s == "" {
		return "not yet set"
	}
	return s
}
