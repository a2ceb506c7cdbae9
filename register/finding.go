package register

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// A Finding is one thing wrong with a register, located like a compiler
// error: the file (slash-separated, relative to the register root), the
// line (0 when the problem concerns the whole file) and a message.
type Finding struct {
	Path    string
	Line    int
	Rule    string // short rule name, e.g. "schema", "workflow", "§4.5"
	Message string
}

// String formats f as "path:line: message".
func (f Finding) String() string {
	switch {
	case f.Path == "":
		return f.Message
	case f.Line > 0:
		return fmt.Sprintf("%s:%d: %s", f.Path, f.Line, f.Message)
	default:
		return fmt.Sprintf("%s: %s", f.Path, f.Message)
	}
}

// Findings is a list of findings. As an error it reads as the findings
// one per line, so a parser can return it where an error is expected.
type Findings []Finding

// Error implements error.
func (fs Findings) Error() string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(f.String())
	}
	return b.String()
}

// In returns a copy of fs with every finding located in path.
func (fs Findings) In(path string) Findings {
	out := make(Findings, len(fs))
	for i, f := range fs {
		f.Path = path
		out[i] = f
	}
	return out
}

// Sort orders findings by path, then line, then message.
func (fs Findings) Sort() {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			strings.Compare(a.Path, b.Path),
			cmp.Compare(a.Line, b.Line),
			strings.Compare(a.Message, b.Message),
		)
	})
}

// errorf builds a finding without a path; the caller that knows the file
// locates it with In.
func errorf(line int, rule, format string, args ...any) Finding {
	return Finding{Line: line, Rule: rule, Message: fmt.Sprintf(format, args...)}
}
