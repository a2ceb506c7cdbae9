package register

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// File names at the root of a register.
const (
	SettingsFile = "register.yaml"
	PeopleFile   = "people.yaml"
	WorkflowFile = "workflow.yaml"
)

// A Register is everything in a register's tree, loaded and parsed.
type Register struct {
	Settings *Settings
	People   *People
	Workflow *Workflow
	// Cases are sorted by id; Minutes by id (their date).
	Cases   []*Case
	Minutes []*Minutes
	// Paths gives each case's and minutes' file path by id.
	Paths map[string]string
	// Evidence lists the files in each case's evidence folder by case id.
	Evidence map[string][]string
	// Stray lists files under cases/ and minutes/ that belong to no case
	// or minutes.
	Stray []string

	cases   map[string]*Case
	minutes map[string]*Minutes
	// peopleBroken is set when people.yaml could not be read: references
	// to people are then not checked, rather than all reported.
	peopleBroken bool
}

// Case returns the case with that id, or nil.
func (r *Register) Case(id string) *Case { return r.cases[id] }

// MinutesByID returns the minutes with that id, or nil.
func (r *Register) MinutesByID(id string) *Minutes { return r.minutes[id] }

// Env returns the environment requirements are judged in.
func (r *Register) Env() *Env {
	return &Env{Settings: r.Settings, People: r.People, Minutes: r.MinutesByID}
}

// Load reads a whole register from fsys. Files that cannot be parsed are
// reported as findings and left out; Load fails only when the register
// cannot be read at all or has no register.yaml.
func Load(ctx context.Context, fsys fs.FS) (*Register, Findings, error) {
	return LoadWith(ctx, fsys, LoadOptions{})
}

// LoadOptions are Load's options.
type LoadOptions struct {
	// Cache, if set, gives the parse of files read before and learns the
	// rest; the caller saves it.
	Cache *ParseCache
}

// LoadWith is Load with options.
func LoadWith(ctx context.Context, fsys fs.FS, opts LoadOptions) (*Register, Findings, error) {
	r := &Register{
		Paths:    map[string]string{},
		Evidence: map[string][]string{},
		cases:    map[string]*Case{},
		minutes:  map[string]*Minutes{},
	}
	settings, err := fs.ReadFile(fsys, SettingsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("no %s here: this is not a register (run register init to make one)", SettingsFile)
	}
	if err != nil {
		return nil, nil, err
	}
	var found Findings
	if r.Settings, err = ParseSettings(bytes.NewReader(settings)); err != nil {
		found = append(found, asFindings(err).In(SettingsFile)...)
		r.Settings = DefaultSettings()
	}
	r.People = &People{}
	if data, err := fs.ReadFile(fsys, PeopleFile); err != nil {
		found = append(found, Finding{Path: PeopleFile, Rule: "schema", Message: "missing: every register lists its people"})
		r.peopleBroken = true
	} else {
		var fs Findings
		r.People, fs = parsePeople(data)
		found = append(found, fs.In(PeopleFile)...)
		if r.People == nil {
			r.People = &People{}
			r.peopleBroken = true
		}
	}
	r.Workflow = DefaultWorkflow()
	if data, err := fs.ReadFile(fsys, WorkflowFile); err == nil {
		if r.Workflow, err = ParseWorkflow(bytes.NewReader(data)); err != nil {
			found = append(found, asFindings(err).In(WorkflowFile)...)
			r.Workflow = DefaultWorkflow()
		}
	}

	// Walk the tree in one goroutine and parse what it finds in the
	// others as it goes: a register of 10,000 cases has 20,000 folder
	// entries, and walking them first would leave the other core idle.
	type job struct {
		path    string
		minutes bool
	}
	jobs := make(chan job, 256)
	var walkErr error
	go func() {
		defer close(jobs)
		walkErr = r.walk(ctx, fsys, func(p string, minutes bool) { jobs <- job{p, minutes} })
	}()
	workers := runtime.GOMAXPROCS(0)
	type result struct {
		cases   []*Case
		minutes []*Minutes
		found   Findings
	}
	results := make([]result, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := &results[w]
			for j := range jobs {
				if ctx.Err() != nil {
					continue // drain, so the walker never blocks
				}
				if !j.minutes {
					c, fs := parseFile(fsys, j.path, opts.Cache.parsedCase)
					if fs != nil {
						res.found = append(res.found, fs...)
						continue
					}
					c.Path = j.path
					res.cases = append(res.cases, c)
					continue
				}
				m, fs := parseFile(fsys, j.path, opts.Cache.parsedMinutes)
				if fs != nil {
					res.found = append(res.found, fs...)
					continue
				}
				m.ID = strings.TrimSuffix(path.Base(j.path), ".md")
				m.Path = j.path
				res.minutes = append(res.minutes, m)
			}
		}()
	}
	wg.Wait()
	if walkErr != nil {
		return nil, nil, walkErr
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	var cases []*Case
	var minutes []*Minutes
	for _, res := range results {
		cases = append(cases, res.cases...)
		minutes = append(minutes, res.minutes...)
		found = append(found, res.found...)
	}
	// Parsed in no fixed order: sort by path, so which of two cases with
	// one id is reported does not vary from run to run.
	sort.Slice(cases, func(i, j int) bool { return cases[i].Path < cases[j].Path })
	sort.Slice(minutes, func(i, j int) bool { return minutes[i].Path < minutes[j].Path })
	for _, c := range cases {
		if c == nil {
			continue
		}
		if prev, ok := r.cases[c.ID]; ok && c.ID != "" {
			found = append(found, Finding{Path: c.Path, Line: c.Line("id"), Rule: "id",
				Message: fmt.Sprintf("case id %s is also used by %s; ids are never reused", c.ID, prev.Path)})
			continue
		}
		r.cases[c.ID] = c
		r.Paths[c.ID] = c.Path
		r.Cases = append(r.Cases, c)
	}
	for _, m := range minutes {
		if m == nil {
			continue
		}
		if prev, ok := r.minutes[m.ID]; ok {
			found = append(found, Finding{Path: m.Path, Rule: "id",
				Message: fmt.Sprintf("minutes id %s is also used by %s", m.ID, prev.Path)})
			continue
		}
		r.minutes[m.ID] = m
		r.Paths[m.ID] = m.Path
		r.Minutes = append(r.Minutes, m)
	}
	sort.Slice(r.Cases, func(i, j int) bool { return r.Cases[i].ID < r.Cases[j].ID })
	sort.Slice(r.Minutes, func(i, j int) bool { return r.Minutes[i].ID < r.Minutes[j].ID })
	for _, files := range r.Evidence {
		sort.Strings(files)
	}
	sort.Strings(r.Stray)
	return r, found, nil
}

// walk lists the register's cases/ and minutes/ trees: it hands each
// case and minutes file to found, and records evidence files and stray
// files in r.
func (r *Register) walk(ctx context.Context, fsys fs.FS, found func(p string, minutes bool)) error {
	err := fs.WalkDir(fsys, "cases", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == "cases" {
				return fs.SkipDir
			}
			return err
		}
		if d.IsDir() {
			return ctx.Err()
		}
		parts := strings.Split(p, "/")
		switch {
		case len(parts) == 4 && parts[3] == "case.md":
			found(p, false)
		case len(parts) == 5 && parts[3] == "evidence":
			r.Evidence[parts[2]] = append(r.Evidence[parts[2]], parts[4])
		default:
			r.Stray = append(r.Stray, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return fs.WalkDir(fsys, "minutes", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == "minutes" {
				return fs.SkipDir
			}
			return err
		}
		if d.IsDir() {
			return ctx.Err()
		}
		parts := strings.Split(p, "/")
		if len(parts) == 3 && strings.HasSuffix(p, ".md") {
			found(p, true)
		} else {
			r.Stray = append(r.Stray, p)
		}
		return nil
	})
}

func asFindings(err error) Findings {
	var fs Findings
	if errors.As(err, &fs) {
		return fs
	}
	return Findings{{Rule: "read", Message: err.Error()}}
}

// parseFile reads and parses one file, locating its findings. It reads
// no more than MaxDocument and a byte, so a huge file costs nothing, into
// a buffer lent for the call: parse must keep nothing of the bytes it is
// given (parseDocumentBytes copies the narrative; YAML values are
// strings of their own).
func parseFile[T any](fsys fs.FS, p string, parse func([]byte) (T, Findings)) (T, Findings) {
	var zero T
	f, err := fsys.Open(p)
	if err != nil {
		return zero, Findings{{Path: p, Rule: "read", Message: err.Error()}}
	}
	defer f.Close()
	n := 512
	if st, err := f.Stat(); err == nil {
		n = int(min(st.Size(), MaxDocument)) + 1
	}
	buf := fileBuffers.Get().(*[]byte)
	defer func() {
		if cap(*buf) <= maxLentBuffer {
			fileBuffers.Put(buf)
		}
	}()
	if cap(*buf) < n {
		*buf = make([]byte, n)
	}
	data := (*buf)[:n]
	k, err := io.ReadFull(f, data)
	data = data[:k]
	switch {
	case err == nil && k < MaxDocument+1:
		// The file grew since Stat: read the rest, within the limit.
		var rest []byte
		rest, err = io.ReadAll(io.LimitReader(f, int64(MaxDocument+1-k)))
		data = append(data, rest...)
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		err = nil
	}
	if err != nil {
		return zero, Findings{{Path: p, Rule: "read", Message: err.Error()}}
	}
	*buf = data[:0]
	v, fs := parse(data)
	if fs != nil {
		return zero, fs.In(p)
	}
	return v, nil
}

// fileBuffers lend parseFile the buffer it reads a file into. A check
// reads thousands of files that are garbage once parsed, and on a
// virtual machine fresh memory costs more than reused: about 3 ms a
// megabyte here, where a register's case files are 25 MB.
var fileBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxLentBuffer is the largest buffer kept for lending: one made for a
// rare large file is not held after.
const maxLentBuffer = 256 << 10

// parallel runs f for 0..n-1 on all processors and stops early when ctx
// is done.
func parallel(ctx context.Context, n int, f func(i int)) error {
	workers := min(runtime.GOMAXPROCS(0), n)
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				next.Lock()
				j := i
				i++
				next.Unlock()
				if j >= n {
					return
				}
				f(j)
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}
