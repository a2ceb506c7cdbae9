package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/council/register/register/dirfs"
	"github.com/council/register/site"
	"github.com/council/register/site/nginx"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, newServeCmd) }

type serveOptions struct {
	buildOptions
	Addr        string
	AllowRemote bool
	Interval    time.Duration
}

func newServeCmd(e *env) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve [DIR]",
		Short: "Preview the site locally, rebuilding it when the register changes",
		Long: `Serve builds the site of the register in DIR (default: the current folder),
serves it on ADDR (loopback by default) and rebuilds it whenever a file of
the register changes or a commit is made; open pages reload themselves. A
rebuild keeps what the last build loaded in memory, and reads only the
files that changed. It is a preview for
the people who edit the register, not a web server for its readers: for
those, use the nginx configuration with its per-audience authentication.

It serves every audience's tree without asking who is looking, so it
refuses an address other machines can reach (":8080", "0.0.0.0:8080", a
network address) unless --allow-remote says that is meant.`,
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			o.Dir = "."
			if len(a) == 1 {
				o.Dir = a[0]
			}
			return runServe(cmd.Context(), e, o)
		},
	}
	cmd.Flags().StringVar(&o.Out, "out", "public", "folder to write the site to")
	cmd.Flags().StringArrayVar(&o.Audiences, "audience", nil, "build only this audience (repeatable)")
	cmd.Flags().StringVar(&o.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().BoolVar(&o.AllowRemote, "allow-remote", false, "listen on an address other machines can reach (no login: every audience's pages)")
	cmd.Flags().DurationVar(&o.Interval, "interval", 0, "how often to look for changes (default 200ms where the system tells of changes, else 1s: each look then walks the register)")
	return cmd
}

func runServe(ctx context.Context, e *env, o serveOptions) error {
	if err := checkLoopback(o.Addr, o.AllowRemote); err != nil {
		return err
	}
	o.reload = true
	o.resident = new(resident)
	// Changes are watched from before the first build, so an edit made
	// while it builds (or before the loop starts) is noticed and rebuilt.
	skip := []string{o.Out, cacheDir(o.Dir, o.Out)}
	changed, err := watchChanges(o.Dir, skip)
	if err != nil {
		fmt.Fprintf(e.Err, "register: serve: the system does not tell of changes to %s (%v); serve looks at its files instead\n", o.Dir, err)
		changed = &pollChanges{dir: o.Dir, skip: skip, last: fingerprint(o.Dir, skip)}
	}
	defer changed.close()
	if o.Interval <= 0 {
		o.Interval = 200 * time.Millisecond
		if _, polling := changed.(*pollChanges); polling {
			o.Interval = time.Second
		}
	}
	if err := runBuild(ctx, e, o.buildOptions); err != nil {
		return err
	}
	idle()
	// Set only now: the first build makes every page, and under it the
	// heap would grow to four times a full build's.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(serveGCPercent))
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return withHint(fmt.Errorf("listen on %s: %w", o.Addr, err), "pick another port with --addr 127.0.0.1:8081")
	}
	srv := &http.Server{Handler: previewHandler(o.Out), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(e.Out, "serving %s on http://%s/ (press Ctrl-C to stop)\n", o.Out, ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	tick := time.NewTicker(o.Interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(shut)
			return nil
		case err := <-done:
			if errors.Is(err, http.ErrServerClosed) {
				return nil
			}
			return fmt.Errorf("serve: %w", err)
		case <-tick.C:
			if changed.since() {
				// A failed rebuild prints its findings and keeps the
				// previous site; the preview carries on.
				if err := runBuild(ctx, e, o.buildOptions); err != nil && !errors.As(err, new(exitError)) {
					fmt.Fprintf(e.Err, "register: %v\n", err)
				}
				idle()
			}
		}
	}
}

// idle collects the garbage a build left while serve waits for the next
// edit, so that the next rebuild does not: a build leaves hundreds of
// megabytes of it, and a collection competes with the rebuild for the
// processors.
func idle() { runtime.GC() }

// serveGCPercent lets the heap grow to four times what serve keeps live
// before the collector runs, from the second build on, unless GOGC says
// otherwise. A rebuild after one edit allocates less than that, so, with
// idle collecting after each build, it runs without a collection: 0.3 s
// instead of 0.5 s for 10,000 cases. serve's peak memory for them is
// then about 400 MB, the first build's.
const serveGCPercent = 300

var casePermalink = regexp.MustCompile(nginx.CasePermalink)

// previewHandler serves the built site with the site's security policy.
func previewHandler(out string) http.Handler {
	files := http.FileServer(http.Dir(out))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", site.CSPHeader)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if strings.HasSuffix(r.URL.Path, "version.txt") {
			h.Set("Cache-Control", "no-store")
		}
		// A case's permalink leads to its page, as in nginx.conf.
		if m := casePermalink.FindStringSubmatch(r.URL.Path); m != nil {
			http.Redirect(w, r, m[1]+"/cases/"+m[2]+".html", http.StatusMovedPermanently)
			return
		}
		files.ServeHTTP(w, r)
	})
}

// changes says whether the register changed since it was last asked.
type changes interface {
	since() bool
	close()
}

// pollChanges compares fingerprints of the register: a walk of it each
// time, where the system cannot tell of changes (see watchChanges).
type pollChanges struct {
	dir  string
	skip []string
	last string
}

func (p *pollChanges) since() bool {
	fp := fingerprint(p.dir, p.skip)
	changed := fp != p.last
	p.last = fp
	return changed
}

func (p *pollChanges) close() {}

// skippedIn returns the folders of skip that are in dir, as slash paths
// in dir.
func skippedIn(dir string, skip []string) []string {
	var skipped []string
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	for _, s := range skip {
		a, err := filepath.Abs(s)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(abs, a); err == nil && filepath.IsLocal(rel) {
			skipped = append(skipped, filepath.ToSlash(rel))
		}
	}
	return skipped
}

// fingerprint sums the paths, sizes and modification times of the
// register's files, so serve notices any edit, new, removed or moved
// file, and of the Git branch's ref, so it notices a commit. It leaves
// out the rest of .git, hidden files and folders (editors' swap files),
// and the site and cache when they are inside the register. It
// looks at files only: a folder's modification time changes whenever an
// entry is added to it, and every build adds (and renames) its new site
// beside the old one, so counting folders made each rebuild trigger the
// next.
func fingerprint(dir string, skip []string) string {
	skipped := skippedIn(dir, skip)
	h := sha256.New()
	var line []byte
	// Every second, so through dirfs's bare system calls and without fmt:
	// os's walk took 0.3 s of CPU a time for 10,000 cases.
	fs.WalkDir(dirfs.New(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		hidden := p != "." && strings.HasPrefix(d.Name(), ".")
		if d.IsDir() {
			if hidden || slices.Contains(skipped, p) {
				return fs.SkipDir
			}
			return nil
		}
		if hidden {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		line = strconv.AppendQuote(line[:0], p)
		line = strconv.AppendInt(append(line, ' '), info.Size(), 10)
		line = strconv.AppendInt(append(line, ' '), info.ModTime().UnixNano(), 10)
		h.Write(append(line, '\n'))
		return nil
	})
	// A commit changes the history the case pages and the audit page
	// show, and no file of the working tree: the branch's ref is looked
	// at too.
	git := filepath.Join(dir, ".git")
	refs := []string{"HEAD", "packed-refs"}
	if head, err := os.ReadFile(filepath.Join(git, "HEAD")); err == nil {
		if ref, ok := strings.CutPrefix(strings.TrimSpace(string(head)), "ref: "); ok && filepath.IsLocal(ref) {
			refs = append(refs, ref)
		}
	}
	for _, ref := range refs {
		if info, err := os.Stat(filepath.Join(git, ref)); err == nil {
			fmt.Fprintf(h, "git %q %d %d\n", ref, info.Size(), info.ModTime().UnixNano())
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// checkLoopback refuses an address other machines can reach unless
// allowed: the preview has no login, and a register holds personal data.
func checkLoopback(addr string, allow bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError{fmt.Errorf("--addr %s: %w (write it like 127.0.0.1:8080)", addr, err)}
	}
	if allow || host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	where := host
	if host == "" {
		where = "every network interface"
	}
	return withHint(fmt.Errorf("--addr %s would serve every audience's pages, personal data included, with no login on %s", addr, where),
		"preview on 127.0.0.1 (the default); to publish the site use register nginx; add --allow-remote only if other machines must see the preview")
}
