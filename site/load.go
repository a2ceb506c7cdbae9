package site

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/council/register/register"
	"github.com/council/register/register/dirfs"
)

// Minutes are ITPARG minutes as the site holds them.
type Minutes struct {
	*register.Minutes
	Body []byte
	// Sum is the SHA-256 of the minutes file.
	Sum string
	// n is the minutes' place in the register's minutes, sorted by id.
	n int
}

// tree is the loaded register.
type tree struct {
	Settings *register.Settings
	People   *register.People
	Workflow *register.Workflow
	Cases    []*Case // sorted by id
	Minutes  []*Minutes
	cases    map[string]*Case
	minutes  map[string]*Minutes
	// envSum hashes register.yaml, people.yaml and workflow.yaml: what
	// every rendered case depends on besides its own file.
	envSum string
	cache  *cache
	dir    string

	linkOnce sync.Once
	links    []*Minutes // see linkMinutes
	linkAt   []int

	// templates returns the page templates for the register's time
	// zone, parsed while the rest of the register is loaded.
	templates func() (*template.Template, error)
}

// cacheVersion changes when the cached data's shape changes.
const cacheVersion = "site-cache-14"

// cache keeps parsed cases between builds, keyed by path, size and
// modification time as Git's index does; a content hash keys the
// rendered pages.
type cache struct {
	dir string
	mu  sync.Mutex
	Env string // envSum and template hash the fragments were made with
	// Gen is the generation of the cache file the entries were read
	// from or last written to ("" for none), which the late fragments
	// file belongs to; Size and LateSize are the sizes of both files,
	// and late is the late fragments file as last read or written whole.
	Gen            string
	Size, LateSize int64
	late           os.FileInfo
	// Docs are the entries by path. Loading reads it on all processors
	// and adds the entries of files it parsed only once they are all
	// read (see addParsed).
	Docs map[string]*cachedCase
	// changed counts the entries this build added, replaced or dropped,
	// and envChanged says the fragments were all dropped.
	changed    int
	envChanged bool
}

// cachedCase is a parsed case file, or a parsed minutes file.
type cachedCase struct {
	Size    int64
	ModTime int64
	// Case is the case as register.Case marshals it, whole, and Summary
	// its summary (see Case) the same way: a build decodes the summary
	// of each case it takes, on all processors, and the case whole only
	// for a page that shows it. Either is nil for a case parsed in this
	// process until the cache is written.
	Case, Summary []byte
	// Updated is the case's fileUpdated.
	Updated time.Time
	Sum     string
	Frag    *fragments
	// Minutes is set instead of Case for a minutes file, without its
	// body, which is Body (see register.Minutes.MarshalFields).
	Minutes *register.Minutes
	Body    []byte

	// used is set when this build found the file (see prune), by the
	// one loader of its path.
	used bool

	mu      sync.Mutex
	parsed  *register.Case // Case decoded, or the case parsed in this process
	summary *register.Case // Summary decoded
}

// value returns a copy of the case whole, decoding it the first time.
func (d *cachedCase) value() (register.Case, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.parsed == nil {
		rc := new(register.Case)
		if err := rc.UnmarshalBinary(d.Case); err != nil {
			return register.Case{}, err
		}
		d.parsed = rc
	}
	return *d.parsed, nil
}

// take returns what a build takes of the case at p: its summary,
// decoded the first time, or the case whole if it was parsed in this
// process (a Builder's earlier build), and which. Builds share it and
// never change it.
func (d *cachedCase) take(p string) (c *register.Case, whole bool, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.parsed != nil && d.Summary == nil {
		return d.parsed, true, nil
	}
	if d.summary == nil {
		rc, err := decodeSummary(d.Summary)
		if err != nil {
			return nil, false, err
		}
		rc.Path = p
		d.summary = rc
	}
	return d.summary, false, nil
}

// encoded returns the case and its summary as the cache file holds them.
func (d *cachedCase) encoded() (whole, sum []byte, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	whole, sum = d.Case, d.Summary
	if whole == nil && d.parsed != nil {
		if whole, err = d.parsed.MarshalBinary(); err != nil {
			return nil, nil, err
		}
	}
	if sum == nil && d.parsed != nil {
		sum = encodeSummary(d.parsed)
	}
	return whole, sum, nil
}

// openCache reads the cache in dir (see cachefile.go); nil when there
// is no dir to keep it in.
func openCache(dir string) *cache {
	c := &cache{dir: dir, Docs: map[string]*cachedCase{}}
	if dir == "" {
		return nil
	}
	if head, docs, err := readCacheFile(dir); err == nil {
		c.Env, c.Gen, c.Size, c.LateSize, c.late, c.Docs = head.Env, head.Gen, head.Size, head.LateSize, head.Late, docs
	}
	return c
}

// reuse readies a cache kept in memory from the last build for the next
// one. Its entries stay valid whatever happened on disk since: each is
// taken only for a file of the size and time it was read at.
func (c *cache) reuse() *cache {
	for _, d := range c.Docs {
		d.used = false
	}
	c.changed, c.envChanged = 0, false
	return c
}

// prune drops the entries of files this build did not find (deleted or
// moved cases and minutes).
func (c *cache) prune() {
	for p, d := range c.Docs {
		if !d.used {
			delete(c.Docs, p)
			c.changed++
		}
	}
}

// save writes the cache file; a failure only costs the next build time.
// A build that changed a handful of entries writes nothing: encoding ten
// thousand entries again costs more than the next build parsing those
// few files afresh (their size or time no longer matches, so a stale
// entry is never used); the fragments it added go to the late fragments
// file (saveLate). A late fragments file grown to a quarter of the cache
// file's size is folded into a new one.
func (c *cache) save() {
	changed := c.changed
	fragMu.Lock()
	for _, d := range c.Docs {
		if d.Frag != nil && len(d.Frag.added) > 0 {
			changed++
		}
	}
	fragMu.Unlock()
	if !c.envChanged && changed <= len(c.Docs)/100 && c.LateSize <= c.Size/4 {
		return
	}
	gen, err := writeCacheFile(c.dir, c.Env, c.Docs)
	if err != nil {
		return
	}
	c.Gen, c.LateSize, c.late, c.changed, c.envChanged = gen, 0, nil, 0, false
	if st, err := os.Stat(filepath.Join(c.dir, cacheFile)); err == nil {
		c.Size = st.Size()
	}
	os.Remove(filepath.Join(c.dir, lateFile))    // of the last generation
	os.Remove(filepath.Join(c.dir, "cases.gob")) // the gob cache of earlier builds
}

// saveLate appends the fragments added since the cache file was written
// (or read) to the late fragments file.
func (c *cache) saveLate() {
	if c.Gen == "" {
		return // no cache file for them to belong to: the next one holds them
	}
	var frags []lateFragment
	fragMu.Lock()
	n := 0
	for _, d := range c.Docs {
		if d.Frag != nil {
			n += len(d.Frag.added)
		}
	}
	if n > 0 {
		frags = make([]lateFragment, 0, n)
	}
	for p, d := range c.Docs {
		if d.Frag == nil || len(d.Frag.added) == 0 {
			continue
		}
		for _, name := range d.Frag.added {
			frags = append(frags, lateFragment{path: p, sum: d.Sum, name: name, data: d.Frag.More[name]})
		}
		d.Frag.added = nil
	}
	fragMu.Unlock()
	if len(frags) == 0 {
		return
	}
	slices.SortFunc(frags, func(a, b lateFragment) int {
		return cmp.Or(strings.Compare(a.path, b.path), strings.Compare(a.name, b.name))
	})
	if st, err := appendLate(c.dir, c.Gen, frags, c.late); err == nil {
		c.LateSize, c.late = st.Size(), st
	}
}

func sum(data ...[]byte) string {
	h := sha256.New()
	var n [20]byte
	for _, d := range data {
		h.Write(append(strconv.AppendInt(n[:0], int64(len(d)), 10), ':'))
		h.Write(d)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// load reads the register in dir. Unchanged case files come from the
// cache without being read; every other file is parsed strictly, and any
// problem fails the build with its path and line.
//
// kept is the cache of the last build in this process (see Builder), or
// nil to read the one in cacheDir.
func load(ctx context.Context, dir string, kept *cache, cacheDir, build string) (_ *tree, err error) {
	fsys := dirfs.New(dir)
	t := &tree{dir: dir, cases: map[string]*Case{}, minutes: map[string]*Minutes{}}
	// The cache file is read and checked while the case files are listed
	// and looked at; a load that fails waits for it all the same.
	var opened chan *cache
	if kept == nil || kept.dir != cacheDir {
		opened = make(chan *cache, 1)
		go func() { opened <- openCache(cacheDir) }()
		defer func() {
			if opened != nil {
				<-opened
			}
		}()
	}
	var found register.Findings
	settings, err := fs.ReadFile(fsys, register.SettingsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no %s here: this is not a register", dir, register.SettingsFile)
	}
	if err != nil {
		return nil, err
	}
	if t.Settings, err = register.ParseSettings(bytes.NewReader(settings)); err != nil {
		found = append(found, findings(err).In(register.SettingsFile)...)
	}
	people, err := fs.ReadFile(fsys, register.PeopleFile)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	t.People = &register.People{}
	if err == nil {
		if t.People, err = register.ParsePeople(bytes.NewReader(people)); err != nil {
			found = append(found, findings(err).In(register.PeopleFile)...)
		}
	}
	t.Workflow = register.DefaultWorkflow()
	workflow, err := fs.ReadFile(fsys, register.WorkflowFile)
	if err == nil {
		if t.Workflow, err = register.ParseWorkflow(bytes.NewReader(workflow)); err != nil {
			found = append(found, findings(err).In(register.WorkflowFile)...)
		}
	}
	if found != nil {
		return nil, &BuildError{Findings: found}
	}
	// Parsed beside the loading rather than after it, when nothing else
	// would run beside them.
	loc := t.Settings.Location()
	t.templates = sync.OnceValues(func() (*template.Template, error) { return parseTemplates(loc) })
	go t.templates()
	t.envSum = sum([]byte(cacheVersion), []byte(build), settings, people, workflow, templateSum())
	paths, err := casePaths(fsys)
	if err != nil {
		return nil, err
	}
	root, err := dirfs.OpenDir(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	// Each file is looked at from its year's folder: a shorter way for
	// the kernel to walk ten thousand times.
	years := map[string]*dirfs.Dir{}
	defer func() {
		for _, d := range years {
			if d != nil {
				d.Close()
			}
		}
	}()
	stampers := make([]*dirfs.Dir, len(paths))
	names := make([]string, len(paths))
	for i, p := range paths {
		year := path.Dir(path.Dir(p))
		d, ok := years[year]
		if !ok {
			d, _ = dirfs.OpenDir(filepath.Join(dir, filepath.FromSlash(year)))
			years[year] = d
		}
		stampers[i], names[i] = d, p[len(year)+1:]
		if d == nil {
			stampers[i], names[i] = root, p
		}
	}
	stamps := make([]dirfs.Stamp, len(paths))
	there := make([]bool, len(paths))
	if err := parallel(ctx, len(paths), func(i int) (err error) {
		stamps[i], err = stampers[i].Stamp(names[i])
		if errors.Is(err, fs.ErrNotExist) {
			return nil // a case folder left empty holds no case, as register check sees it
		}
		there[i] = err == nil
		return err
	}); err != nil {
		return nil, err
	}
	if opened != nil {
		t.cache, opened = <-opened, nil
	} else {
		t.cache = kept.reuse()
	}
	if t.cache != nil && t.cache.Env != t.envSum {
		for _, d := range t.cache.Docs {
			d.Frag = nil
		}
		t.cache.Env = t.envSum
		t.cache.envChanged = true
	}

	parsedCases := make([]*cachedCase, len(paths))
	cases, errs, err := loadAll(ctx, len(paths), func(i int) (c *Case, found register.Findings, err error) {
		if !there[i] {
			return nil, nil, nil
		}
		c, parsedCases[i], found, err = t.loadCase(fsys, paths[i], stamps[i])
		return c, found, err
	})
	if err != nil {
		return nil, err
	}
	t.cache.addParsed(paths, parsedCases)
	found = append(found, errs...)
	for _, c := range cases {
		if c == nil {
			continue
		}
		if prev, ok := t.cases[c.ID]; ok {
			found = append(found, register.Finding{Path: c.Path, Rule: "id",
				Message: fmt.Sprintf("case id %s is also used by %s", c.ID, prev.Path)})
			continue
		}
		if want := register.CasePath(c.ID); want != c.Path {
			found = append(found, register.Finding{Path: c.Path, Line: 1, Rule: "id",
				Message: fmt.Sprintf("case %s belongs in %s", c.ID, want)})
			continue
		}
		t.cases[c.ID] = c
		t.Cases = append(t.Cases, c)
	}

	mpaths, err := minutesPaths(fsys)
	if err != nil {
		return nil, err
	}
	parsedMinutes := make([]*cachedCase, len(mpaths))
	mins, errs, err := loadAll(ctx, len(mpaths), func(i int) (m *Minutes, found register.Findings, err error) {
		m, parsedMinutes[i], found, err = t.loadMinutes(fsys, mpaths[i])
		return m, found, err
	})
	if err != nil {
		return nil, err
	}
	t.cache.addParsed(mpaths, parsedMinutes)
	found = append(found, errs...)
	for _, m := range mins {
		if m == nil {
			continue
		}
		t.minutes[m.ID] = m
		t.Minutes = append(t.Minutes, m)
	}
	if t.cache != nil {
		t.cache.prune()
	}
	if found != nil {
		found.Sort()
		return nil, &BuildError{Findings: found}
	}
	sort.Slice(t.Cases, func(i, j int) bool { return t.Cases[i].ID < t.Cases[j].ID })
	sort.Slice(t.Minutes, func(i, j int) bool { return t.Minutes[i].ID < t.Minutes[j].ID })
	for i, c := range t.Cases {
		c.n = i
	}
	for i, m := range t.Minutes {
		m.n = i
	}
	return t, nil
}

// loadCase takes the case file at p, of size and time st, from the
// cache, or reads and parses it; then it returns the cache entry to add
// for it (see addParsed).
func (t *tree) loadCase(fsys fs.FS, p string, st dirfs.Stamp) (*Case, *cachedCase, register.Findings, error) {
	if c := t.cache; c != nil {
		d := c.Docs[p]
		if d != nil && d.Minutes == nil && d.Size == st.Size && d.ModTime == st.ModTime {
			// A damaged entry is parsed afresh below.
			if rc, whole, err := d.take(p); err == nil {
				d.used = true
				cc := &Case{Case: rc, Sum: d.Sum, frag: d.Frag, cached: true, updated: d.Updated}
				if !whole {
					cc.entry = d
				}
				return cc, nil, nil, nil
			}
		}
	}
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, nil, nil, err
	}
	rc, err := register.ParseCase(bytes.NewReader(data))
	if err != nil {
		return nil, nil, findings(err).In(p), nil
	}
	rc.Path = p
	c := &Case{Case: rc, Sum: sum(data), updated: fileUpdated(rc)}
	kept := *rc
	return c, &cachedCase{Size: st.Size, ModTime: st.ModTime, parsed: &kept, Sum: c.Sum, Updated: c.updated}, nil, nil
}

// addParsed adds the entries of the files loaded at paths that were
// parsed (entries[i] for paths[i], nil for a file taken from the cache).
func (c *cache) addParsed(paths []string, entries []*cachedCase) {
	if c == nil {
		return
	}
	for i, d := range entries {
		if d != nil {
			d.used = true
			c.Docs[paths[i]] = d
			c.changed++
		}
	}
}

// loadAll loads n files, the i-th by load(i), on all processors, in
// order, and gathers their findings.
func loadAll[T any](ctx context.Context, n int, load func(i int) (*T, register.Findings, error)) ([]*T, register.Findings, error) {
	out := make([]*T, n)
	errs := make([]register.Findings, n)
	err := parallel(ctx, n, func(i int) error {
		v, fs, err := load(i)
		out[i], errs[i] = v, fs
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	var found register.Findings
	for _, e := range errs {
		found = append(found, e...)
	}
	return out, found, nil
}

// loadMinutes reads a minutes file, from the cache when its size and
// time are those the cache knows; for a file it parsed, it returns the
// cache entry to add (see addParsed).
func (t *tree) loadMinutes(fsys fs.FS, p string) (*Minutes, *cachedCase, register.Findings, error) {
	st, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, nil, nil, err
	}
	var m *register.Minutes
	var s string
	var body []byte
	var entry *cachedCase
	if c := t.cache; c != nil {
		if d := c.Docs[p]; d != nil && d.Minutes != nil && d.Size == st.Size() && d.ModTime == st.ModTime().UnixNano() {
			d.used = true
			m = new(register.Minutes)
			*m = *d.Minutes
			s, body = d.Sum, d.Body
		}
	}
	if m == nil {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, nil, nil, err
		}
		if m, err = register.ParseMinutes(bytes.NewReader(data)); err != nil {
			return nil, nil, findings(err).In(p), nil
		}
		s, body = sum(data), m.Body()
		kept := *m
		entry = &cachedCase{Size: st.Size(), ModTime: st.ModTime().UnixNano(), Minutes: &kept, Body: body, Sum: s}
	}
	m.ID = strings.TrimSuffix(path.Base(p), ".md")
	m.Path = p
	return &Minutes{Minutes: m, Body: body, Sum: s}, entry, nil, nil
}

// setFragments records a case's rendered fragments in the cache.
func (t *tree) setFragments(c *Case) {
	if t.cache == nil {
		return
	}
	t.cache.mu.Lock()
	if d := t.cache.Docs[c.Path]; d != nil && d.Sum == c.Sum {
		d.Frag = c.frag
	}
	t.cache.mu.Unlock()
}

// casePaths lists cases/YYYY/ID/case.md without reading every case
// folder: a register of 10,000 cases has 10,000 of them.
func casePaths(fsys fs.FS) ([]string, error) {
	years, err := fs.ReadDir(fsys, "cases")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, y := range years {
		if !y.IsDir() {
			continue
		}
		ids, err := fs.ReadDir(fsys, "cases/"+y.Name())
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if id.IsDir() {
				out = append(out, "cases/"+y.Name()+"/"+id.Name()+"/case.md")
			}
		}
	}
	return out, nil
}

func minutesPaths(fsys fs.FS) ([]string, error) {
	var out []string
	err := fs.WalkDir(fsys, "minutes", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == "minutes" {
				return fs.SkipDir
			}
			return err
		}
		if !d.IsDir() && strings.Count(p, "/") == 2 && strings.HasSuffix(p, ".md") {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

func findings(err error) register.Findings {
	var fs register.Findings
	if errors.As(err, &fs) {
		return fs
	}
	return register.Findings{{Rule: "read", Message: err.Error()}}
}

// parallel runs f for 0..n-1 on every processor; the first error stops
// it.
func parallel(ctx context.Context, n int, f func(i int) error) error {
	return parallelN(ctx, n, runtime.GOMAXPROCS(0), f)
}

// parallelN is parallel with a given number of workers. Workers take
// the next i by an atomic counter: ten thousand turns of a lock shared
// by two processors cost more than the stamps of ten thousand files.
func parallelN(ctx context.Context, n, workers int, f func(i int) error) error {
	var (
		next  atomic.Int64
		stop  atomic.Bool
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		first = cmpErr(first, err)
		mu.Unlock()
		stop.Store(true)
	}
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
				if err := f(i); err != nil {
					fail(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// parsedFromCache counts the cases that came from the cache.
func (t *tree) parsedFromCache() int {
	n := 0
	for _, c := range t.Cases {
		if c.cached {
			n++
		}
	}
	return n
}
