package site

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/council/register/register"
	"github.com/council/register/register/dirfs"
	"github.com/yuin/goldmark"
)

// PageFunc makes one kind of page for an audience. It returns the pages
// to write into the audience's tree; see doc.go.
type PageFunc func(ctx context.Context, v *View) ([]Page, error)

// A Page is one file of an audience's tree: an HTML page rendered from a
// template of templates/html, or a data file given as Body.
type Page struct {
	// Path is the slash path in the tree: "actions/index.html".
	Path string
	// Title is the page's <title> and <h1>.
	Title string
	// Template names a {{define}} of templates/html/*.tmpl; it is
	// executed with a PageData whose Data field is Data.
	Template string
	// Section marks the navigation entry of the page ("cases").
	Section string
	Data    any
	// Body is the file's content when Template is empty; or Make writes
	// it, only if the file is written (not kept from the previous build
	// or linked from another tree): an export of megabytes goes to its
	// file as it is made, never whole in memory.
	Body []byte
	Make func(w io.Writer) error
	// Key, when set, sums everything the page shows: if the previous
	// build wrote the page with the same Key, it is linked over without
	// being rendered again.
	Key string
}

// PageData is what a page's template is executed with.
type PageData struct {
	// Root leads from the page to the top of its tree: "../../".
	Root    string
	Title   string
	Section string
	Site    *SiteInfo
	Data    any
}

// SiteInfo is what every page shows of the register and the audience.
type SiteInfo struct {
	Name         string
	Organisation string
	// Audience is the tree's audience title; empty on pages shared by
	// every tree (case pages).
	Audience string
	Nav      []NavItem
	Reload   bool
}

// View is one audience's view of the register: only what it may see.
type View struct {
	Audience register.Audience
	Settings *register.Settings
	People   *register.People
	Workflow *register.Workflow
	// Cases and Minutes the audience may see, sorted by id.
	Cases   []*Case
	Minutes []*Minutes
	// BreachDetails says whether the audience may see breach details
	// (Art. 33(3)) of the personal-data cases it sees.
	BreachDetails bool
	Now           time.Time
	in            *Input
	a             *audience
	shared        *sync.Map // key → *sharedWork, one map per build
	hist          []histSum // by Case.n
}

// Shared returns what make returns, calling it once per build for each
// key however many audiences ask: audiences that see the same cases can
// share the expensive part of a page. The key must name everything make
// reads (in one build, the ids of the cases and minutes it is given name
// them).
func (v *View) Shared(key string, make func() (any, error)) (any, error) {
	if v.shared == nil {
		return make()
	}
	w, _ := v.shared.LoadOrStore(key, &sharedWork{})
	sw := w.(*sharedWork)
	sw.once.Do(func() { sw.v, sw.err = make() })
	return sw.v, sw.err
}

// CaseFragment returns the fragment of a case's page type by name, made
// by make the first time and kept with the case in the build cache, so
// later builds make it again only when the case's file or the register's
// settings, people, workflow or templates change. make must depend on
// nothing else.
func (v *View) CaseFragment(c *Case, name string, make func() ([]byte, error)) ([]byte, error) {
	mu := &fragMu
	mu.Lock()
	if c.frag != nil {
		if f, ok := c.frag.More[name]; ok {
			mu.Unlock()
			return f, nil
		}
	}
	mu.Unlock()
	f, err := make()
	if err != nil {
		return nil, err
	}
	mu.Lock()
	defer mu.Unlock()
	if c.frag != nil {
		if c.frag.More == nil {
			c.frag.More = map[string][]byte{}
		}
		c.frag.More[name] = f
		c.frag.added = append(c.frag.added, name)
	}
	return f, nil
}

// fragMu guards the More fragments of every case.
var fragMu sync.Mutex

type sharedWork struct {
	once sync.Once
	v    any
	err  error
}

// Sees reports whether the audience may see the case (by id) or the
// minutes ("minutes/" + id).
func (v *View) Sees(id string) bool { return v.a.sees(id) }

// History returns a visible case's commits, or nil.
func (v *View) History(id string) []Event {
	if !v.a.sees(id) {
		return nil
	}
	return v.in.Events(id)
}

// Audit returns the audit status, or nil.
func (v *View) Audit() *AuditStatus { return v.in.Audit }

// builder holds one build's state.
type builder struct {
	in   Input
	opts Options
	reg  *tree
	out  string
	prev string

	tmpl *template.Template
	md   goldmark.Markdown
	// saved is closed when the cache, written during the build, is.
	saved    chan struct{}
	dirs     sync.Map
	lap      func(string)
	rendered atomic.Int64

	// caseKeys are this build's case page keys by audience and case id;
	// prevKeys those of the tree at prev, from the manifest.

	updatedOnce sync.Once
	updatedAt   map[*Case]time.Time

	// keyBase and nav are what every case page's key and every other
	// page's key hold of the options.
	keyBase, nav string

	commonOnce sync.Once
	common     *SiteInfo // the site of pages trees share, which name no audience

	caseKeys caseKeys
	prevKeys *caseKeys
	// manifest, if set, is the manifest of this build's trees, written
	// after the swap; manifestData gives its bytes once all is built.
	manifest     *manifest
	manifestData chan []byte
	// prevAt and prevTree place this build's cases and trees in prevKeys.
	prevAt, prevTree []int
	// hist are this build's history sums by Case.n; prevHist those of
	// the Builder's last build by case id.
	hist     []histSum
	prevHist map[string]histSum
	moved    sync.Map // folders ("itparg/cases") moved over from prev
	// movableDirs says for "audience/folder" whether prev has it.
	movableDirs sync.Map

	// files are the content hashes of the other pages by audience and
	// path; prevFiles those of the previous build.
	filesMu   sync.Mutex
	files     map[string]map[string]string
	prevFiles map[string]map[string]string
	// written holds, by path and content hash, the first file this
	// build wrote with that content, so other trees link to it; making
	// the pages with a Key being made, by path and key (see render).
	written, making sync.Map
}

func (b *builder) build(ctx context.Context, audiences []register.Audience) error {
	t, err := b.reg.templates()
	if err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	b.tmpl = t
	b.md = newMarkdown()
	if err := b.fragments(ctx); err != nil {
		return err
	}
	views := make([]*audience, len(audiences))
	if err := parallel(ctx, len(audiences), func(i int) error {
		views[i] = b.reg.audience(audiences[i])
		return nil
	}); err != nil {
		return err
	}
	b.lap("fragments")
	pending, err := b.renderCases(ctx, views)
	if err != nil {
		return err
	}
	b.lap(fmt.Sprintf("case pages (%d rendered)", b.rendered.Load()))
	// Every case is parsed and has its fragments: the cache is written
	// while the audiences' pages are made, which leave a processor idle
	// now and then, rather than after them. The fragments page types add
	// meanwhile (the breach record's sections, made for every
	// personal-data case the first time the record is made) go to the
	// late fragments file once the pages are made, so the next build
	// does not make them again.
	if b.reg.cache != nil {
		b.saved = make(chan struct{})
		made := make(chan struct{})
		defer close(made)
		go func() {
			defer close(b.saved)
			b.reg.cache.save()
			<-made
			b.reg.cache.saveLate()
		}()
	}
	// Audiences that see the same cases one after the other, sharing
	// work (View.Shared) that is dropped once the last is done; audiences
	// that see other cases beside them, so that one's long page (the
	// summary report) leaves no processor idle.
	var groups [][]*audience
	for _, a := range views {
		i := slices.IndexFunc(groups, func(g []*audience) bool { return g[0].sight == a.sight })
		if i < 0 {
			groups = append(groups, nil)
			i = len(groups) - 1
		}
		groups[i] = append(groups[i], a)
	}
	if err := parallel(ctx, len(groups), func(i int) error {
		shared := new(sync.Map)
		for _, a := range groups[i] {
			if err := b.audiencePages(ctx, a, shared); err != nil {
				return fmt.Errorf("audience %s: %w", a.Name, err)
			}
		}
		return nil
	}); err != nil {
		return err
	}
	b.lap("audience pages")
	if m := b.manifest; m != nil {
		// The trees' files and case page keys are all known now.
		m.Keys, m.Files = b.caseKeys, b.files
		b.manifestData = make(chan []byte, 1)
		go func() { b.manifestData <- encodeManifest(m) }()
	}
	// Last, as it moves the previous tree's folders over; the trees side
	// by side (each is renames and writes the kernel works through).
	if err := parallel(ctx, len(views), func(j int) error {
		a := views[j]
		if err := b.updateCases(a, pending[j]); err != nil {
			return fmt.Errorf("audience %s: %w", a.Name, err)
		}
		if err := b.patchFolders(a.Name); err != nil {
			return fmt.Errorf("audience %s: %w", a.Name, err)
		}
		return nil
	}); err != nil {
		b.moveBack() // once every tree has stopped
		return err
	}
	b.lap("updating moved case pages")
	return nil
}

// commonSite is the site of the pages trees share: it names no audience.
func (b *builder) commonSite() *SiteInfo {
	b.commonOnce.Do(func() { b.common = b.siteInfo(nil) })
	return b.common
}

func (b *builder) siteInfo(a *audience) *SiteInfo {
	s := &SiteInfo{Name: b.reg.Settings.Name, Organisation: b.reg.Settings.Organisation, Reload: b.opts.Reload}
	if a != nil {
		s.Audience = a.Title
		if s.Audience == "" {
			s.Audience = a.Name
		}
	}
	s.Nav = append([]NavItem{
		{Title: "Dashboard", Path: ""},
		{Title: "Register", Path: "register/"},
		{Title: "Minutes", Path: "minutes/"},
		{Title: "Search", Path: "search/"},
		{Title: "Audit", Path: "audit/"},
	}, b.opts.Nav...)
	return s
}

// root returns the way up from a page at p to the tree's top.
func root(p string) string {
	return strings.Repeat("../", strings.Count(p, "/"))
}

// mkdir makes a folder once per build.
func (b *builder) mkdir(dir string) error {
	if _, ok := b.dirs.Load(dir); ok {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b.dirs.Store(dir, true)
	return nil
}

func (b *builder) writeFile(dir, p string, data []byte) error {
	full := filepath.Join(dir, filepath.FromSlash(p))
	if err := b.mkdir(filepath.Dir(full)); err != nil {
		return err
	}
	return os.WriteFile(full, data, 0o644)
}

// render writes a page of an audience's tree. A page whose bytes equal
// the previous build's is not written again (see keep), and a page whose
// bytes another tree of this build already holds is linked to that file
// (see share). A page with a Key is shared by every tree whose page has
// the same Key, so it does not name the audience.
func (b *builder) render(aud string, site *SiteInfo, p Page) error {
	if !validPath(p.Path) {
		return fmt.Errorf("page path %q is not a clean relative path", p.Path)
	}
	dir := filepath.Join(b.out, aud)
	if p.Key != "" {
		h := "key:" + sum([]byte(p.Key), []byte(p.Path), []byte(b.reg.envSum), []byte(b.nav))
		if kept, err := b.keep(aud, p.Path, h); kept || err != nil {
			return err
		}
		// One tree makes the page; trees that ask for it meanwhile (trees
		// that see other cases are built side by side) wait for it, and
		// all link to its file.
		w, asked := b.making.LoadOrStore(p.Path+"\x00"+h, &making{done: make(chan struct{})})
		m := w.(*making)
		if asked {
			<-m.done
			if m.err != nil {
				return m.err
			}
			if shared, err := b.share(dir, p.Path, h); shared || err != nil {
				return err
			}
		}
		err := b.makeKeyed(dir, h, p)
		if !asked {
			m.err = err
			close(m.done)
		}
		return err
	}
	return b.withPage(site, p, func(data []byte) error {
		h := sum(data)
		if placed, err := b.place(aud, dir, p.Path, h); placed || err != nil {
			return err
		}
		return b.writeShared(dir, p.Path, h, data)
	})
}

// makeKeyed makes and writes the page with a Key, whose hash is h. Its
// bytes need no hash, so it goes straight to its file (some are
// megabytes: the breach record, the exports).
func (b *builder) makeKeyed(dir, h string, p Page) error {
	write := p.Make
	switch {
	case write != nil:
	case p.Template != "":
		write = func(w io.Writer) error {
			if err := b.tmpl.ExecuteTemplate(w, p.Template, pageData(b.commonSite(), p)); err != nil {
				return fmt.Errorf("render %s: %w", p.Template, err)
			}
			return nil
		}
	default:
		return b.writeShared(dir, p.Path, h, p.Body)
	}
	return b.writeSharedWith(dir, p.Path, h, write)
}

// making is a page with a Key being made by one tree of the build: done
// is closed when it is written, or err says why not.
type making struct {
	done chan struct{}
	err  error
}

// place puts the page with content hash h at p of the tree in dir
// without writing it, if it can: kept from the previous build, or linked
// to another tree's file of this build.
func (b *builder) place(aud, dir, p, h string) (bool, error) {
	if kept, err := b.keep(aud, p, h); kept || err != nil {
		return kept, err
	}
	return b.share(dir, p, h)
}

// share links the page at p of the tree in dir to the file another tree
// of this build wrote with the same content hash h, if there is one.
func (b *builder) share(dir, p, h string) (bool, error) {
	first, ok := b.written.Load(p + "\x00" + h)
	if !ok {
		return false, nil
	}
	full := filepath.Join(dir, filepath.FromSlash(p))
	if err := b.mkdir(filepath.Dir(full)); err != nil {
		return false, err
	}
	return os.Link(first.(string), full) == nil, nil
}

// writeShared writes the page and records it for share.
func (b *builder) writeShared(dir, p, h string, data []byte) error {
	if err := b.writeFile(dir, p, data); err != nil {
		return err
	}
	b.written.LoadOrStore(p+"\x00"+h, filepath.Join(dir, filepath.FromSlash(p)))
	return nil
}

// writeSharedWith is writeShared of a page make writes.
func (b *builder) writeSharedWith(dir, p, h string, write func(io.Writer) error) error {
	full := filepath.Join(dir, filepath.FromSlash(p))
	if err := b.mkdir(filepath.Dir(full)); err != nil {
		return err
	}
	f, err := os.Create(full)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 64<<10)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err // the tree is removed with the failed build
	}
	b.written.LoadOrStore(p+"\x00"+h, full)
	return nil
}

// keep records the hash of the page at p and reports whether the
// previous tree holds the same page, so that it needs no writing: in a
// folder that moves over from the previous tree (see movable) it stays
// where it is; elsewhere it is linked from the previous tree (a link,
// not a move: a failed build must leave the previous tree whole).
func (b *builder) keep(aud, p, h string) (bool, error) {
	b.filesMu.Lock()
	if b.files[aud] == nil {
		b.files[aud] = map[string]string{}
	}
	b.files[aud][p] = h
	same := b.prevFiles[aud][p] == h
	b.filesMu.Unlock()
	if !same {
		return false, nil
	}
	old := filepath.Join(b.prev, aud, filepath.FromSlash(p))
	if b.movable(aud, p) != "" {
		_, err := os.Lstat(old)
		return err == nil, nil
	}
	full := filepath.Join(b.out, aud, filepath.FromSlash(p))
	if err := b.mkdir(filepath.Dir(full)); err != nil {
		return false, err
	}
	return os.Link(old, full) == nil, nil
}

// movableFolders are the folders of a tree, besides cases/, that a
// rebuild moves over from the previous tree and patches: they hold most
// of a tree's other files (a list page per hundred cases, a folder per
// minutes), and moving one folder costs less than linking each file into
// a new one and deleting the old.
var movableFolders = []string{"register", "minutes"}

// movable returns the movable folder the page at p is in, if the
// previous tree of the audience has it and the manifest says what it
// holds; else "".
func (b *builder) movable(aud, p string) string {
	f, _, ok := strings.Cut(p, "/")
	if !ok || !slices.Contains(movableFolders, f) || b.prevFiles[aud] == nil {
		return ""
	}
	k := aud + "/" + f
	v, ok := b.movableDirs.Load(k)
	if !ok {
		st, err := os.Stat(filepath.Join(b.prev, aud, f))
		v, _ = b.movableDirs.LoadOrStore(k, err == nil && st.IsDir())
	}
	if v.(bool) {
		return f
	}
	return ""
}

// patchFolders moves each movable folder of the audience's previous tree
// into the new tree and patches it: pages no longer made are removed,
// and the pages this build wrote (into the new tree, now set aside)
// replace their old versions by a rename.
func (b *builder) patchFolders(aud string) error {
	for _, f := range movableFolders {
		if b.movable(aud, f+"/") == "" {
			continue
		}
		dir := filepath.Join(b.out, aud, f)
		changed := dir + ".changed"
		if err := os.Rename(dir, changed); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if err := os.Rename(filepath.Join(b.prev, aud, f), dir); err != nil {
			return err
		}
		b.moved.Store(aud+"/"+f, true)
		for p := range b.prevFiles[aud] {
			if _, ok := b.files[aud][p]; !ok && strings.HasPrefix(p, f+"/") {
				full := filepath.Join(b.out, aud, filepath.FromSlash(p))
				if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err
				}
				os.Remove(filepath.Dir(full)) // if now empty
			}
		}
		err := filepath.WalkDir(changed, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(changed, p)
			if err != nil {
				return err
			}
			to := filepath.Join(dir, rel)
			if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
				return err
			}
			return os.Rename(p, to)
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if err := os.RemoveAll(changed); err != nil {
			return err
		}
	}
	return nil
}

// withPage renders a page, or takes its Body, and hands the bytes to
// use, which must not keep them: a rendered page's buffer is reused.
func (b *builder) withPage(site *SiteInfo, p Page, use func([]byte) error) error {
	if p.Template == "" {
		if p.Make != nil {
			var body bytes.Buffer
			if err := p.Make(&body); err != nil {
				return err
			}
			return use(body.Bytes())
		}
		return use(p.Body)
	}
	return b.executeTo(p.Template, pageData(site, p), use)
}

// pageData is what the page's template is given.
func pageData(site *SiteInfo, p Page) PageData {
	return PageData{Root: root(p.Path), Title: p.Title, Section: p.Section, Site: site, Data: p.Data}
}

func validPath(p string) bool {
	return p != "" && fs.ValidPath(p) && !strings.HasPrefix(p, ".") && path.Clean(p) == p
}

// audiencePages writes everything of an audience's tree but the case
// pages.
func (b *builder) audiencePages(ctx context.Context, a *audience, shared *sync.Map) error {
	v := &View{Audience: a.Audience, Settings: b.reg.Settings, People: b.reg.People, Workflow: b.reg.Workflow,
		Cases: a.cases, Minutes: a.minutes, BreachDetails: a.breach, Now: b.opts.Now, in: &b.in, a: a, shared: shared, hist: b.hist}
	site := b.siteInfo(a)
	makers := []PageFunc{b.dashboard, b.lists, b.minutesPages, b.auditPage, b.staticPages, b.dataFiles}
	makers = append(makers, b.opts.Pages...)
	// Each page type's pages are rendered as soon as it has made them:
	// the others do not wait for the slowest (the summary report).
	var mu sync.Mutex
	seen := map[string]bool{}
	return parallel(ctx, len(makers), func(i int) error {
		pages, err := makers[i](ctx, v)
		if err != nil {
			return err
		}
		mu.Lock()
		for _, p := range pages {
			if seen[p.Path] {
				mu.Unlock()
				return fmt.Errorf("two pages at %s", p.Path)
			}
			seen[p.Path] = true
		}
		mu.Unlock()
		return parallel(ctx, len(pages), func(i int) error { return b.render(a.Name, site, pages[i]) })
	})
}

// pagePlan is a rendered case page and where it goes.
type pagePlan struct {
	id   string
	data []byte
	dirs []*dirfs.Dir // the cases folders of new trees it goes into
}

// renderCases renders each case page once per distinct variant (which
// minutes it may link to, whether breach details show), whichever
// audiences see it. For a tree built afresh, one writer makes the case's
// folder in each tree, writes the page once and links it into the
// others: in turn, since folders made in parallel cost more on a disk
// than made one after another. For a tree whose previous build left a
// manifest, only pages whose key changed are rendered; they are returned
// to be put into the previous tree's cases folder once it is moved over.
func (b *builder) renderCases(ctx context.Context, views []*audience) ([][]pagePlan, error) {
	// First every page's key, which is cheap, to decide per tree whether
	// moving the previous cases folder over pays: when most pages changed
	// (new templates, settings), writing the tree afresh is faster than
	// replacing page after page.
	type variant struct {
		ms     []*Minutes
		breach bool
		key    string
	}
	nv := len(views)
	vars := make([]variant, len(b.reg.Cases)*nv) // by case, then audience
	b.hist = make([]histSum, len(b.reg.Cases))
	err := parallel(ctx, len(b.reg.Cases), func(i int) error {
		c := b.reg.Cases[i]
		linked := b.reg.linkedMinutes(c)
		k := b.reg.clock(c, b.opts.Now)
		b.hist[i] = b.historySum(c.ID)
		hist := b.hist[i].sum
		cv := vars[i*nv : (i+1)*nv]
		for j, a := range views {
			if !a.seen[c.n] {
				continue
			}
			ms := linked // unless the audience may not see some of them
			for x, m := range linked {
				if !a.seenMinutes[m.n] {
					ms = slices.Clone(linked[:x])
					for _, m := range linked[x+1:] {
						if a.seenMinutes[m.n] {
							ms = append(ms, m)
						}
					}
					break
				}
			}
			v := variant{ms: ms, breach: a.breach && c.Breach != nil}
			// Audiences mostly see a case alike: its key is worked out
			// once per variant.
			for _, w := range cv[:j] {
				if w.key != "" && w.breach == v.breach && slices.Equal(w.ms, v.ms) {
					v.key = w.key
					break
				}
			}
			if v.key == "" {
				v.key = b.caseKey(c, ms, v.breach, k, hist)
			}
			cv[j] = v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	b.caseKeys = caseKeys{Trees: make([]string, nv), IDs: make([]string, len(b.reg.Cases)), Keys: make([]string, len(vars))}
	for i, c := range b.reg.Cases {
		b.caseKeys.IDs[i] = c.ID
	}
	for i, v := range vars {
		b.caseKeys.Keys[i] = v.key
	}
	b.prevTree = make([]int, nv)
	for j, a := range views {
		b.caseKeys.Trees[j] = a.Name
		b.prevTree[j] = -1
		if b.prevKeys != nil {
			b.prevTree[j] = b.prevKeys.tree(a.Name)
		}
	}
	if b.prevKeys != nil {
		b.prevAt = b.prevKeys.places(b.caseKeys.IDs)
	}
	fresh := make([]bool, len(views))
	dirs := make([]*dirfs.Dir, len(views)) // the cases folder of each fresh tree
	defer func() {
		for _, d := range dirs {
			if d != nil {
				d.Close()
			}
		}
	}()
	for j, a := range views {
		changed := 0
		for i := range b.reg.Cases {
			if key := vars[i*nv+j].key; key != "" && b.prevKey(i, j) != key {
				changed++
			}
		}
		fresh[j] = b.prevTree[j] < 0 || changed > len(a.cases)/4 || !b.canMove(a.Name)
		if fresh[j] {
			dir := filepath.Join(b.out, a.Name, "cases")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, err
			}
			if dirs[j], err = dirfs.OpenDir(dir); err != nil {
				return nil, err
			}
		}
	}
	pending := make([][]pagePlan, len(views))
	jobs := make(chan pagePlan, 64)
	werr := make(chan error, 1)
	go func() {
		var first error
		for p := range jobs {
			if first == nil {
				first = writeCase(p)
			}
		}
		werr <- first
	}()
	var mu sync.Mutex
	err = parallel(ctx, len(b.reg.Cases), func(i int) error {
		c := b.reg.Cases[i]
		k := b.reg.clock(c, b.opts.Now)
		var plans map[string]*pagePlan
		for j := range views {
			v := vars[i*nv+j]
			if v.key == "" || (!fresh[j] && b.prevKey(i, j) == v.key) {
				continue // not visible, or the moved folder already holds it
			}
			if plans == nil {
				plans = map[string]*pagePlan{}
			}
			p := plans[v.key]
			if p == nil {
				b.rendered.Add(1)
				data, err := b.casePage(c, v.ms, v.breach, k)
				if err != nil {
					return fmt.Errorf("case %s: %w", c.ID, err)
				}
				p = &pagePlan{id: c.ID, data: data}
				plans[v.key] = p
			}
			if fresh[j] {
				p.dirs = append(p.dirs, dirs[j])
			} else {
				mu.Lock()
				pending[j] = append(pending[j], pagePlan{id: c.ID, data: p.data})
				mu.Unlock()
			}
		}
		for _, p := range plans {
			if len(p.dirs) > 0 {
				select {
				case jobs <- *p:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		}
		return nil
	})
	close(jobs)
	if werr := <-werr; err == nil {
		err = werr
	}
	if err != nil {
		return nil, err
	}
	return pending, nil
}

// prevKey is the key of case i's page in the previous tree of view j,
// or "".
func (b *builder) prevKey(i, j int) string {
	if b.prevTree[j] < 0 || b.prevAt[i] < 0 {
		return ""
	}
	return b.prevKeys.key(b.prevAt[i], b.prevTree[j])
}

// writeCase writes a case's page into the first new tree and links it
// into the others, each by name in the tree's open cases folder.
func writeCase(p pagePlan) error {
	name := path.Base(casePath(p.id))
	var first *dirfs.Dir
	for _, d := range p.dirs {
		if first != nil && first.Link(name, d) == nil {
			continue
		}
		if err := d.WriteFile(name, p.data, 0o644); err != nil {
			return err
		}
		first = d
	}
	return nil
}

// casePath is where a case's page is in a tree. Pages are files in one
// cases folder, not a folder each: making 45,000 folders was a third of a
// full build of the 10,000-case demo. The permalink /cases/ID/ still
// works: the nginx configuration and register serve answer it with this
// page (see nginx.CasePermalink).
func casePath(id string) string { return "cases/" + id + ".html" }

// caseFile is the file of a case's page in the new tree of an audience.
func (b *builder) caseFile(aud, id string) string {
	return filepath.Join(b.out, aud, filepath.FromSlash(casePath(id)))
}

// canMove reports whether the previous tree of the audience has a cases
// folder to move over.
func (b *builder) canMove(aud string) bool {
	st, err := os.Stat(filepath.Join(b.prev, aud, "cases"))
	return err == nil && st.IsDir()
}

// moveBack returns case folders moved from the previous tree when the
// build fails after moving them.
func (b *builder) moveBack() {
	b.moved.Range(func(k, _ any) bool {
		rel := filepath.FromSlash(k.(string))
		os.Rename(filepath.Join(b.out, rel), filepath.Join(b.prev, rel))
		return true
	})
}

// updateCases moves the previous tree's cases folder of an audience built
// before into the new tree, removes the cases it may no longer see and
// puts in the pages that changed. Pages are replaced by a new file and a
// rename, never written in place: a file may be linked into other trees.
func (b *builder) updateCases(a *audience, pending []pagePlan) error {
	dir := filepath.Join(b.out, a.Name, "cases")
	if _, err := os.Stat(dir); err == nil {
		return nil // built afresh
	}
	if err := os.Rename(filepath.Join(b.prev, a.Name, "cases"), dir); err != nil {
		return err
	}
	b.moved.Store(a.Name+"/cases", true)
	if k := b.prevKeys; k != nil {
		if j := k.tree(a.Name); j >= 0 {
			for i, id := range k.IDs {
				if k.key(i, j) != "" && !a.sees(id) {
					if err := os.Remove(b.caseFile(a.Name, id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
						return err
					}
				}
			}
		}
	}
	for _, p := range pending {
		f := b.caseFile(a.Name, p.id)
		tmp := f + ".new"
		if err := os.WriteFile(tmp, p.data, 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, f); err != nil {
			return err
		}
	}
	return nil
}

// caseKey is the content key of a case page: everything it shows.
func (b *builder) caseKey(c *Case, ms []*Minutes, breach bool, k clock, hist string) string {
	key := pageKeys.Get().(*pageKey)
	defer pageKeys.Put(key)
	key.b = key.b[:0]
	key.add(b.reg.envSum, c.Sum, strconv.FormatBool(breach), b.keyBase)
	for _, m := range ms {
		// What the page shows of the minutes: a link, their date and the
		// decision on the case.
		r, _ := m.Lists(c.ID)
		var date [16]byte
		key.add(m.ID, string(m.Date.AppendFormat(date[:0], register.DateLayout)), string(r.Decision))
	}
	if k.Running() {
		// The page says how long is left or how long ago the deadline
		// passed: it changes when that text does.
		key.add(k.State, k.Span())
	}
	key.add(hist)
	return key.sum()
}

// A pageKey gathers the parts of a page key, each as its length and its
// bytes so that no two lists of parts read alike; its sum is the key.
// (Ten thousand case page keys a build: made without copying a part, in
// buffers used again.)
type pageKey struct{ b []byte }

var pageKeys = sync.Pool{New: func() any { return &pageKey{b: make([]byte, 0, 512)} }}

func (k *pageKey) add(parts ...string) {
	for _, p := range parts {
		k.b = strconv.AppendInt(k.b, int64(len(p)), 10)
		k.b = append(append(k.b, ':'), p...)
	}
}

func (k *pageKey) sum() string {
	s := sha256.Sum256(k.b)
	return string(s[:])
}

// casePage renders a case page.
func (b *builder) casePage(c *Case, ms []*Minutes, breach bool, k clock) ([]byte, error) {
	w, err := c.Whole()
	if err != nil {
		return nil, err
	}
	p := b.caseView(w, ms, breach, k)
	return b.execute("case", PageData{Root: root(casePath(c.ID)), Title: c.ID + ": " + c.Title, Section: "register/", Site: b.commonSite(), Data: p})
}

type duty struct {
	Name, Section string
	At            string
}

type step struct {
	To      string
	Missing []register.Requirement
}

type caseView struct {
	*register.Case
	Narrative      template.HTML
	Clock          clock
	Duties         []duty
	Next           []step
	Minutes        []*Minutes
	Breach         bool
	Open           bool
	Events         []Event
	HistoryNote    string
	ReportedBy     string
	Investigator   string
	LineManager    string
	ReviewDecision map[string]string
}

func (b *builder) caseView(c *register.Case, ms []*Minutes, breach bool, k clock) *caseView {
	t := b.reg
	v := &caseView{Case: c, Narrative: b.markdown(c.Body()), Clock: k, Minutes: ms, Breach: breach,
		Open: t.open(c.Status), Events: b.in.Events(c.ID), HistoryNote: b.in.HistoryNote,
		ReportedBy: t.personName(c.ReportedBy), Investigator: t.personName(c.Investigator),
		LineManager: t.personName(c.LineManager), ReviewDecision: map[string]string{}}
	if !b.in.hasHistory() && v.HistoryNote == "" {
		v.HistoryNote = "the site was built without the Git history"
	}
	for _, d := range register.Duties {
		du := duty{Name: dutyNames[d], Section: dutySections[d]}
		if at, ok := c.Notified[register.Duty(d)]; ok && !at.IsZero() {
			du.At = at.In(t.Settings.Location()).Format("2 Jan 2006 15:04 MST")
		}
		v.Duties = append(v.Duties, du)
	}
	env := &register.Env{Settings: t.Settings, People: t.People, Minutes: func(id string) *register.Minutes {
		if m := t.minutes[id]; m != nil {
			return m.Minutes
		}
		return nil
	}}
	if v.Open {
		for _, tr := range t.Workflow.Next(c.Status) {
			v.Next = append(v.Next, step{To: tr.To, Missing: t.Workflow.Missing(tr, c, env)})
		}
	}
	for _, m := range ms {
		if r, ok := m.Lists(c.ID); ok {
			v.ReviewDecision[m.ID] = string(r.Decision)
		}
	}
	return v
}

// latestChanged returns the n cases of cases changed last, newest
// first; of cases changed at the same time, the one earlier in cases
// comes first. Pages show a few: the rest is not sorted.
func (b *builder) latestChanged(cases []*Case, n int) []*Case {
	type entry struct {
		c  *Case
		at time.Time
	}
	b.updatedOnce.Do(func() {
		b.updatedAt = make(map[*Case]time.Time, len(b.reg.Cases))
		for _, c := range b.reg.Cases {
			b.updatedAt[c] = b.updated(c) // once a build, not once a comparison or an audience
		}
	})
	top := make([]entry, 0, n+1)
	for _, c := range cases {
		at, ok := b.updatedAt[c]
		if !ok {
			at = b.updated(c)
		}
		if len(top) == n && !at.After(top[n-1].at) {
			continue
		}
		// After every case changed at the same time or later.
		i := sort.Search(len(top), func(i int) bool { return top[i].at.Before(at) })
		top = slices.Insert(top, i, entry{c, at})
		if len(top) > n {
			top = top[:n]
		}
	}
	out := make([]*Case, len(top))
	for i, e := range top {
		out[i] = e.c
	}
	return out
}
