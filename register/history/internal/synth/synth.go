// Package synth writes a large synthetic register history for
// benchmarks: thousands of cases, each reported, triaged and closed in
// its own commit, with ITPARG minutes among them. It streams the history
// into `git fast-import`, which is far faster than writing objects one by
// one, and packs it with `git gc` as a real repository would be. The
// commits are unsigned: the benchmarks time the index, not gpg.
package synth

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// Options size the history.
type Options struct {
	Cases   int // cases, each taking three commits
	Minutes int // minutes files, spread through the history
}

var people = []struct{ id, name, roles string }{
	{"alice", "Alice Analyst", "[business-it]"},
	{"ben", "Ben Analyst", "[business-it]"},
	{"simon", "Simon Simo", "[simo]"},
	{"ida", "Ida Itparg", "[itparg]"},
}

// CaseID returns the id of the n-th case (from 0) of a history of total
// cases, spread over four years.
func CaseID(n, total int) string {
	year := 2023 + n*4/max(1, total)
	return fmt.Sprintf("INC-%d-%04d", year, n+1)
}

// Generate writes a new repository in dir (which must not exist) and
// checks out its head.
func Generate(ctx context.Context, dir string, o Options) error {
	if err := exec.CommandContext(ctx, "git", "init", "-q", "-b", "main", dir).Run(); err != nil {
		return fmt.Errorf("git init %s: %w", dir, err)
	}
	cmd := exec.CommandContext(ctx, "git", "fast-import", "--quiet")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	w := bufio.NewWriterSize(in, 1<<20)
	werr := write(w, o)
	if werr == nil {
		werr = w.Flush()
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git fast-import: %w", err)
	}
	if werr != nil {
		return werr
	}
	for _, args := range [][]string{{"gc", "-q"}, {"checkout", "-q", "-f", "main"}} {
		c := exec.CommandContext(ctx, "git", args...)
		c.Dir = dir
		if out, err := c.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %v: %s", args[0], err, out)
		}
	}
	return nil
}

type stream struct {
	w    io.Writer
	when time.Time
	n    int
}

func (s *stream) commit(who int, msg string, files map[string]string) {
	s.n++
	s.when = s.when.Add(47 * time.Minute)
	p := people[who]
	fmt.Fprintf(s.w, "commit refs/heads/main\nauthor %s <%s@example.gov.uk> %d +0000\ncommitter %s <%s@example.gov.uk> %d +0000\ndata %d\n%s\n",
		p.name, p.id, s.when.Unix(), p.name, p.id, s.when.Unix(), len(msg), msg)
	for path, content := range files {
		fmt.Fprintf(s.w, "M 100644 inline %s\ndata %d\n%s\n", path, len(content), content)
	}
	fmt.Fprintln(s.w)
}

func casePath(id string) string { return fmt.Sprintf("cases/%s/%s/case.md", id[4:8], id) }

func caseFile(id string, n int, status string, at time.Time) string {
	s := fmt.Sprintf("---\nid: %s\ntitle: Synthetic report number %d\nstatus: %s\nreported_at: %s\nreported_by: a member of staff\n",
		id, n+1, status, at.UTC().Format(time.RFC3339))
	if status != "reported" {
		s += "category: event\ntypes: [unsolicited-mail]\nimpact: [integrity]\ninvestigator: simon\n"
	}
	if status == "closed" {
		s += "resolution: Blocked the sender; no further action.\n"
	}
	return s + "---\nA member of staff reported a suspicious message. Nothing was clicked.\n"
}

func write(w io.Writer, o Options) error {
	s := &stream{w: w, when: time.Date(2023, 1, 2, 9, 0, 0, 0, time.UTC)}
	var ps string
	for _, p := range people {
		ps += fmt.Sprintf("  - id: %s\n    name: %s\n    email: %s@example.gov.uk\n    roles: %s\n", p.id, p.name, p.id, p.roles)
	}
	s.commit(0, "Start the register", map[string]string{
		"register.yaml": "name: Synthetic register\norganisation: Example Council\nsigning:\n  required: false\n",
		"people.yaml":   "people:\n" + ps,
	})
	reported := make([]time.Time, o.Cases)
	every := max(1, o.Cases/max(1, o.Minutes))
	minutes := 0
	// Step k reports case k, triages case k-3 and closes case k-6, so
	// the history interleaves cases as a busy register's would.
	for k := 0; k < o.Cases+6; k++ {
		if k < o.Cases {
			id := CaseID(k, o.Cases)
			reported[k] = s.when
			s.commit(k%2, fmt.Sprintf("Report %s\n\nCase: %s", id, id),
				map[string]string{casePath(id): caseFile(id, k, "reported", reported[k])})
		}
		if j := k - 3; j >= 0 && j < o.Cases {
			id := CaseID(j, o.Cases)
			s.commit(j%2, fmt.Sprintf("Triage %s\n\nCase: %s\nTransition: reported -> triaged", id, id),
				map[string]string{casePath(id): caseFile(id, j, "triaged", reported[j])})
		}
		if j := k - 6; j >= 0 && j < o.Cases {
			id := CaseID(j, o.Cases)
			s.commit(2, fmt.Sprintf("Close %s\n\nCase: %s\nTransition: triaged -> closed", id, id),
				map[string]string{casePath(id): caseFile(id, j, "closed", reported[j])})
		}
		if k%every == every-1 && minutes < o.Minutes {
			minutes++
			d := s.when.AddDate(0, 0, 1)
			id := fmt.Sprintf("%s-%02d", d.Format("2006-01-02"), minutes%100)
			s.commit(3, "Minutes "+id, map[string]string{
				fmt.Sprintf("minutes/%s/%s.md", id[:4], id): fmt.Sprintf("---\ndate: %s\ntitle: ITPARG meeting\nchair: ida\n---\nThe group met.\n", d.Format("2006-01-02")),
			})
		}
	}
	return nil
}
