package evidence

import (
	"fmt"
	"strings"
)

// MaxNumber is the highest evidence number a case can have.
const MaxNumber = 999

// maxStem bounds the safe part of a name, so that with the "Enn-" prefix
// and ".pgp" suffix it matches register.EvidenceName.
const maxStem = 80

// Name returns the evidence file name for the case's n-th file (1 to
// MaxNumber) collected from original, e.g. E01-cctv-still.jpg.pgp for
// "CCTV Still.JPG". Only the last element of original counts; anything
// but ASCII letters, digits, dot, dash and underscore becomes a dash, so
// the name has no separators, no "..", no control characters, and cannot
// leave the evidence folder. Long names are cut, keeping the extension.
func Name(n int, original string) string {
	if i := strings.LastIndexAny(original, `/\`); i >= 0 {
		original = original[i+1:]
	}
	var b strings.Builder
	for _, r := range strings.ToLower(original) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		case r == '.':
			b.WriteByte('.')
		default:
			b.WriteByte('-')
		}
	}
	s := b.String()
	for prev := ""; prev != s; {
		prev = s
		for _, pair := range [][2]string{{"..", "."}, {"--", "-"}, {".-", "."}, {"-.", "."}} {
			s = strings.ReplaceAll(s, pair[0], pair[1])
		}
	}
	s = strings.Trim(s, ".-_")
	if len(s) > maxStem {
		ext := ""
		if i := strings.LastIndexByte(s, '.'); i >= 0 && len(s)-i <= 10 {
			ext = s[i:]
		}
		s = strings.TrimRight(s[:maxStem-len(ext)], ".-_") + ext
	}
	if s == "" {
		s = "evidence"
	}
	width := 2
	if n > 99 {
		width = 3
	}
	return fmt.Sprintf("E%0*d-%s.pgp", width, n, s)
}
