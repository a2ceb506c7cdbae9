// Package site turns a register into its website: one self-contained
// static tree per audience of register.yaml, written by Build.
//
// # What a tree holds
//
//	index.html                        dashboard: open cases by state, deadlines about to pass, latest changes
//	register/index.html               links to the static lists and the script-enhanced filter
//	register/all/N.html               every case, 100 a page; also status-<state>/N.html and year-<YYYY>/N.html
//	cases/INC-2026-0007.html          a case: pages are files of one folder, not a folder each (see below)
//	minutes/, minutes/YYYY-MM-DD/     ITPARG minutes: cases reviewed, decisions, actions
//	audit/                            the audit status of the Git history
//	actions/, report/, breaches/      ITPARG's actions, summary report (§7.18) and breach record (Art. 33(5)):
//	                                  page types of itparg.go, which register build passes in Options.Pages
//	accessibility/                    the accessibility statement (WCAG 2.2 AA)
//	search/                           search (static/app.js over data/search.json)
//	data/cases.csv, data/cases.json   exports (RFC 4180; formula cells neutralised)
//	data/search.json                  the search and filter index
//	feed.xml                          Atom feed of the latest changes
//	static/                           site.css, app.js, favicon (from templates/static)
//	version.txt                       changes on every build; register serve's pages poll it
//
// # Case pages and permalinks
//
// A case's page is cases/ID.html, so links work on any static host and
// from the file system. Its permalink, /AUDIENCE/cases/ID/ (the form to
// quote in minutes and e-mail), is redirected to the page by the nginx
// configuration register build writes and by register serve
// (nginx.CasePermalink). One folder per case was the design's first
// layout; making 45,000 folders for five trees was a third of a full
// build of the 10,000-case demo on a virtual disk, and made in parallel
// they cost more, not less.
//
// # Visibility
//
// An audience sees a case or minutes when register.Settings.Sees says so
// (the document's audiences field, else the default rules by personal
// data). What it may not see appears nowhere in its tree: not as a page,
// a row, a count, a search entry, an export line, a feed entry or a link
// from minutes. Breach details (Art. 33(3)) show only to audiences with a
// role of the personal-data visibility list. The audience-leak test proves
// it by byte search for markers.
//
// # Safety
//
// Pages come from html/template, so every field is escaped. The only
// incident text that becomes template.HTML is goldmark's output, with raw
// HTML omitted (html.WithUnsafe is not set) and dangerous link
// destinations dropped; images become links, so nothing is loaded from
// elsewhere. Every page carries ContentSecurityPolicy in a meta element;
// web servers should send CSPHeader.
//
// # Speed
//
// A case page depends only on its file, the register's settings, people
// and workflow, the templates, its history, the minutes that link to it
// and (while the ICO clock runs) the hour; its key sums those. Build
// renders each distinct page once, whichever audiences see it (pages
// render in parallel), and one writer makes the case's folder in each
// tree, writes the page once and hard-links it into the others (folders
// made in parallel cost more on a disk than made in turn).
//
// Audiences that see the same cases share a page's expensive part
// through View.Shared (the exports, the breaches record and the summary
// report are made once per distinct set of cases, not once per
// audience; audiences that see the same cases are built one after the
// other, and the shared work is dropped when they are done). A page
// type keeps per-case pieces between builds with View.CaseFragment (the
// breaches record keeps each case's section).
//
// With Options.CacheDir, parsed cases are kept (one checksummed binary
// file, cases.bin, keyed by path, size and modification time, as Git's
// index does; a case keeps its field lines, so Has answers as when
// parsed) with their list rows and export lines; a build that changed
// under 1% of it does not rewrite it, and it is written while the
// audiences' pages are made. Fragments made after it was written (the
// breach record's sections, made while the audiences' pages are) or by
// a build that did not rewrite it are appended to late.bin, which
// belongs to one generation of cases.bin, each record checked on its
// own; the next cases.bin folds them in. What a build gathers from the history can be
// kept the same way (EncodeInput, DecodeInput): register build keeps it
// by HEAD. A manifest records each tree's page keys and the
// keys or content hashes of its other files. The next build of the same
// output moves each tree's previous cases folder over (when fewer than a
// quarter of its pages changed) and replaces only the pages whose key
// changed; it moves the register/ and minutes/ folders over too, removing
// the pages no longer made and replacing those whose Page.Key or bytes
// changed; other files with an unchanged Page.Key or unchanged bytes are
// hard-linked from the previous tree. The moves happen last, after everything that can fail on bad input, and is
// undone if the build fails. Hence the rule: files of a built tree are
// never edited in place (they are shared between trees); replace them
// with a new file and a rename. REGISTER_TRACE=1 makes register build
// print the time of each phase.
//
// A rebuild takes each unchanged case from the build cache as its
// summary (the fields the register's own pages read of every case),
// decoding the case whole only for a page that shows it (its own page,
// the breach record): ten thousand summaries decode in a tenth of the
// time of ten thousand cases. Likewise the history read back from the
// kept input holds what every build reads of each case's history, and
// decodes the events of the cases whose pages are rendered. The cache
// file is read whole, and the entries are slices of it.
//
// A Builder builds again and again in one process (register serve) and
// keeps in memory what each build would otherwise read back from the
// cache folder: the parsed cases with their fragments, the manifest (used
// only while its file is the one the Builder wrote), and each case's
// history sum and state times (used only for the same events). A rebuild
// after one edit then stats the case files, parses the one that changed,
// renders its page and remakes the pages that list it.
//
// The summary report is keyed by what it is made of: its cases'
// summaries and histories' sums, the minutes, and report.Until, the
// instant it may first read differently with time alone (it says when it
// was prepared, to the minute; open cases change age band; ICO deadlines
// pass). A rebuild within that minute whose edit the report does not
// show keeps it.
//
// # Adding a page type
//
// A page type is a PageFunc: given one audience's View (only the cases
// and minutes it may see), it returns Pages. Pass it in Options.Pages and,
// if it wants a navigation entry, an Options.Nav item:
//
//	func actions(ctx context.Context, v *site.View) ([]site.Page, error) {
//		var open []register.Action
//		for _, m := range v.Minutes {
//			for _, a := range m.Actions {
//				if a.Case == "" || v.Sees(a.Case) {
//					open = append(open, a)
//				}
//			}
//		}
//		return []site.Page{{Path: "actions/index.html", Title: "Actions",
//			Template: "actions", Section: "actions/", Data: open}}, nil
//	}
//
//	site.Build(ctx, in, "public", site.Options{Now: now,
//		Pages: []site.PageFunc{actions},
//		Nav:   []site.NavItem{{Title: "Actions", Path: "actions/"}}})
//
// The template is a file templates/html/actions.tmpl defining "actions";
// it is executed with a PageData, whose Root leads back to the tree's
// top (write links as {{.Root}}cases/{{.ID}}.html) and whose Data is the
// page's Data:
//
//	{{define "actions"}}{{template "head" .}}
//	<h1 class="govuk-heading-xl">{{.Title}}</h1>
//	…{{range .Data}}…{{end}}
//	{{template "foot" .}}{{end}}
//
// A data file (CSV, JSON, an SVG chart) is a Page with Body and no
// Template. The View's cases taken from the build cache hold their
// summaries (see Case: id, title, status, reported_at, category, types,
// impact, personal_data, audiences, the ICO decision and times, the
// review's minutes): a page that shows more of a case asks for it with
// c.Whole().
// Rules for every page type: take everything from the View
// (never from elsewhere), never link to a case the View does not see
// (v.Sees), no inline script or style (the CSP refuses them; add a file
// under templates/static), and keep the page passing the structural and
// leak tests in site_test.go, which check every page of every tree.
package site
