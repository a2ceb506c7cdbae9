// Package yamlblock parses the plain block subset of YAML that register
// files are written in — block mappings and lists, plain and quoted
// one-line scalars, one-line flow lists, literal block text — straight
// into the yaml.v3 node tree yaml.Unmarshal would build, about ten times
// faster and with a fraction of its allocations.
//
// It is an accelerator, not a second YAML parser to trust: Parse reports
// ok=false for anything outside the subset, and for anything yaml.v3
// would refuse, and the caller then parses the text with yaml.v3, which
// also words the errors. For every text Parse accepts, its tree equals
// yaml.v3's in kind, tag, value, style, line and column (comments are
// not kept); the package's tests and fuzz target hold it to that.
package yamlblock

import (
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// maxKey is the longest implicit key YAML allows.
const maxKey = 1024

// Parse parses text into a document node, or reports ok=false when the
// text is outside the subset (or is not valid YAML) and must be parsed
// by yaml.v3. The tree is the caller's to keep.
func Parse(text []byte) (doc *yaml.Node, ok bool) { return new(Parser).Parse(text) }

// A Parser parses text after text, reusing its memory: the tree its
// Parse returns is valid only until its next Parse. A decoder that copies
// the values out of the tree, as a register's loader does, allocates
// nothing for the tree this way. A Parser is not safe for concurrent use.
type Parser struct{ p parser }

// Parse is the package's Parse, with the tree in the parser's memory.
func (ps *Parser) Parse(text []byte) (doc *yaml.Node, ok bool) {
	if !plainText(text) {
		return nil, false
	}
	p := &ps.p
	p.src = string(text)
	p.split()
	defer func() {
		// Sized for the next text from what this one used.
		p.need = max(p.need, p.nodes)
		p.src = ""
		// The parser gives up by panicking with errOutside. Any other
		// panic would be a bug here: it costs the text its speed (yaml.v3
		// parses it), never the user a crash; the tests require none.
		if r := recover(); r != nil {
			if r != errOutside {
				bugs.Add(1)
			}
			doc, ok = nil, false
		}
	}()
	first := p.skip(0)
	if first == len(p.lines) || p.lines[first].indent != 0 {
		return nil, false // empty, or an indented root: yaml.v3 decides
	}
	root, next := p.block(first, 0)
	if p.skip(next) != len(p.lines) {
		return nil, false
	}
	doc = p.node()
	*doc = yaml.Node{Kind: yaml.DocumentNode, Line: root.Line, Column: root.Column, Content: []*yaml.Node{root}}
	return doc, true
}

// bugs counts parses that panicked other than by errOutside.
var bugs atomic.Int64

// errOutside is the panic value that unwinds the parser when the text
// leaves the subset.
var errOutside = new(int)

func outside() { panic(errOutside) }

// plainText reports whether text holds only what the subset's scanner
// handles: no tabs, CRs or other control characters, no characters YAML
// treats as line breaks or refuses as unprintable, no document markers
// or directives.
func plainText(text []byte) bool {
	lineStart := true
	for i := 0; i < len(text); {
		c := text[i]
		if lineStart && (c == '%' || (c == '-' || c == '.') && i+2 < len(text) && text[i+1] == c && text[i+2] == c) {
			return false
		}
		lineStart = c == '\n'
		if c < utf8.RuneSelf {
			if c < ' ' && c != '\n' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(text[i:])
		if r == utf8.RuneError || r < 0xa0 || r == 0x2028 || r == 0x2029 || r == 0xfeff || r >= 0xfffe && r <= 0xffff {
			return false
		}
		i += n
	}
	return true
}

// A line is one line of the text without its line end.
type line struct {
	text   string
	indent int  // leading spaces
	blank  bool // only spaces
	note   bool // a comment line: "#" is its first non-space
}

type parser struct {
	src   string
	lines []line
	// Nodes and the collections' child lists come from two slabs sized
	// for the text; children are gathered on stack while a collection
	// is parsed and copied to kids, contiguous, when it ends.
	slab  []yaml.Node
	kids  []*yaml.Node
	stack []*yaml.Node
	// nodes counts the nodes of this text; need is the most any text
	// has had, to size the slabs.
	nodes, need int
	// eolAtEnd is whether the text's last line ends with a line end.
	eolAtEnd bool
}

func (p *parser) split() {
	s := p.src
	p.lines = p.lines[:0]
	p.eolAtEnd = strings.HasSuffix(s, "\n")
	for s != "" {
		i := strings.IndexByte(s, '\n')
		t := s
		if i >= 0 {
			t, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		ind := spaces(t, 0)
		p.lines = append(p.lines, line{text: t, indent: ind, blank: ind == len(t), note: ind < len(t) && t[ind] == '#'})
	}
	// A line holds at most a key, a value and, in a flow list, one more
	// node a comma; a parser that has parsed bigger texts keeps its
	// slabs.
	n := max(2*len(p.lines)+strings.Count(p.src, ",")+2, p.need)
	if cap(p.slab) < n {
		p.slab = make([]yaml.Node, 0, n)
	}
	if cap(p.kids) < n {
		p.kids = make([]*yaml.Node, 0, n)
	}
	p.slab, p.kids, p.stack, p.nodes = p.slab[:0], p.kids[:0], p.stack[:0], 0
}

// children returns the nodes stacked since mark as one slice, and
// unstacks them.
func (p *parser) children(mark int) []*yaml.Node {
	k := p.stack[mark:]
	if len(k) == 0 {
		return nil // as yaml.v3 leaves an empty flow list
	}
	if len(p.kids)+len(k) > cap(p.kids) {
		p.kids = make([]*yaml.Node, 0, max(len(k), 64))
	}
	out := p.kids[len(p.kids) : len(p.kids)+len(k) : len(p.kids)+len(k)]
	copy(out, k)
	p.kids = p.kids[:len(p.kids)+len(k)]
	p.stack = p.stack[:mark]
	return out
}

// node returns a new node from the parser's slab.
func (p *parser) node() *yaml.Node {
	p.nodes++
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]yaml.Node, 0, 64)
	}
	p.slab = p.slab[:len(p.slab)+1]
	return &p.slab[len(p.slab)-1]
}

// skip returns the first line from i on that holds content (not blank,
// not a comment), or len(p.lines).
func (p *parser) skip(i int) int {
	for i < len(p.lines) && (p.lines[i].blank || p.lines[i].note) {
		i++
	}
	return i
}

// column is the 1-based column of byte offset off in line i, counted in
// characters as yaml.v3 counts them.
func (p *parser) column(i, off int) int {
	t := p.lines[i].text[:off]
	for j := 0; j < len(t); j++ {
		if t[j] >= utf8.RuneSelf {
			return utf8.RuneCountInString(t) + 1
		}
	}
	return off + 1
}

// isItem reports whether the content at offset off of a line starts a
// block list item: "-" then a space or the line's end.
func isItem(t string, off int) bool {
	return off < len(t) && t[off] == '-' && (off+1 == len(t) || t[off+1] == ' ')
}

// block parses the block node whose first line is i, at indent ind (the
// line's own indent). It returns the node and the line after it.
func (p *parser) block(i, ind int) (*yaml.Node, int) {
	if isItem(p.lines[i].text, ind) {
		return p.list(i, ind)
	}
	return p.mapping(i, ind, ind)
}

// mapping parses a block mapping whose keys sit at column ind; the
// first key starts at offset off of line i (off > ind for a mapping that
// starts on a list item's line).
func (p *parser) mapping(i, ind, off int) (*yaml.Node, int) {
	m := p.node()
	*m = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: i + 1, Column: p.column(i, off)}
	mark := len(p.stack)
	for {
		t := p.lines[i].text
		colon := keyEnd(t, off)
		if colon < 0 {
			outside()
		}
		k := p.node()
		*k = yaml.Node{Kind: yaml.ScalarNode, Line: i + 1, Column: p.column(i, off)}
		plain(k, t[off:colon])
		var v *yaml.Node
		v, i = p.value(i, colon+1, ind, true)
		p.stack = append(p.stack, k, v)
		i = p.skip(i)
		if i == len(p.lines) || p.lines[i].indent < ind {
			m.Content = p.children(mark)
			return m, i
		}
		if p.lines[i].indent > ind || isItem(p.lines[i].text, ind) {
			outside() // a continuation line, or an item where a key belongs
		}
		off = ind
	}
}

// list parses a block list whose "-" marks sit at column ind.
func (p *parser) list(i, ind int) (*yaml.Node, int) {
	l := p.node()
	*l = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: i + 1, Column: p.column(i, ind)}
	mark := len(p.stack)
	for {
		t := p.lines[i].text
		off := spaces(t, ind+1)
		var v *yaml.Node
		switch {
		case off < len(t) && t[off] != '#' && keyEnd(t, off) >= 0:
			// "- key: value" starts a mapping on the item's line.
			v, i = p.mapping(i, off, off)
		case isItem(t, off):
			outside() // "- - x": a list in a list on one line
		default:
			v, i = p.value(i, ind+1, ind, false)
		}
		p.stack = append(p.stack, v)
		i = p.skip(i)
		if i == len(p.lines) || p.lines[i].indent < ind || !isItem(p.lines[i].text, ind) {
			if i < len(p.lines) && p.lines[i].indent > ind {
				outside()
			}
			l.Content = p.children(mark)
			return l, i
		}
	}
}

// keyEnd returns the offset of the ":" that ends a plain key starting at
// offset off of t, or -1 when t holds no such key there. Keys that need
// care (quoted, with indicators, "#" or spaces before the colon) are
// outside the subset.
func keyEnd(t string, off int) int {
	if off >= len(t) || !plainStart(t, off) {
		return -1
	}
	for j := off; j < len(t) && j-off <= maxKey; j++ {
		switch t[j] {
		case ':':
			if j+1 == len(t) || t[j+1] == ' ' {
				if t[j-1] == ' ' {
					outside()
				}
				return j
			}
		case '#':
			if j > off && t[j-1] == ' ' {
				return -1 // a comment before any colon: not a key
			}
		}
	}
	if strings.Contains(t[off:], ": ") || strings.HasSuffix(t, ":") {
		outside() // a key too long for YAML, or a colon after a comment
	}
	return -1
}

// plainStart reports whether a plain scalar may start at offset off of
// t, in the subset: not with an indicator character.
func plainStart(t string, off int) bool {
	switch t[off] {
	case '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ':
		return false
	}
	return true
}

// value parses the value that follows a key's colon or a list item's
// "-" at offset off of line i; ind is the indent of the mapping or list
// that holds it. A mapping's value may be a list at the key's own indent.
func (p *parser) value(i, off, ind int, inMapping bool) (*yaml.Node, int) {
	t := p.lines[i].text
	rest := spaces(t, off)
	if rest < len(t) && t[rest] != '#' {
		if rest == off {
			outside()
		}
		return p.inline(i, rest, ind)
	}
	if rest < len(t) && rest == off {
		outside() // "key:#": not a comment
	}
	// Nothing on the line: a block below, or an empty value.
	j := p.skip(i + 1)
	if j < len(p.lines) {
		switch next := p.lines[j]; {
		case next.indent > ind:
			return p.block(j, next.indent)
		case inMapping && next.indent == ind && isItem(next.text, ind):
			return p.list(j, ind)
		}
	}
	n := p.node()
	*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: i + 1, Column: p.column(i, off)}
	return n, i + 1
}

// inline parses a value that starts at offset off of line i, after a key
// or item mark; ind is the indent of the collection that holds it.
func (p *parser) inline(i, off, ind int) (*yaml.Node, int) {
	t := p.lines[i].text
	n := p.node()
	*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Line: i + 1, Column: p.column(i, off)}
	var end int
	switch t[off] {
	case '\'', '"':
		end = quoted(n, t, off)
	case '[':
		p.flow(n, i, off)
		return n, i + 1
	case '|':
		return p.literal(n, i, off, ind)
	default:
		if !plainStart(t, off) {
			outside()
		}
		end = plainEnd(t, off)
		plain(n, t[off:end])
	}
	lineEnd(t, end)
	return n, i + 1
}

// plain sets n to the plain scalar s, with the tag yaml.v3 resolves it
// to. A merge key "<<" is outside the subset.
func plain(n *yaml.Node, s string) {
	if s == "<<" {
		outside()
	}
	n.Value, n.Tag, n.Style = s, "", 0
	n.Tag = resolve(n)
}

// resolve returns the tag yaml.v3 resolves the plain scalar n to. Most
// values are words, which are text by their first letter alone (as
// yaml.v3's own table has it) or are one of a few spellings of true,
// false and null; numbers, times and the rest are yaml.v3's to resolve.
func resolve(n *yaml.Node) string {
	switch n.Value[0] {
	case 'y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O', '~':
		switch n.Value {
		case "true", "True", "TRUE", "false", "False", "FALSE":
			return "!!bool"
		case "~", "null", "Null", "NULL":
			return "!!null"
		}
		return "!!str"
	case '+', '-', '.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return n.ShortTag()
	}
	return "!!str"
}

// lineEnd refuses anything after a value but spaces and a comment.
func lineEnd(t string, off int) {
	j := spaces(t, off)
	if j < len(t) && (t[j] != '#' || j == off) {
		outside()
	}
}

// plainEnd returns the end of a one-line plain scalar in block context
// starting at off: before a comment, without trailing spaces. A ": "
// inside would make it a key, which YAML refuses in a value.
func plainEnd(t string, off int) int {
	end := len(t)
	for j := off + 1; j < len(t); j++ {
		if t[j] == '#' && t[j-1] == ' ' {
			end = j
			break
		}
		if t[j] == ':' && (j+1 == len(t) || t[j+1] == ' ') {
			outside()
		}
	}
	for end > off && t[end-1] == ' ' {
		end--
	}
	return end
}

// quoted scans a one-line quoted scalar starting at t[off] (its opening
// quote) into n, its value and style, and returns the offset after the
// closing quote. Double-quoted text with escapes is outside the subset.
func quoted(n *yaml.Node, t string, off int) int {
	q := t[off]
	n.Style = yaml.SingleQuotedStyle
	if q == '"' {
		n.Style = yaml.DoubleQuotedStyle
	}
	var b strings.Builder
	start := off + 1
	for j := start; j < len(t); j++ {
		switch t[j] {
		case '\\':
			if q == '"' {
				outside()
			}
		case q:
			if q == '\'' && j+1 < len(t) && t[j+1] == '\'' {
				b.WriteString(t[start : j+1])
				j++
				start = j + 1
				continue
			}
			if b.Len() == 0 {
				n.Value = t[off+1 : j]
			} else {
				b.WriteString(t[start:j])
				n.Value = b.String()
			}
			return j + 1
		}
	}
	outside() // not closed on its line
	return 0
}

// spaces returns the offset of the first byte from off on that is not a
// space.
func spaces(t string, off int) int {
	for off < len(t) && t[off] == ' ' {
		off++
	}
	return off
}

// flow parses a one-line flow list "[a, 'b', c]" into n, which starts at
// offset off of line i.
func (p *parser) flow(n *yaml.Node, i, off int) {
	t := p.lines[i].text
	n.Kind, n.Tag, n.Style = yaml.SequenceNode, "!!seq", yaml.FlowStyle
	mark := len(p.stack)
	defer func() { n.Content = p.children(mark) }()
	j := off + 1
	for {
		j = spaces(t, j)
		if j == len(t) {
			outside() // continued on the next line
		}
		if t[j] == ']' {
			if len(p.stack) > mark {
				outside() // "[a, ]": a trailing comma
			}
			lineEnd(t, j+1)
			return
		}
		item := p.node()
		*item = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Line: i + 1, Column: p.column(i, j)}
		switch t[j] {
		case '\'', '"':
			j = quoted(item, t, j)
		default:
			if !plainStart(t, j) {
				outside()
			}
			// yaml.v3 ends a plain item of a flow list at any of these
			// ('?' too, and then refuses what follows); "#" and ":" end
			// it only before or after a space, but are left to yaml.v3.
			start := j
			for j < len(t) && !strings.ContainsRune(",[]{}#:?", rune(t[j])) {
				j++
			}
			end := j
			for end > start && t[end-1] == ' ' {
				end--
			}
			plain(item, t[start:end])
		}
		p.stack = append(p.stack, item)
		j = spaces(t, j)
		switch {
		case j < len(t) && t[j] == ',':
			j++
		case j < len(t) && t[j] == ']':
			lineEnd(t, j+1)
			return
		default:
			outside()
		}
	}
}

// literal parses a literal block scalar ("|", "|-" or "|+") whose
// indicator is at offset off of line i, into n; ind is the indent of the
// collection that holds it.
func (p *parser) literal(n *yaml.Node, i, off, ind int) (*yaml.Node, int) {
	t := p.lines[i].text
	chomp := byte(0)
	j := off + 1
	if j < len(t) && (t[j] == '-' || t[j] == '+') {
		chomp = t[j]
		j++
	}
	lineEnd(t, j)
	n.Style = yaml.LiteralStyle
	// The text's indent is its first non-blank line's; blank lines
	// before it must not be longer.
	first := i + 1
	for first < len(p.lines) && p.lines[first].blank {
		first++
	}
	if first == len(p.lines) || p.lines[first].indent <= ind {
		outside() // empty literal text
	}
	at := p.lines[first].indent
	for k := i + 1; k < first; k++ {
		if len(p.lines[k].text) > at {
			outside()
		}
	}
	// Content runs to the last line that is indented at least as far,
	// or blank but longer than the indent; shorter blank lines after it
	// are trailing line ends.
	last, end := first, first
	for end < len(p.lines) {
		l := p.lines[end]
		if !l.blank && l.indent < at {
			break
		}
		if !l.blank || len(l.text) > at {
			last = end
		}
		end++
	}
	if end == len(p.lines) && !p.eolAtEnd {
		outside()
	}
	var b strings.Builder
	for k := i + 1; k <= last; k++ {
		if l := p.lines[k].text; len(l) > at {
			b.WriteString(l[at:])
		}
		if k < last || chomp != '-' {
			b.WriteByte('\n')
		}
	}
	if chomp == '+' {
		for k := last + 1; k < end; k++ {
			b.WriteByte('\n')
		}
	}
	n.Value = b.String()
	return n, end
}
