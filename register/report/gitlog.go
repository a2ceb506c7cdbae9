package report

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// gitTimeline is a Timeline read from the register's Git history with
// the git binary, until the history index can answer the question.
type gitTimeline map[string]map[string]time.Time

func (g gitTimeline) Entered(id string) (map[string]time.Time, bool) {
	m, ok := g[id]
	return m, ok
}

// GitTimeline reads when each case first entered each state from the Git
// repository at dir: the author time of every commit that adds a
// "status:" line to a case file. It runs one git log over the commits
// that change a status line (merge commits bring nothing of their own).
func GitTimeline(ctx context.Context, dir string) (Timeline, error) {
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "log", "--reverse", "--no-color", "--no-ext-diff",
		"--no-renames", "--format=%x00%aI", "-p", "-U0", "-G^status:", "--", "cases/")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git log: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return parseGitLog(out)
}

func parseGitLog(out []byte) (gitTimeline, error) {
	g := gitTimeline{}
	var when time.Time
	var id string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "\x00"):
			t, err := time.Parse(time.RFC3339, strings.TrimPrefix(line, "\x00"))
			if err != nil {
				return nil, fmt.Errorf("git log: bad author time %q", line)
			}
			when, id = t, ""
		case strings.HasPrefix(line, "+++ "):
			id = ""
			parts := strings.Split(strings.TrimPrefix(line, "+++ b/"), "/")
			if len(parts) == 4 && parts[0] == "cases" && parts[3] == "case.md" {
				id = parts[2]
			}
		case id != "" && strings.HasPrefix(line, "+status:"):
			v := strings.TrimSpace(strings.TrimPrefix(line, "+status:"))
			if i := strings.Index(v, " #"); i >= 0 {
				v = strings.TrimSpace(v[:i])
			}
			v = strings.Trim(v, `"'`)
			if g[id] == nil {
				g[id] = map[string]time.Time{}
			}
			if prev, ok := g[id][v]; !ok || when.Before(prev) {
				g[id][v] = when
			}
		}
	}
	return g, sc.Err()
}
