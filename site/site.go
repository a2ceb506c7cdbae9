package site

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/council/register/register"
)

// ContentSecurityPolicy is the policy every page carries in a
// <meta http-equiv> element: nothing inline, scripts and styles only as
// files of the same tree. The web server should send CSPHeader, the
// same policy plus what a meta element cannot say.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'"

// CSPHeader is ContentSecurityPolicy as an HTTP header value, for the
// web-server configuration (frame-ancestors is ignored in a meta element).
const CSPHeader = ContentSecurityPolicy + "; frame-ancestors 'none'"

// Input is what a site is built from.
type Input struct {
	// Dir is the register's working tree on disk.
	Dir string
	// History holds each case's commits, oldest first, by case id; nil
	// when there is no history (HistoryNote says why) or when the input
	// was read back by DecodeInput. Events reads either.
	History map[string][]Event
	// HistoryNote explains missing history, e.g. "not a Git repository".
	HistoryNote string
	// Audit is the audit status of the history; nil when unknown.
	Audit *AuditStatus
	// Gather, when set, returns History, HistoryNote and Audit (read from
	// a cache, say); Build calls it while it loads the working tree.
	Gather func() (Input, error)

	// kept, set by DecodeInput instead of History, holds the history
	// read back (see keptHistory); Events reads either.
	kept *keptHistory
}

// Event is one commit that touched a case, as the history index saw it.
type Event struct {
	Commit     string
	Time       time.Time
	Author     string // person id, or the commit's e-mail when unknown
	AuthorName string
	// Signature is the verdict on the commit's signature: "good",
	// "bad", "unsigned", "unknown-key" or "expired-key".
	Signature string
	Signer    string
	// Transition is "from -> to" when the commit changed the status.
	Transition string
	Fields     []string // front-matter fields the commit changed
}

// AuditStatus summarises the audit of the whole history.
type AuditStatus struct {
	Head     string
	Commits  int
	Signed   int
	Verified int
	Findings []string // each a finding as register audit prints it
	Checked  time.Time
}

// Options tune a build.
type Options struct {
	// Now is the build's clock: deadlines and "overdue" are judged
	// against it.
	Now time.Time
	// Audiences limits the build to these audience names; empty means
	// all of register.yaml.
	Audiences []string
	// CacheDir keeps parsed cases and rendered case pages between
	// builds, keyed by content; empty disables the cache.
	CacheDir string
	// Build names the build of the program, so a cache written by another
	// build, which may render differently, is not used.
	Build string
	// Pages are extra page types (see doc.go), rendered for every
	// audience after the built-in ones.
	Pages []PageFunc
	// Nav adds entries to every page's navigation.
	Nav []NavItem
	// Trace, when set, is told how long each phase of the build took.
	Trace func(phase string, d time.Duration)
	// Reload adds the script register serve uses to reload the browser
	// when the site changes; it polls version.txt.
	Reload bool
	// Finish, when set, is called with the new site's folder once every
	// tree is written and before it is swapped in; an error fails the
	// build. It may replace files of the trees (register build --encrypt
	// seals them), so such a build neither reuses the previous trees nor
	// leaves its own for the next build to reuse.
	Finish func(ctx context.Context, dir string) error
}

// NavItem is an entry of the navigation bar.
type NavItem struct {
	Title string
	Path  string // slash path of a folder in the tree, "actions/"
}

// BuildError is a build refused because of bad input. Findings are
// located problems in the register's files.
type BuildError struct {
	Findings register.Findings
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("%d problems in the register's files", len(e.Findings))
}

// Build renders every audience of the register in in.Dir into
// out/<audience>/. It writes a new tree beside out and swaps it in whole,
// so a failed build leaves the previous site as it was.
func Build(ctx context.Context, in Input, out string, opts Options) error {
	return (&Builder{once: true}).Build(ctx, in, out, opts)
}

// A Builder builds a site again and again in one process, as register
// serve does on every edit, and keeps in memory what the next build
// would otherwise read back from Options.CacheDir: the parsed cases with
// their fragments, and the manifest of the trees it wrote. A rebuild
// then reads from disk only the files that changed. What it keeps is
// checked before use as the files on disk would be: a cached case only
// for a file of the same size and time, the manifest only while the file
// it wrote is still there unchanged (another build of the same output
// replaces it). The zero Builder is ready; its builds run one at a time.
type Builder struct {
	mu       sync.Mutex
	cache    *cache
	manifest *manifest
	// written is the manifest file as this Builder wrote it.
	written os.FileInfo
	// hist are the last build's history sums (see builder.historySum).
	hist map[string]histSum
	// once marks a Builder of one build (Build's), which keeps nothing.
	once bool
}

// Build is the package's Build, keeping what the next build can use.
func (s *Builder) Build(ctx context.Context, in Input, out string, opts Options) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if opts.Now.IsZero() {
		return errors.New("site: Options.Now is not set")
	}
	lap := stopwatch(opts.Trace)
	gathered := make(chan error, 1)
	if in.Gather != nil {
		gather := in.Gather
		in.Gather = nil // nothing it holds outlives the call
		go func() {
			g, err := gather()
			in.History, in.HistoryNote, in.Audit, in.kept = g.History, g.HistoryNote, g.Audit, g.kept
			gathered <- err
		}()
	} else {
		gathered <- nil
	}
	reg, err := load(ctx, in.Dir, s.cache, opts.CacheDir, opts.Build)
	if reg != nil {
		s.cache = reg.cache
	}
	if gerr := <-gathered; err == nil {
		err = gerr
	}
	if err != nil {
		return err
	}
	lap(fmt.Sprintf("load (%d cases, %d parsed)", len(reg.Cases), len(reg.Cases)-reg.parsedFromCache()))
	var audiences []register.Audience
	for _, a := range reg.Settings.Audiences {
		if len(opts.Audiences) == 0 || slices.Contains(opts.Audiences, a.Name) {
			audiences = append(audiences, a)
		}
	}
	for _, name := range opts.Audiences {
		if _, ok := reg.Settings.Audience(name); !ok {
			return fmt.Errorf("no audience %q in register.yaml (it has %s)", name, audienceNames(reg.Settings))
		}
	}
	out = filepath.Clean(out)
	if err := replaceable(out); err != nil {
		return err
	}
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".new-*")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	b := &builder{in: in, opts: opts, reg: reg, out: tmp, prev: out, files: map[string]map[string]string{}, lap: lap, prevHist: s.hist,
		keyBase: fmt.Sprint(opts.Reload, opts.Nav, in.HistoryNote), nav: fmt.Sprint(opts.Nav, opts.Reload)}
	defer func() {
		if b.saved != nil {
			<-b.saved // nothing is written after Build returns
		}
	}()
	m := s.readManifest(opts.CacheDir)
	abs, _ := filepath.Abs(out)
	if m != nil && m.Out == abs && m.Audiences == audienceNames(reg.Settings) && opts.Finish == nil {
		b.prevKeys, b.prevFiles = &m.Keys, m.Files
	}
	s.manifest, s.written = nil, nil
	writeManifest(opts.CacheDir, nil) // the previous tree is about to change
	if reg.cache != nil && opts.Finish == nil {
		// Encoded while the moved case pages are updated and the trees
		// swapped in; written once they are.
		b.manifest = &manifest{Layout: layout, Out: abs, Audiences: audienceNames(reg.Settings)}
	}
	if err := b.build(ctx, audiences); err != nil {
		return err
	}
	if !s.once {
		s.hist = make(map[string]histSum, len(b.hist))
		for i, c := range reg.Cases {
			s.hist[c.ID] = b.hist[i]
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, marker), []byte("This folder is written by register build and replaced whole by the next build.\n"), 0o644); err != nil {
		return err
	}
	if opts.Finish != nil {
		if err := opts.Finish(ctx, tmp); err != nil {
			return err
		}
	}
	if err := swap(tmp, out); err != nil {
		b.moveBack()
		return err
	}
	ok = true
	lap("swap")
	if b.saved != nil {
		<-b.saved
	}
	if b.manifest != nil {
		if st, err := writeManifestData(opts.CacheDir, <-b.manifestData); err == nil {
			s.manifest, s.written = b.manifest, st
		}
	}
	lap("cache")
	return nil
}

// readManifest returns the manifest of the last build in dir: the one
// in memory if the file on disk is still the one this Builder wrote,
// else the file's.
func (s *Builder) readManifest(dir string) *manifest {
	if s.manifest != nil && dir != "" && unchanged(filepath.Join(dir, manifestFile), s.written) {
		return s.manifest
	}
	return readManifest(dir)
}

// unchanged reports whether the file at p is still the one known: the
// same file, of the same size and time. (A file this package rewrites is
// replaced by a rename; one it appends to grows.)
func unchanged(p string, known os.FileInfo) bool {
	if known == nil {
		return false
	}
	st, err := os.Stat(p)
	return err == nil && os.SameFile(st, known) && st.Size() == known.Size() && st.ModTime().Equal(known.ModTime())
}

// stopwatch returns a function that reports the time since its last
// call to trace.
func stopwatch(trace func(string, time.Duration)) func(string) {
	last := time.Now()
	return func(phase string) {
		if trace != nil {
			trace(phase, time.Since(last))
		}
		last = time.Now()
	}
}

// manifest records which case page is in which tree of the last build,
// so the next build of the same output can move the unchanged ones over
// instead of making 10,000 folders per audience again. Files of a built
// tree are never changed in place, by the build or anything else: they
// may be hard links shared with other trees and the cache.
type manifest struct {
	// Layout names how the trees were laid out; a manifest of another
	// layout is not used, and the trees are written afresh.
	Layout    string
	Out       string
	Audiences string
	Keys      caseKeys
	Files     map[string]map[string]string
}

// caseKeys are the keys of the case pages of a build's trees: for each
// case, by id in order, the key of its page in each tree, "" where the
// tree has none. Made and read without a map: a build looks up ten
// thousand cases in each tree.
type caseKeys struct {
	Trees []string // the audiences
	IDs   []string // sorted
	Keys  []string // the i-th case's in the j-th tree at i*len(Trees)+j
}

// tree returns the place of the audience in k.Trees, or -1.
func (k *caseKeys) tree(aud string) int { return slices.Index(k.Trees, aud) }

// key returns the key of case i's page in tree j.
func (k *caseKeys) key(i, j int) string { return k.Keys[i*len(k.Trees)+j] }

// places returns, for each of ids (sorted), its place in k.IDs or -1.
func (k *caseKeys) places(ids []string) []int {
	out := make([]int, len(ids))
	at := 0
	for i, id := range ids {
		for at < len(k.IDs) && k.IDs[at] < id {
			at++
		}
		out[i] = -1
		if at < len(k.IDs) && k.IDs[at] == id {
			out[i] = at
		}
	}
	return out
}

// layout is the trees' layout: case pages are cases/ID.html.
const layout = "cases/ID.html"

// marker is the file that marks a folder as a site Build wrote, so a
// build never replaces a folder of something else.
const marker = ".register-site"

// replaceable refuses to replace a folder that is neither empty nor a
// site an earlier build wrote.
func replaceable(out string) error {
	entries, err := os.ReadDir(out)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(entries) == 0) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", out, err)
	}
	if _, err := os.Stat(filepath.Join(out, marker)); err != nil {
		return fmt.Errorf("%s is not a site that register build wrote; refusing to replace it (pick another --out)", out)
	}
	return nil
}

// swap puts the new tree at out and removes the old one.
func swap(tmp, out string) error {
	old := ""
	if _, err := os.Lstat(out); err == nil {
		old = tmp + ".old"
		if err := os.Rename(out, old); err != nil {
			return fmt.Errorf("replace %s: %w", out, err)
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		if old != "" {
			os.Rename(old, out)
		}
		return fmt.Errorf("replace %s: %w", out, err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}

func audienceNames(s *register.Settings) string {
	var names []string
	for _, a := range s.Audiences {
		names = append(names, a.Name)
	}
	return strings.Join(names, ", ")
}
