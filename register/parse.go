package register

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/adrg/frontmatter"
	"gopkg.in/yaml.v3"

	"github.com/council/register/register/yamlblock"
)

// Limits on what a document may hold. They keep a hostile file from
// exhausting memory; a real case is a few kilobytes.
const (
	MaxFrontMatter = 256 << 10 // bytes of YAML front matter
	MaxDocument    = 4 << 20   // bytes of a whole case or minutes file
	MaxYAMLFile    = 1 << 20   // bytes of register.yaml, people.yaml, workflow.yaml
)

// A document is a parsed Markdown file with YAML front matter.
type document struct {
	// Lines gives the line of each field path ("status",
	// "ico.decision", "evidence[0].file").
	Lines fieldLines
	// Body is the Markdown after the front matter.
	Body []byte
	// BodyLine is the line the body starts on.
	BodyLine int
}

// Line returns the line of the field path, falling back to its nearest
// parent and then to line 1, so a finding always points somewhere useful.
func (d *document) Line(path string) int {
	for path != "" {
		if l, ok := d.Lines.get(path); ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 1
}

// parseDocument splits a Markdown document into its required front
// matter and body and decodes the front matter strictly into v.
func parseDocument(r io.Reader, v any) (*document, Findings) {
	var data []byte
	var err error
	if l, ok := r.(interface{ Len() int }); ok && l.Len() <= MaxDocument {
		// A bytes.Reader or strings.Reader: read in one allocation of
		// its size, not by doubling from 512 bytes.
		data = make([]byte, l.Len())
		_, err = io.ReadFull(r, data)
	} else {
		data, err = io.ReadAll(io.LimitReader(r, MaxDocument+1))
	}
	if err != nil {
		return nil, Findings{errorf(0, "read", "%v", err)}
	}
	return parseDocumentBytes(data, v)
}

// parseDocumentBytes is parseDocument on a file already in memory.
func parseDocumentBytes(data []byte, v any) (*document, Findings) {
	if len(data) > MaxDocument {
		return nil, Findings{errorf(0, "schema", "file is larger than %s, the limit for a case or minutes file; keep large material such as logs in evidence", size(MaxDocument))}
	}
	if fs := checkText(data); fs != nil {
		return nil, fs
	}
	if !bytes.HasPrefix(data, []byte("---\n")) {
		if trimmed := bytes.TrimLeft(data, " \n"); bytes.HasPrefix(trimmed, []byte("---\n")) {
			return nil, Findings{errorf(1, "schema", `front matter must start on line 1; remove the blank lines before the opening "---" (on line %d)`,
				lineAt(data, len(data)-len(trimmed)))}
		}
		return nil, Findings{errorf(1, "schema", `missing front matter: the file must start with a line "---", the YAML fields, and a closing "---"`)}
	}
	var yamlText []byte
	capture := frontmatter.NewFormat("---", "---", func(b []byte, _ any) error {
		yamlText = b
		return nil
	})
	// frontmatter copies all it reads, line by line: give it the front
	// matter only, up to its closing line, and take the body from data.
	head := frontMatterEnd(data)
	br := lineReaders.Get().(*bufio.Reader)
	br.Reset(bytes.NewReader(data[:head]))
	body, err := frontmatter.MustParse(br, nil, capture)
	br.Reset(nil)
	lineReaders.Put(br)
	if err == nil {
		body = data[head:]
	}
	if errors.Is(err, frontmatter.ErrNotFound) {
		return nil, Findings{errorf(1, "schema", `front matter opened on line 1 is never closed: add a line "---" after the last field`)}
	}
	if err != nil {
		return nil, Findings{errorf(1, "schema", "front matter: %v", err)}
	}
	if len(yamlText) > MaxFrontMatter {
		return nil, Findings{errorf(1, "schema", "front matter is %s; the limit is %s: keep long text in the narrative below the closing \"---\"", size(len(yamlText)), size(MaxFrontMatter))}
	}
	lines, fs := decodeYAML(yamlText, 1, v)
	if fs != nil {
		return nil, fs
	}
	fmLines := bytes.Count(data[:len(data)-len(body)], []byte("\n"))
	// A register holds thousands of bodies: keep each apart from its
	// file's bytes, whose front matter is garbage once decoded.
	return &document{Lines: lines, Body: bytes.Clone(body), BodyLine: fmLines + 1}, nil
}

// lineReaders lend frontmatter the line reader it would otherwise make,
// 4 KB, for every file (it takes a *bufio.Reader as it is).
var lineReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}

// frontMatterEnd returns the offset just after the line that closes the
// front matter opened on line 1 (a line that is "---" once trimmed, as
// frontmatter reads it), or len(data) when none does.
func frontMatterEnd(data []byte) int {
	for i := bytes.IndexByte(data, '\n') + 1; i > 0 && i < len(data); {
		end := len(data)
		if j := bytes.IndexByte(data[i:], '\n'); j >= 0 {
			end = i + j + 1
		}
		if string(bytes.TrimSpace(data[i:end])) == "---" {
			return end
		}
		i = end
	}
	return len(data)
}

// checkText refuses what would make line numbers or YAML lie: a byte
// order mark, CR line ends, NUL bytes and invalid UTF-8.
func checkText(data []byte) Findings {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return Findings{errorf(1, "encoding", "file starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM")}
	}
	if i := bytes.IndexByte(data, '\r'); i >= 0 {
		if i+1 < len(data) && data[i+1] == '\n' {
			return Findings{errorf(lineAt(data, i), "encoding", "Windows line ends (CRLF); save the file with LF line ends (the register's .gitattributes sets eol=lf)")}
		}
		return Findings{errorf(lineAt(data, i), "encoding", "carriage return (CR) inside a line; remove it, and end lines with LF only")}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return Findings{errorf(lineAt(data, i), "encoding", "NUL byte; this is not a text file")}
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return Findings{errorf(lineAt(data, i), "encoding", "invalid UTF-8 (byte %d of the file); save the file as UTF-8", i)}
	}
	return nil
}

// size formats a byte count for a message.
func size(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func lineAt(data []byte, offset int) int {
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// decodeYAML decodes YAML text strictly into v. offset is the number of
// lines before the text in its file: 1 for front matter, 0 for a whole
// YAML file. It refuses anchors and aliases (the "billion laughs" bomb),
// duplicate keys, unknown fields and values of the wrong type, and
// reports each with its line. It returns the line of every field path.
func decodeYAML(text []byte, offset int, v any) (fieldLines, Findings) {
	root := "front matter"
	if offset == 0 {
		root = "file"
	}
	if i := indentTab(text); i >= 0 {
		return fieldLines{}, Findings{errorf(offset+lineAt(text, i), "schema", "tab used for indentation; indent YAML with spaces")}
	}
	// Register files keep to plain block YAML, which yamlblock parses
	// into the very tree yaml.v3 would, several times faster; anything
	// else, and every error, is yaml.v3's.
	bp := blockParsers.Get().(*yamlblock.Parser)
	defer blockParsers.Put(bp) // the tree is garbage once decoded below
	n, ok := bp.Parse(text)
	if !ok {
		n = new(yaml.Node)
		if err := yaml.Unmarshal(text, n); err != nil {
			return fieldLines{}, Findings{yamlError(err, offset)}
		}
	}
	if n.Kind == 0 || len(n.Content) == 0 {
		return fieldLines{}, Findings{errorf(offset+1, "schema", "%s is empty; write the fields as YAML, one \"name: value\" a line", root)}
	}
	doc := n.Content[0]
	if fs := refuseAnchors(doc, offset, nil); fs != nil {
		return fieldLines{}, fs
	}
	// Nearly every field and list item is on a line of its own.
	w := walker{offset: offset, lines: fieldLines{known: make([]fieldLine, 0, bytes.Count(text, []byte("\n"))+8)}, root: root}
	w.walk(doc, reflect.ValueOf(v).Elem(), "")
	if w.findings != nil {
		return fieldLines{}, w.findings
	}
	w.lines.sorted()
	return w.lines, nil
}

// blockParsers lend decodeYAML parsers whose memory is reused from file
// to file: the node tree is dropped once its values are decoded.
var blockParsers = sync.Pool{New: func() any { return new(yamlblock.Parser) }}

// indentTab returns the offset of a tab in a line's leading white space,
// or -1.
func indentTab(text []byte) int {
	start := true
	for i, c := range text {
		switch {
		case c == '\n':
			start = true
		case start && c == '\t':
			return i
		case c != ' ':
			start = false
		}
	}
	return -1
}

// refuseAnchors reports every YAML anchor and alias, one finding a line.
// They are refused everywhere, not only in known fields: an alias bomb
// ("billion laughs") multiplies a few lines into gigabytes when decoded.
func refuseAnchors(n *yaml.Node, offset int, fs Findings) Findings {
	line := offset + n.Line
	seen := len(fs) > 0 && fs[len(fs)-1].Line == line
	switch {
	case n.Kind == yaml.AliasNode && !seen:
		return append(fs, errorf(line, "schema", "YAML alias *%s is not allowed; write the value out in full", n.Value))
	case n.Anchor != "" && !seen:
		fs = append(fs, errorf(line, "schema", "YAML anchor &%s is not allowed; write the value out in full", n.Anchor))
	}
	for _, c := range n.Content {
		fs = refuseAnchors(c, offset, fs)
	}
	return fs
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// yamlError turns a yaml.v3 error into a finding with the file's line.
func yamlError(err error, offset int) Finding {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	line := offset + 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		line = offset + n
		msg = msg[len(m[0]):]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if te == nil {
		msg = "YAML syntax error: " + msg + " (check quotes, colons and indentation here or just above)"
	}
	return errorf(line, "schema", "%s", msg)
}

// walker checks a YAML node tree against the Go type it will decode into.
type walker struct {
	root     string // "front matter" or "file", for the top level
	offset   int
	lines    fieldLines
	findings Findings
}

// earlier returns the line of the first key before the i-th entry of the
// mapping n that has the same name as it, if there is one: a key given
// twice in one mapping is the only way one path can come twice. A big
// mapping is looked up through an index, built once in seen.
func earlier(n *yaml.Node, i int, seen *map[string]int) (int, bool) {
	k := n.Content[i]
	if len(n.Content) <= 64 {
		for j := 0; j < i; j += 2 {
			if c := n.Content[j]; c.Kind == yaml.ScalarNode && c.Value == k.Value {
				return c.Line, true
			}
		}
		return 0, false
	}
	if *seen == nil {
		*seen = make(map[string]int, len(n.Content)/2)
		for j := 0; j < len(n.Content); j += 2 {
			if c := n.Content[j]; c.Kind == yaml.ScalarNode {
				if _, ok := (*seen)[c.Value]; !ok {
					(*seen)[c.Value] = j
				}
			}
		}
	}
	if j := (*seen)[k.Value]; j < i {
		return n.Content[j].Line, true
	}
	return 0, false
}

func (w *walker) errorf(n *yaml.Node, format string, args ...any) {
	w.findings = append(w.findings, errorf(w.offset+n.Line, "schema", format, args...))
}

func (w *walker) describe(path string) string {
	if path == "" {
		return w.root
	}
	return fmt.Sprintf("field %q", path)
}

// walk checks node n against the Go value v it decodes into, and stores
// the value as it goes: one pass over the tree both validates and
// decodes, so every bad value is reported with its field (not only the
// first yaml.v3 would meet) and nothing is decoded twice. v is settable.
func (w *walker) walk(n *yaml.Node, v reflect.Value, path string) {
	if n.Tag == "!!null" {
		return
	}
	t := v.Type()
	if t.Kind() == reflect.Pointer {
		e := reflect.New(t.Elem())
		w.walk(n, e.Elem(), path)
		v.Set(e)
		return
	}
	// The schema's own value types (Time, Date, the vocabularies) are
	// structs and strings that decode themselves.
	var u yaml.Unmarshaler
	if k := t.Kind(); k == reflect.Struct || k == reflect.String {
		u, _ = v.Addr().Interface().(yaml.Unmarshaler)
	}
	if u != nil {
		if n.Kind != yaml.ScalarNode {
			w.errorf(n, "%s: want %s, got %s", w.describe(path), valueHint(t), kindName(n))
			return
		}
		if err := u.UnmarshalYAML(n); err != nil {
			msg := err.Error()
			var te *yaml.TypeError
			if errors.As(err, &te) && len(te.Errors) > 0 {
				msg = yamlLine.ReplaceAllString(te.Errors[0], "")
			}
			w.errorf(n, "%s: %s", w.describe(path), msg)
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			w.errorf(n, "%s: want a mapping of fields, got %s", w.describe(path), kindName(n))
			return
		}
		fields := structFields(t)
		var seen map[string]int
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				w.errorf(k, "%s: field names must be plain words, not lists or mappings", w.describe(path))
				continue
			}
			p := join(path, k.Value)
			f, ok := fields[k.Value]
			if !ok {
				w.errorf(k, "unknown field %q%s", p, suggest(k.Value, fields))
				continue
			}
			if prev, twice := earlier(n, i, &seen); twice {
				w.errorf(k, "field %q is given twice (first on line %d); keep one", p, w.offset+prev)
				continue
			}
			w.lines.add(p, w.offset+k.Line)
			w.walk(val, v.Field(f), p)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			w.errorf(n, "%s: want a mapping, got %s", w.describe(path), kindName(n))
			return
		}
		if v.IsNil() {
			v.Set(reflect.MakeMapWithSize(t, len(n.Content)/2))
		}
		var seen map[string]int
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				w.errorf(k, "%s: keys must be plain words, not lists or mappings", w.describe(path))
				continue
			}
			p := join(path, k.Value)
			if prev, twice := earlier(n, i, &seen); twice {
				w.errorf(k, "%q is given twice in %s (first on line %d); keep one", k.Value, path, w.offset+prev)
				continue
			}
			w.lines.add(p, w.offset+k.Line)
			kv, ev := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
			w.walk(k, kv, path)
			w.walk(val, ev, p)
			v.SetMapIndex(kv, ev)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			w.errorf(n, "%s: want a list, got %s", w.describe(path), kindName(n))
			return
		}
		v.Set(reflect.MakeSlice(t, len(n.Content), len(n.Content)))
		for i, item := range n.Content {
			p := path + "[" + strconv.Itoa(i) + "]"
			if item.Tag == "!!null" {
				// yaml.v3 would silently drop it (or keep a nil
				// pointer): say so instead.
				w.errorf(item, "%s: empty list item; write its value or remove the \"-\"", w.describe(p))
				continue
			}
			w.lines.add(p, w.offset+item.Line)
			w.walk(item, v.Index(i), p)
		}
	case reflect.Bool:
		b, err := strconv.ParseBool(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || err != nil {
			w.errorf(n, "%s: want true or false, got %s", w.describe(path), kindName(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			w.errorf(n, "%s: want a whole number, got %s", w.describe(path), kindName(n))
		} else if i, err := strconv.ParseInt(n.Value, 0, 64); err != nil || i < 0 || v.OverflowInt(i) {
			w.errorf(n, "%s: want a whole number of at least 0, got %s", w.describe(path), n.Value)
		} else {
			v.SetInt(i)
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			w.errorf(n, "%s: want text, got %s", w.describe(path), kindName(n))
			return
		}
		v.SetString(n.Value)
	default:
		// A field type the schema does not use: a programming error,
		// reported rather than silently skipped.
		w.errorf(n, "%s: cannot decode into %s", w.describe(path), t)
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// valueHint describes what a field of a type that decodes itself wants.
func valueHint(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[Time]():
		return "a time like 2026-11-05T14:30:00Z"
	case reflect.TypeFor[Date]():
		return "a date like 2026-11-05"
	}
	if allowed, ok := vocabularies[t]; ok {
		return "one of: " + strings.Join(allowed, ", ")
	}
	return "a single value"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	return strconv.Quote(v)
}

// structFields maps YAML names to field indexes of t, cached per type.
func structFields(t reflect.Type) map[string]int {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]int)
	}
	m := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = i
	}
	fieldCache.Store(t, m)
	return m
}

// fieldCache holds structFields' results; it is derived from types alone,
// so sharing it is safe.
var fieldCache sync.Map

// suggest proposes the known field closest to an unknown one.
func suggest(name string, fields map[string]int) string {
	best, bestD := "", 3
	for f := range fields {
		if d := editDistance(name, f); d < bestD || d == bestD && f < best {
			best, bestD = f, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// readYAMLFile reads a whole YAML file (register.yaml, people.yaml,
// workflow.yaml) of bounded size and decodes it strictly into v.
func readYAMLFile(r io.Reader, v any) (fieldLines, Findings) {
	data, err := io.ReadAll(io.LimitReader(r, MaxYAMLFile+1))
	if err != nil {
		return fieldLines{}, Findings{errorf(0, "read", "%v", err)}
	}
	return decodeYAMLFile(data, v)
}

// decodeYAMLFile is readYAMLFile on data in memory.
func decodeYAMLFile(data []byte, v any) (fieldLines, Findings) {
	if len(data) > MaxYAMLFile {
		return fieldLines{}, Findings{errorf(0, "schema", "file is larger than %d bytes", MaxYAMLFile)}
	}
	if fs := checkText(data); fs != nil {
		return fieldLines{}, fs
	}
	return decodeYAML(data, 0, v)
}
