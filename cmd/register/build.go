package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/council/register/register/dirfs"
	"github.com/council/register/register/history"
	"github.com/council/register/site"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, newBuildCmd) }

type buildOptions struct {
	Dir       string
	Out       string
	Audiences []string
	// reload is set by serve: pages poll for changes.
	reload bool
	access accessOptions
	// resident is set by serve, which builds again on every edit: what
	// one build loaded is kept in memory for the next.
	resident *resident
}

// resident is what register serve keeps between builds: the site's
// Builder (parsed cases, the trees' manifest) and the last history input
// with the key it is kept under on disk (HEAD, branch, build).
type resident struct {
	builder  site.Builder
	inputKey string
	input    site.Input
}

func newBuildCmd(e *env) *cobra.Command {
	var o buildOptions
	cmd := &cobra.Command{
		Use:   "build [DIR]",
		Short: "Build the register's website, one tree per audience",
		Long: `Build renders the register in DIR (default: the current folder) as a static
website: one self-contained tree per audience of register.yaml, in
OUT/<audience>/. What an audience may not see appears nowhere in its tree.

The new site is written beside OUT and swapped in whole: a failed build
leaves the previous site as it was. Parsed cases and rendered case pages
are cached (in .git/register/site of a Git register, else beside OUT), so
a rebuild after a few edits renders only what changed.`,
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			o.Dir = "."
			if len(a) == 1 {
				o.Dir = a[0]
			}
			return runBuild(cmd.Context(), e, o)
		},
	}
	cmd.Flags().StringVar(&o.Out, "out", "public", "folder to write the site to")
	cmd.Flags().StringArrayVar(&o.Audiences, "audience", nil, "build only this audience (repeatable)")
	o.access.flags(cmd.Flags())
	return cmd
}

// buildMemoryLimit is the soft heap limit of a build unless GOMEMLIMIT
// says otherwise: the garbage collector works harder near it instead of
// letting the heap double. A 10,000-case build holds up to about 150 MB
// live. Its peak resident memory (the heap in huge pages, see hugeHeap)
// was 245 MiB at a limit of 224 MiB, 234 MiB at 212 MiB and 226 MiB at
// 200 MiB; each step down made the full build 2-6% slower, and below
// 200 MiB the collector runs without pause. Hugo's peak on the same
// register is 530-570 MiB; the build is to stay under half of it, with
// room for a slow moment of the machine, when the heap overshoots the
// limit (measured with testdata/bench/site.sh and interleaved full
// builds; set GOMEMLIMIT to choose otherwise).
const buildMemoryLimit = 212 << 20

func runBuild(ctx context.Context, e *env, o buildOptions) error {
	start := time.Now()
	if st, err := os.Stat(o.Dir); err != nil || !st.IsDir() {
		return fmt.Errorf("%s: not a folder", o.Dir)
	}
	in, release, err := siteInput(ctx, o.Dir, e.Now(), o.resident)
	if err != nil {
		return err
	}
	defer release()
	access, err := o.access.plan(o.Dir, o.Out, o.Audiences)
	if err != nil {
		return err
	}
	// The history index is garbage now: give its memory back before the
	// build, and keep the build's heap from doubling (set only now, as a
	// limit below the index's own size would make the collector run
	// without pause while it is read).
	// A resident process (serve) keeps what the last build loaded live:
	// it neither gives memory back nor caps the heap below that.
	if os.Getenv("GOMEMLIMIT") == "" && o.resident == nil {
		debug.FreeOSMemory()
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(buildMemoryLimit))
	}
	opts := site.Options{Now: e.Now(), Audiences: o.Audiences, CacheDir: cacheDir(o.Dir, o.Out), Build: buildIdentity(), Reload: o.reload, Finish: access.seal}
	opts.Pages, opts.Nav = site.ITPARG()
	if os.Getenv("REGISTER_TRACE") != "" {
		opts.Trace = func(phase string, d time.Duration) {
			fmt.Fprintf(e.Err, "register: build: %s %.2fs\n", phase, d.Seconds())
		}
	}
	build := site.Build // keeps nothing for a next build in this process
	if o.resident != nil {
		build = o.resident.builder.Build
	}
	err = build(ctx, in, o.Out, opts)
	var be *site.BuildError
	if errors.As(err, &be) {
		fmt.Fprintf(e.Err, "register: build refused; %s is unchanged\n", o.Out)
		return report(e, be.Findings)
	}
	if err != nil {
		return fmt.Errorf("build %s: %w", o.Out, err)
	}
	if err := access.done(); err != nil {
		return err
	}
	fmt.Fprintf(e.Err, "register: built %s in %.2fs\n", o.Out, time.Since(start).Seconds())
	return nil
}

// siteInput gathers what the site is built from: the working tree and,
// in a Git register, each case's commits and the audit of the history
// from register/history. With kept, the history input of the last build
// is used again while HEAD is the same, and this one's is kept.
//
// release lets go of what the input holds of the kept input's file once
// the build is done with it.
func siteInput(ctx context.Context, dir string, now time.Time, kept *resident) (in site.Input, release func(), err error) {
	in, release = site.Input{Dir: dir}, func() {}
	caches := cacheFolder(dir)
	if caches == "" {
		in.HistoryNote = "not a Git repository"
		return in, release, nil
	}
	repo, err := history.Open(dir)
	if err != nil {
		return in, release, fmt.Errorf("%s: read the history: %w", dir, err)
	}
	defer repo.Close()
	head, branch, err := repo.Head()
	if err != nil {
		in.HistoryNote = "the repository has no commits yet"
		return in, release, nil
	}
	if branch == "" {
		branch = repo.Settings(head).MainBranch
	}
	cacheFile := filepath.Join(caches, "site-input-v3.bin")
	key := fmt.Sprintf("%s %s %s", head, branch, buildIdentity())
	if buildIdentity() == "" {
		cacheFile = "" // no build to key it to: keep nothing
	}
	if kept != nil && kept.inputKey == key && key != "" {
		in = checkedAt(kept.input, now)
		in.Dir = dir
		return in, release, nil
	}
	if read, done, ok := openSiteInput(cacheFile, key, kept != nil); ok {
		// Read while the build loads the working tree.
		in.Gather = func() (site.Input, error) {
			cached, err := read()
			if err != nil {
				// Damaged: audit the history again, as if never kept.
				os.Remove(cacheFile)
				in, _, err := siteInput(ctx, dir, now, kept)
				return in, err
			}
			keep(kept, key, cached)
			return checkedAt(cached, now), nil
		}
		return in, done, nil
	}
	rep, ix, err := repo.Audit(ctx, head, branch)
	if err != nil {
		return in, release, fmt.Errorf("%s: audit the history: %w", dir, err)
	}
	defer func() {
		writeSiteInput(cacheFile, key, in)
		keep(kept, key, in)
	}()
	st := rep.Stats()
	in.Audit = &site.AuditStatus{Head: head.String(), Commits: st.Commits, Signed: st.Signed, Verified: st.Verified, Checked: now}
	for _, f := range rep.Findings {
		in.Audit.Findings = append(in.Audit.Findings, f.String())
	}
	in.History = map[string][]site.Event{}
	for _, c := range ix.Commits {
		for _, ch := range c.Changes {
			if ch.ID == "" || ch.Merged || !strings.HasPrefix(ch.Path, "cases/") {
				continue
			}
			ev := site.Event{Commit: c.Hash, Time: c.Author.When, Author: c.AuthorID, AuthorName: c.Author.Name,
				Signature: string(c.Verdict), Signer: c.Signer, Transition: ch.Transition()}
			if ev.Author == "" {
				ev.Author = c.Author.Email
			}
			for _, f := range ch.Fields {
				ev.Fields = append(ev.Fields, f.Field)
			}
			in.History[ch.ID] = append(in.History[ch.ID], ev)
		}
	}
	return in, release, nil
}

// keep keeps in as the history input of HEAD (key) for the next build
// of a resident process.
func keep(kept *resident, key string, in site.Input) {
	if kept != nil && in.Audit != nil {
		kept.inputKey, kept.input = key, in
	}
}

// checkedAt returns in with its audit status checked at now; in's own
// status is not changed, as a resident process keeps it.
func checkedAt(in site.Input, now time.Time) site.Input {
	if in.Audit != nil {
		a := *in.Audit
		a.Checked = now
		in.Audit = &a
	}
	return in
}

// cacheDir picks where builds keep their cache: inside .git of a Git
// register (never committed, never published), else beside the output.
func cacheDir(dir, out string) string {
	if caches := cacheFolder(dir); caches != "" {
		return filepath.Join(caches, "site")
	}
	out = filepath.Clean(out)
	return filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".cache")
}

// The history pages of a rebuild at the same commit are the same: what
// siteInput gathers is kept by HEAD, branch and build (a new build of
// register may judge the history by new rules), so a rebuild after
// editing the working tree reads a few megabytes instead of auditing the
// whole history again (site.EncodeInput gives the file's form).
//
// openSiteInput opens the kept input if it was kept under key, and
// returns the function that decodes it and the one that lets go of the
// file once the build is done with what was decoded. A resident process
// (serve) keeps the input, so it reads the file; a build of its own
// maps it, and decodes only what the build reads.
func openSiteInput(file, key string, resident bool) (read func() (site.Input, error), release func(), ok bool) {
	if file == "" {
		return nil, nil, false
	}
	// Opened now, so no file stays open if the build never asks.
	data, mapped := []byte(nil), false
	var err error
	if resident {
		data, err = os.ReadFile(file)
	} else {
		data, mapped, err = dirfs.MapFile(file)
	}
	if err != nil {
		return nil, nil, false
	}
	release = func() {
		if mapped {
			dirfs.Unmap(data)
		}
	}
	if k, err := site.InputKey(data); err != nil || k != key {
		release()
		return nil, nil, false
	}
	return func() (site.Input, error) {
		in, err := site.DecodeInput(data)
		if err != nil || in.Audit == nil {
			return site.Input{}, fmt.Errorf("damaged: %v", err)
		}
		return in, nil
	}, release, true
}

// writeSiteInput saves in for the next build; a failure costs that build
// time only.
func writeSiteInput(file, key string, in site.Input) {
	if file == "" || in.Audit == nil {
		return
	}
	if os.MkdirAll(filepath.Dir(file), 0o755) != nil {
		return
	}
	tmp, err := writeTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp-*", 0o600, func(w io.Writer) error {
		_, err := w.Write(site.EncodeInput(key, in))
		return err
	})
	if err == nil && os.Rename(tmp, file) != nil {
		os.Remove(tmp)
	}
	for _, old := range []string{"site-input-v1.gob", "site-input-v2.gob"} { // gob files of earlier builds
		os.Remove(filepath.Join(filepath.Dir(file), old))
	}
}
