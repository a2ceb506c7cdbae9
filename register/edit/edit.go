// Package edit changes single fields of a case or minutes file's YAML
// front matter in place. Everything outside the edited value stays byte
// for byte as the person who wrote it left it: comments, field order,
// blank lines, quoting, flow or block style, and the Markdown body.
//
// The front matter is parsed with gopkg.in/yaml.v3 only to find where
// things are; the edit itself splices text. New values are rendered with
// yaml.v3 and indented to fit where they go. Every result is parsed again
// and compared with what the edit was meant to produce, so an edit that
// would corrupt the file or touch anything else is an error, never output.
package edit

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Set sets the field at path to value and returns the new document.
// The path is dot-separated field names with list indexes, such as
// "status", "notified.img", "ico.decision" or "evidence[2].sha256".
// Missing parent mappings are created; an existing value is replaced
// whatever its style. The value is rendered as yaml.v3 marshals it, but
// without the empty fields of structs and maps (an empty value given
// itself, such as []string{} for "lessons: []", is written); a
// *yaml.Node value is written as it is, so a caller can ask for a flow
// list ("[a, b]") by setting its Style.
func Set(doc []byte, path string, value any) ([]byte, error) {
	segs, err := parsePath(path)
	if err != nil {
		return nil, err
	}
	nv, err := toNode(value, true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f, err := open(doc)
	if err != nil {
		return nil, err
	}
	edits, err := f.set(segs, nv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f.finish(path, edits, func(root *yaml.Node) error { return setNode(root, segs, nv) })
}

// Append adds item to the end of the list at path (such as "updates",
// "lessons" or "evidence[0].custody") and returns the new document. A
// missing list is created. Empty fields of a struct item are left out,
// as in Set.
func Append(doc []byte, path string, item any) ([]byte, error) {
	segs, err := parsePath(path)
	if err != nil {
		return nil, err
	}
	nv, err := toNode(item, true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f, err := open(doc)
	if err != nil {
		return nil, err
	}
	edits, err := f.append(segs, nv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f.finish(path, edits, func(root *yaml.Node) error { return appendNode(root, segs, nv) })
}

// A seg is one step of a path: a field name or a list index.
type seg struct {
	key   string
	index int
	isIdx bool
}

func (s seg) String() string {
	if s.isIdx {
		return fmt.Sprintf("[%d]", s.index)
	}
	return s.key
}

// parsePath splits "evidence[2].custody" into its steps.
func parsePath(p string) ([]seg, error) {
	var segs []seg
	rest := p
	for rest != "" {
		switch {
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 || len(segs) == 0 {
				return nil, fmt.Errorf("path %q: bad list index", p)
			}
			n, err := strconv.Atoi(rest[1:end])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("path %q: bad list index %q", p, rest[1:end])
			}
			segs = append(segs, seg{index: n, isIdx: true})
			rest = rest[end+1:]
			if strings.HasPrefix(rest, ".") && len(rest) > 1 {
				rest = rest[1:]
			} else if rest != "" && rest[0] != '[' {
				return nil, fmt.Errorf("path %q: want . or [ after ]", p)
			}
		default:
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			key := rest[:end]
			if key == "" || strings.ContainsAny(key, "] \t\n") {
				return nil, fmt.Errorf("path %q: bad field name %q", p, key)
			}
			segs = append(segs, seg{key: key})
			rest = rest[end:]
			if strings.HasPrefix(rest, ".") {
				rest = rest[1:]
				if rest == "" {
					return nil, fmt.Errorf("path %q ends with a dot", p)
				}
			}
		}
	}
	if len(segs) == 0 {
		return nil, errors.New("empty path")
	}
	return segs, nil
}

var timestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d))?$`)

var marshalerType = reflect.TypeFor[yaml.Marshaler]()

// toNode renders a Go value as a node tree, as yaml.Marshal would, with
// two differences. Strings are never sent through yaml.v3's emitter and
// parser on the way (Node.Encode does that, and loses a leading line
// break of a block scalar). Times, which yaml.v3 would quote because they
// look like timestamps, are written plain as people write them. With
// omitEmpty, empty fields of structs and maps are dropped.
func toNode(v any, omitEmpty bool) (*yaml.Node, error) {
	return build(reflect.ValueOf(v), omitEmpty)
}

func build(v reflect.Value, omitEmpty bool) (*yaml.Node, error) {
	if !v.IsValid() {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	switch n := v.Interface().(type) {
	case *yaml.Node:
		if n != nil {
			return deepCopy(n), nil
		}
	case yaml.Node:
		return deepCopy(&n), nil
	}
	if v.Type().Implements(marshalerType) && !(v.Kind() == reflect.Pointer && v.IsNil()) {
		out, err := v.Interface().(yaml.Marshaler).MarshalYAML()
		if err != nil {
			return nil, err
		}
		if s, ok := out.(string); ok && timestamp.MatchString(s) {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: s}, nil
		}
		return build(reflect.ValueOf(out), omitEmpty)
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return build(reflect.Value{}, omitEmpty)
		}
		return build(v.Elem(), omitEmpty)
	case reflect.String:
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v.String()}
		if strings.HasPrefix(n.Value, "\n") || strings.Contains(n.Value, "\n") && strings.TrimSpace(n.Value) == "" {
			n.Style = yaml.DoubleQuotedStyle // a literal block cannot start with a line break
		}
		if timestamp.MatchString(n.Value) {
			n.Tag = "!!timestamp" // written plain; strings are read as written
		}
		return n, nil
	case reflect.Struct:
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			name, opts, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
			if !sf.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = strings.ToLower(sf.Name)
			}
			if (omitEmpty || strings.Contains(opts, "omitempty")) && v.Field(i).IsZero() {
				continue
			}
			c, err := build(v.Field(i), omitEmpty)
			if err != nil {
				return nil, err
			}
			if omitEmpty && empty(c) {
				continue
			}
			m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}, c)
		}
		return m, nil
	case reflect.Map:
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			kn, err := build(k, omitEmpty)
			if err != nil {
				return nil, err
			}
			c, err := build(v.MapIndex(k), omitEmpty)
			if err != nil {
				return nil, err
			}
			if omitEmpty && empty(c) {
				continue
			}
			m.Content = append(m.Content, kn, c)
		}
		return m, nil
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			break // []byte: let yaml.v3 decide
		}
		s := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for i := 0; i < v.Len(); i++ {
			c, err := build(v.Index(i), omitEmpty)
			if err != nil {
				return nil, err
			}
			s.Content = append(s.Content, c)
		}
		return s, nil
	}
	// Numbers, booleans and the like: yaml.v3 writes them exactly.
	var n yaml.Node
	if err := n.Encode(v.Interface()); err != nil {
		return nil, err
	}
	return &n, nil
}

func empty(n *yaml.Node) bool {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Tag == "!!null" || n.Tag == "!!str" && n.Value == ""
	case yaml.MappingNode, yaml.SequenceNode:
		return len(n.Content) == 0
	}
	return false
}

// A file is a document split into front matter and the rest, with the
// front matter parsed.
type file struct {
	doc        []byte
	start, end int    // the front matter's text is doc[start:end]
	text       []byte // doc[start:end]
	lines      []int  // offsets in text where lines start
	root       *yaml.Node
}

func open(doc []byte) (*file, error) {
	if bytes.HasPrefix(doc, []byte("\xef\xbb\xbf")) {
		return nil, errors.New("file starts with a byte-order mark; save it as UTF-8 without BOM")
	}
	if bytes.IndexByte(doc, '\r') >= 0 {
		return nil, errors.New("file has CR (CRLF) line ends; save it with LF line ends")
	}
	if !bytes.HasPrefix(doc, []byte("---\n")) {
		return nil, errors.New(`missing front matter: the file must start with a line "---"`)
	}
	start := 4
	end := -1
	for i := start; i < len(doc); {
		j := bytes.IndexByte(doc[i:], '\n')
		line := doc[i:]
		if j >= 0 {
			line = doc[i : i+j]
		}
		if string(line) == "---" {
			end = i
			break
		}
		if j < 0 {
			break
		}
		i += j + 1
	}
	if end < 0 {
		return nil, errors.New(`front matter is never closed: add a line "---" after the last field`)
	}
	f := &file{doc: doc, start: start, end: end, text: doc[start:end]}
	f.lines = []int{0}
	for i, c := range f.text {
		if c == '\n' && i+1 < len(f.text) {
			f.lines = append(f.lines, i+1)
		}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(f.text, &root); err != nil {
		return nil, fmt.Errorf("front matter: %v", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("front matter is not a mapping of fields")
	}
	if root.Content[0].Style&yaml.FlowStyle != 0 {
		return nil, errors.New("front matter written as one {…} mapping cannot be edited in place")
	}
	if n := findAlias(&root); n != nil {
		return nil, fmt.Errorf("line %d: YAML anchors and aliases are not allowed", n.Line+1)
	}
	f.root = root.Content[0]
	return f, nil
}

func findAlias(n *yaml.Node) *yaml.Node {
	if n.Anchor != "" || n.Kind == yaml.AliasNode {
		return n
	}
	for _, c := range n.Content {
		if a := findAlias(c); a != nil {
			return a
		}
	}
	return nil
}

// An edit replaces text[from:to] of the front matter.
type edit struct {
	from, to int
	text     string
}

// finish applies the edits, parses the result and checks that it decodes
// to exactly the original with op applied.
func (f *file) finish(path string, edits []edit, op func(root *yaml.Node) error) ([]byte, error) {
	// Apply from the end, so earlier offsets stay valid; of two edits at
	// one offset, the one listed first must end up first.
	order := make([]int, len(edits))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := edits[order[i]], edits[order[j]]
		return a.from > b.from || a.from == b.from && order[i] > order[j]
	})
	sorted := make([]edit, len(edits))
	for i, k := range order {
		sorted[i] = edits[k]
	}
	edits = sorted
	text := append([]byte(nil), f.text...)
	for _, e := range edits {
		text = append(text[:e.from], append([]byte(e.text), text[e.to:]...)...)
	}
	if len(text) > 0 && text[len(text)-1] != '\n' {
		text = append(text, '\n')
	}
	var got yaml.Node
	if err := yaml.Unmarshal(text, &got); err != nil {
		return nil, fmt.Errorf("%s: the edit would make the front matter invalid (%v); file left as it was", path, err)
	}
	want := deepCopy(f.root)
	if err := op(want); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(got.Content) == 0 {
		return nil, fmt.Errorf("%s: the edit would empty the front matter; file left as it was", path)
	}
	if !sameTree(got.Content[0], want) {
		return nil, fmt.Errorf("%s: cannot edit this layout in place without changing other fields; file left as it was", path)
	}
	out := make([]byte, 0, len(f.doc)+len(text)-len(f.text))
	out = append(out, f.doc[:f.start]...)
	out = append(out, text...)
	out = append(out, f.doc[f.end:]...)
	return out, nil
}

// sameTree reports whether two node trees hold the same data in the same
// order. Comments, styles and positions may differ; a timestamp written
// plain and the same text quoted count as equal, since the register reads
// times from their text.
func sameTree(a, b *yaml.Node) bool {
	if a.Kind != b.Kind || len(a.Content) != len(b.Content) {
		return false
	}
	if a.Kind == yaml.ScalarNode && (a.Value != b.Value || tagClass(a) != tagClass(b)) {
		return false
	}
	for i := range a.Content {
		if !sameTree(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}

func tagClass(n *yaml.Node) string {
	t := n.ShortTag()
	if t == "!!timestamp" {
		return "!!str"
	}
	return t
}

func deepCopy(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, x := range n.Content {
		c.Content[i] = deepCopy(x)
	}
	return &c
}

// setNode applies Set to a node tree.
func setNode(root *yaml.Node, segs []seg, nv *yaml.Node) error {
	cur := root
	for i, s := range segs {
		last := i == len(segs)-1
		if s.isIdx {
			if cur.Kind != yaml.SequenceNode {
				return fmt.Errorf("%s is not a list", describe(segs[:i]))
			}
			if s.index >= len(cur.Content) {
				return fmt.Errorf("no item %d (the list has %d)", s.index, len(cur.Content))
			}
			if last {
				cur.Content[s.index] = deepCopy(nv)
				return nil
			}
			cur = cur.Content[s.index]
			continue
		}
		if isNull(cur) {
			*cur = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		}
		if cur.Kind != yaml.MappingNode {
			return fmt.Errorf("%s is not a mapping of fields", describe(segs[:i]))
		}
		j := keyIndex(cur, s.key)
		if j < 0 {
			var v *yaml.Node
			if last {
				v = deepCopy(nv)
			} else {
				v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			}
			cur.Content = append(cur.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s.key}, v)
			cur = v
			if last {
				return nil
			}
			continue
		}
		if last {
			cur.Content[j+1] = deepCopy(nv)
			return nil
		}
		cur = cur.Content[j+1]
	}
	return nil
}

// appendNode applies Append to a node tree.
func appendNode(root *yaml.Node, segs []seg, nv *yaml.Node) error {
	l, err := locate(root, segs)
	if err != nil {
		return err
	}
	if l.depth == len(segs) && l.node.Kind == yaml.SequenceNode {
		l.node.Content = append(l.node.Content, deepCopy(nv))
		return nil
	}
	return setNode(root, segs, &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{nv}})
}

func describe(segs []seg) string {
	if len(segs) == 0 {
		return "the front matter"
	}
	var b strings.Builder
	for i, s := range segs {
		if i > 0 && !s.isIdx {
			b.WriteByte('.')
		}
		b.WriteString(s.String())
	}
	return b.String()
}

func keyIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// A location is how far a path reaches into a tree.
type location struct {
	node   *yaml.Node // deepest node reached
	parent *yaml.Node // its container, nil for the root
	slot   int        // index of node in parent.Content
	depth  int        // steps of the path resolved
	// flow is the outermost flow collection ({…} or […]) that contains
	// node, and flowDepth the steps of the path that reach it.
	flow      *yaml.Node
	flowDepth int
}

func locate(root *yaml.Node, segs []seg) (location, error) {
	l := location{node: root}
	for i, s := range segs {
		cur := l.node
		if l.flow == nil && cur.Style&yaml.FlowStyle != 0 {
			l.flow, l.flowDepth = cur, i
		}
		if s.isIdx {
			if cur.Kind != yaml.SequenceNode {
				return l, fmt.Errorf("%s is not a list", describe(segs[:i]))
			}
			if s.index >= len(cur.Content) {
				return l, fmt.Errorf("no item %d (the list has %d)", s.index, len(cur.Content))
			}
			l = location{node: cur.Content[s.index], parent: cur, slot: s.index, depth: i + 1, flow: l.flow, flowDepth: l.flowDepth}
			continue
		}
		if isNull(cur) && i > 0 {
			return l, nil
		}
		if cur.Kind != yaml.MappingNode {
			return l, fmt.Errorf("%s is not a mapping of fields", describe(segs[:i]))
		}
		j := keyIndex(cur, s.key)
		if j < 0 {
			return l, nil
		}
		l = location{node: cur.Content[j+1], parent: cur, slot: j + 1, depth: i + 1, flow: l.flow, flowDepth: l.flowDepth}
	}
	return l, nil
}

// set computes the edits for Set.
func (f *file) set(segs []seg, nv *yaml.Node) ([]edit, error) {
	l, err := locate(f.root, segs)
	if err != nil {
		return nil, err
	}
	for _, s := range segs[l.depth:] {
		if s.isIdx {
			return nil, fmt.Errorf("%s does not exist, so it has no item %d", describe(segs[:l.depth]), s.index)
		}
	}
	if l.flow != nil {
		if edits, ok, err := f.flowSet(l, segs, nv); ok || err != nil {
			return edits, err
		}
		return f.reflow(l, segs, func(root *yaml.Node) error { return setNode(root, segs, nv) })
	}
	if l.depth == len(segs) {
		return f.replace(l, nv)
	}
	// Build what goes where the path stops: the remaining fields nested
	// around the value.
	v := nv
	for i := len(segs) - 1; i > l.depth; i-- {
		v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: segs[i].key}, v}}
	}
	if isNull(l.node) && l.parent != nil {
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: segs[l.depth].key}, v}}
		return f.replace(l, m)
	}
	return f.insertField(l.node, segs[l.depth].key, v)
}

// append computes the edits for Append.
func (f *file) append(segs []seg, nv *yaml.Node) ([]edit, error) {
	l, err := locate(f.root, segs)
	if err != nil {
		return nil, err
	}
	list := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{nv}}
	if l.depth < len(segs) || isNull(l.node) {
		return f.set(segs, list)
	}
	n := l.node
	if n.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s is not a list", describe(segs))
	}
	switch {
	case l.flow == nil && n.Style&yaml.FlowStyle != 0 && len(n.Content) == 0:
		// An empty "[]" becomes a block list, as a person would write it.
		return f.replace(l, list)
	case n.Style&yaml.FlowStyle != 0:
		text, err := flowText(&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{nv}})
		if err != nil {
			return nil, err
		}
		return f.flowInsert(n, text)
	}
	last := len(n.Content) - 1
	dash, err := f.dashBefore(n.Content[last])
	if err != nil {
		return nil, err
	}
	o := owner{line: f.lineOf(dash), col: f.col(dash), mark: dash + 1}
	end, err := f.valueEnd(o, n.Content[last])
	if err != nil {
		return nil, err
	}
	at := f.lineEnd(f.lineOf(end))
	text, err := render(&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{nv}}, o.col)
	if err != nil {
		return nil, err
	}
	return []edit{{at, at, "\n" + strings.Repeat(" ", o.col) + text}}, nil
}

// flowSet makes a Set inside a flow collection by replacing just the
// value, or adding a field before the closing brace. It reports false when
// the layout needs the whole collection rewritten.
func (f *file) flowSet(l location, segs []seg, nv *yaml.Node) ([]edit, bool, error) {
	if l.depth == len(segs) {
		v := l.node
		if isNull(v) && v.Value == "" {
			return nil, false, nil
		}
		start := f.offset(v)
		end, err := f.flowValueEnd(v, start)
		if err != nil {
			return nil, false, err
		}
		text, err := flowText(&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{nv}})
		if err != nil {
			return nil, false, err
		}
		return []edit{{start, end, text}}, true, nil
	}
	if l.node.Kind != yaml.MappingNode {
		return nil, false, nil
	}
	v := nv
	for i := len(segs) - 1; i >= l.depth; i-- {
		v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: segs[i].key}, v}}
	}
	text, err := flowText(v)
	if err != nil {
		return nil, false, err
	}
	edits, err := f.flowInsert(l.node, text)
	return edits, err == nil, err
}

// flowText renders the entries of a one-entry collection in flow style,
// without the brackets: "key: value" or "item".
func flowText(n *yaml.Node) (string, error) {
	text, err := encode(withFlowStyle(n))
	if err != nil {
		return "", err
	}
	text = strings.TrimSuffix(text, "\n")
	if strings.Contains(text, "\n") || len(text) < 2 {
		return "", errors.New("the value would not fit on one line inside {…} or […]; write it as a block")
	}
	// yaml.v3 quotes times inside {…} and […] for their colons; YAML
	// does not need that, and people do not write it.
	text = quotedTime.ReplaceAllString(text, "$1$2$3")
	return text[1 : len(text)-1], nil
}

var quotedTime = regexp.MustCompile(`([\[{]|, |: )'(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))'([,}\]])`)

// withFlowStyle returns a copy of n with every collection in flow style.
func withFlowStyle(n *yaml.Node) *yaml.Node {
	n = deepCopy(n)
	var flow func(n *yaml.Node)
	flow = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
			n.Style = yaml.FlowStyle
		}
		for _, c := range n.Content {
			flow(c)
		}
	}
	flow(n)
	return n
}

// flowInsert adds an entry at the end of a flow collection.
func (f *file) flowInsert(c *yaml.Node, entry string) ([]edit, error) {
	start := f.offset(c)
	end, err := f.bracketEnd(start)
	if err != nil {
		return nil, err
	}
	at := end - 1
	for at > start+1 && (f.text[at-1] == ' ' || f.text[at-1] == '\n') {
		at--
	}
	if len(c.Content) > 0 {
		entry = ", " + entry
	}
	return []edit{{at, at, entry}}, nil
}

// flowValueEnd returns the offset after a value inside a flow collection.
func (f *file) flowValueEnd(v *yaml.Node, start int) (int, error) {
	switch {
	case v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode:
		return f.bracketEnd(start)
	case v.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0:
		return f.scalarEnd(v, start, false)
	}
	t := f.text
	i := start
	for i < len(t) && !strings.ContainsRune(",]}\n", rune(t[i])) && !(t[i] == '#' && i > start && t[i-1] == ' ') {
		i++
	}
	for i > start && t[i-1] == ' ' {
		i--
	}
	return i, nil
}

// reflow rewrites the outermost flow collection on the path, applying op
// to a copy of the tree. Text outside that collection is untouched.
func (f *file) reflow(l location, segs []seg, op func(root *yaml.Node) error) ([]edit, error) {
	root := deepCopy(f.root)
	if err := op(root); err != nil {
		return nil, err
	}
	nl, err := locate(root, segs[:l.flowDepth])
	if err != nil || nl.depth != l.flowDepth {
		return nil, errors.New("cannot find the {…} or […] value to rewrite")
	}
	n := nl.node
	var flow func(n *yaml.Node)
	flow = func(n *yaml.Node) {
		n.HeadComment, n.LineComment, n.FootComment = "", "", ""
		if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
			n.Style = yaml.FlowStyle
		}
		for _, c := range n.Content {
			flow(c)
		}
	}
	flow(n)
	text, err := encode(n)
	if err != nil {
		return nil, err
	}
	text = quotedTime.ReplaceAllString(strings.TrimSuffix(text, "\n"), "$1$2$3")
	if strings.Contains(text, "\n") {
		return nil, errors.New("the {…} or […] value would not fit on one line; write it as a block")
	}
	start := f.offset(l.flow)
	end, err := f.bracketEnd(start)
	if err != nil {
		return nil, err
	}
	return []edit{{start, end, text}}, nil
}

// insertField adds key: v at the end of block mapping m.
func (f *file) insertField(m *yaml.Node, key string, v *yaml.Node) ([]edit, error) {
	if len(m.Content) == 0 {
		return nil, errors.New("cannot add a field to an empty mapping here")
	}
	k := m.Content[len(m.Content)-2]
	o, err := f.keyOwner(k)
	if err != nil {
		return nil, err
	}
	end, err := f.valueEnd(o, m.Content[len(m.Content)-1])
	if err != nil {
		return nil, err
	}
	at := f.lineEnd(f.lineOf(end))
	text, err := render(&yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v}}, o.col)
	if err != nil {
		return nil, err
	}
	return []edit{{at, at, "\n" + strings.Repeat(" ", o.col) + text}}, nil
}

// An owner is what a value hangs from: a key and its colon, or a list
// item's dash.
type owner struct {
	line int // 0-based line of the key or dash
	col  int // its column in characters (0-based), which is its indent
	mark int // offset just after the colon or dash
}

func (f *file) keyOwner(k *yaml.Node) (owner, error) {
	start := f.offset(k)
	end, err := f.scalarEnd(k, start, true)
	if err != nil {
		return owner{}, err
	}
	for end < len(f.text) && f.text[end] == ' ' {
		end++
	}
	if end >= len(f.text) || f.text[end] != ':' {
		return owner{}, fmt.Errorf("line %d: cannot find the colon after %q", k.Line+1, k.Value)
	}
	return owner{line: k.Line - 1, col: k.Column - 1, mark: end + 1}, nil
}

// replace replaces the value at l with nv.
func (f *file) replace(l location, nv *yaml.Node) ([]edit, error) {
	if old := l.node; old.Style&yaml.FlowStyle != 0 && len(old.Content) > 0 &&
		(nv.Kind == yaml.MappingNode || nv.Kind == yaml.SequenceNode) && nv.Style == 0 {
		// A collection written [a, b] or {k: v} stays written so.
		nv = withFlowStyle(nv)
	}
	var o owner
	var wrap *yaml.Node
	switch l.parent.Kind {
	case yaml.MappingNode:
		var err error
		if o, err = f.keyOwner(l.parent.Content[l.slot-1]); err != nil {
			return nil, err
		}
		wrap = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "x"}, nv}}
	default:
		dash, err := f.dashBefore(l.node)
		if err != nil {
			return nil, err
		}
		o = owner{line: f.lineOf(dash), col: f.col(dash), mark: dash + 1}
		wrap = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{nv}}
	}
	text, err := render(wrap, o.col)
	if err != nil {
		return nil, err
	}
	// Drop the rendered "x:" or "-": what is left goes after the mark.
	if wrap.Kind == yaml.MappingNode {
		text = text[len("x:"):]
	} else {
		text = text[len("-"):]
	}
	// first goes after the mark; rest are the lines below it, which must
	// come after anything else on the mark's line, such as a comment.
	first, rest, _ := strings.Cut(text, "\n")
	if rest != "" {
		rest = "\n" + rest
	}
	keyLineEnd := f.lineEnd(o.line)
	v := l.node
	if isNull(v) && v.Value == "" {
		return []edit{{o.mark, o.mark, first}, {keyLineEnd, keyLineEnd, rest}}, nil
	}
	end, err := f.valueEnd(o, v)
	if err != nil {
		return nil, err
	}
	switch {
	case f.offset(v) > keyLineEnd:
		// The old value starts below its key: keep anything after the
		// colon, such as a comment, on the key's line.
		return []edit{{o.mark, o.mark, first}, {keyLineEnd, end, rest}}, nil
	case end <= keyLineEnd && strings.TrimSpace(string(f.text[end:keyLineEnd])) == "":
		return []edit{{o.mark, keyLineEnd, first + rest}}, nil
	case end <= keyLineEnd:
		return []edit{{o.mark, end, first}, {keyLineEnd, keyLineEnd, rest}}, nil
	}
	// The old value runs over several lines from the key's line.
	return []edit{{o.mark, end, first + rest}}, nil
}

// render encodes n (a one-entry mapping or list) and indents every line
// but the first by indent spaces, so that it fits at a key or dash in that
// column.
func render(n *yaml.Node, indent int) (string, error) {
	text, err := encode(n)
	if err != nil {
		return "", err
	}
	text = quotedTime.ReplaceAllString(strings.TrimSuffix(text, "\n"), "$1$2$3")
	if indent == 0 {
		return text, nil
	}
	lines := strings.Split(text, "\n")
	pad := strings.Repeat(" ", indent)
	for i := 1; i < len(lines); i++ {
		if lines[i] != "" {
			lines[i] = pad + lines[i]
		}
	}
	return strings.Join(lines, "\n"), nil
}

func encode(n *yaml.Node) (string, error) {
	var b bytes.Buffer
	e := yaml.NewEncoder(&b)
	e.SetIndent(2)
	if err := e.Encode(n); err != nil {
		return "", err
	}
	if err := e.Close(); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Positions.

func (f *file) lineOf(off int) int {
	return sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > off }) - 1
}

// lineEnd returns the offset of the newline ending line i (or the end).
func (f *file) lineEnd(i int) int {
	if i+1 < len(f.lines) {
		return f.lines[i+1] - 1
	}
	if n := len(f.text); n > 0 && f.text[n-1] == '\n' {
		return n - 1
	}
	return len(f.text)
}

func (f *file) line(i int) []byte { return f.text[f.lines[i]:f.lineEnd(i)] }

// offset returns the offset of a node's first character; yaml.v3 counts
// columns in characters.
func (f *file) offset(n *yaml.Node) int {
	i := n.Line - 1
	if i < 0 {
		return 0
	}
	if i >= len(f.lines) {
		return len(f.text)
	}
	off := f.lines[i]
	line := f.line(i)
	for c := 1; c < n.Column && len(line) > 0; c++ {
		_, size := utf8.DecodeRune(line)
		line = line[size:]
		off += size
	}
	return off
}

// col returns the column (in characters, 0-based) of an offset.
func (f *file) col(off int) int {
	return utf8.RuneCount(f.text[f.lines[f.lineOf(off)]:off])
}

type lineKind int

const (
	blank lineKind = iota
	comment
	content
)

func (f *file) lineInfo(i int) (indent int, kind lineKind) {
	line := f.line(i)
	for indent < len(line) && line[indent] == ' ' {
		indent++
	}
	switch {
	case indent == len(line):
		return indent, blank
	case line[indent] == '#':
		return indent, comment
	}
	return indent, content
}

// blockEnd returns the end of the last line belonging to a scalar
// hanging from an owner on line first in column k: the lines after it
// that are indented deeper, without trailing blank and comment lines. A
// block scalar keeps its deeper comment-like lines, and with keep chomping
// its trailing blank lines.
func (f *file) blockEnd(first, k int, scalar, keep bool) int {
	i := first + 1
	for ; i < len(f.lines); i++ {
		ind, kind := f.lineInfo(i)
		if kind == content && ind <= k {
			break
		}
	}
	j := i - 1
	for j > first {
		ind, kind := f.lineInfo(j)
		if kind == blank && !(scalar && keep) || kind == comment && (!scalar || ind <= k) {
			j--
			continue
		}
		break
	}
	return f.lineEnd(j)
}

// valueEnd returns the offset just after value v hanging from o.
func (f *file) valueEnd(o owner, v *yaml.Node) (int, error) {
	start := f.offset(v)
	if isNull(v) && v.Value == "" {
		return o.mark, nil
	}
	var end int
	switch {
	case v.Kind == yaml.AliasNode:
		return 0, errors.New("aliases cannot be edited")
	case v.Kind == yaml.ScalarNode && v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		header := string(f.text[start:f.lineEnd(f.lineOf(start))])
		if i := strings.Index(header, "#"); i >= 0 {
			header = header[:i]
		}
		end = f.blockEnd(o.line, o.col, true, strings.Contains(header, "+"))
	case v.Kind == yaml.ScalarNode && v.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0:
		var err error
		if end, err = f.scalarEnd(v, start, false); err != nil {
			return 0, err
		}
	case v.Kind == yaml.ScalarNode:
		vl := f.lineOf(start)
		end = f.blockEnd(o.line, o.col, false, false)
		if end <= f.lineEnd(vl) {
			end, _ = f.scalarEnd(v, start, false)
		}
	case v.Style&yaml.FlowStyle != 0:
		var err error
		if end, err = f.bracketEnd(start); err != nil {
			return 0, err
		}
	default:
		// A block collection ends with the line its last value ends on.
		if len(v.Content) == 0 {
			return 0, fmt.Errorf("line %d: empty block collection", v.Line+1)
		}
		last := v.Content[len(v.Content)-1]
		var lo owner
		var err error
		if v.Kind == yaml.MappingNode {
			lo, err = f.keyOwner(v.Content[len(v.Content)-2])
		} else {
			var dash int
			dash, err = f.dashBefore(last)
			lo = owner{line: f.lineOf(dash), col: f.col(dash), mark: dash + 1}
		}
		if err != nil {
			return 0, err
		}
		if end, err = f.valueEnd(lo, last); err != nil {
			return 0, err
		}
		end = f.lineEnd(f.lineOf(end))
	}
	return end, nil
}

// scalarEnd returns the offset after a scalar written on one line, or
// after a quoted scalar over several. A plain key ends at its colon, a
// plain value at a comment or the end of the line.
func (f *file) scalarEnd(n *yaml.Node, start int, key bool) (int, error) {
	t := f.text
	switch {
	case start < len(t) && t[start] == '"':
		for i := start + 1; i < len(t); i++ {
			switch t[i] {
			case '\\':
				i++
			case '"':
				return i + 1, nil
			}
		}
		return 0, fmt.Errorf("line %d: unclosed quote", n.Line+1)
	case start < len(t) && t[start] == '\'':
		for i := start + 1; i < len(t); i++ {
			if t[i] == '\'' {
				if i+1 < len(t) && t[i+1] == '\'' {
					i++
					continue
				}
				return i + 1, nil
			}
		}
		return 0, fmt.Errorf("line %d: unclosed quote", n.Line+1)
	}
	end := f.lineEnd(f.lineOf(start))
	i := start
	for ; i < end; i++ {
		c := t[i]
		if key && c == ':' && (i+1 == end || t[i+1] == ' ') {
			break
		}
		if c == '#' && i > start && t[i-1] == ' ' {
			break
		}
	}
	for i > start && t[i-1] == ' ' {
		i--
	}
	return i, nil
}

// bracketEnd returns the offset after the flow collection that opens at
// start.
func (f *file) bracketEnd(start int) (int, error) {
	t := f.text
	depth := 0
	for i := start; i < len(t); i++ {
		switch t[i] {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return i + 1, nil
			}
		case '"':
			for i++; i < len(t) && t[i] != '"'; i++ {
				if t[i] == '\\' {
					i++
				}
			}
		case '\'':
			for i++; i < len(t); i++ {
				if t[i] == '\'' {
					if i+1 < len(t) && t[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
		case '#':
			if i > start && (t[i-1] == ' ' || t[i-1] == '\n') {
				for i < len(t) && t[i] != '\n' {
					i++
				}
			}
		}
	}
	return 0, fmt.Errorf("line %d: unclosed [ or {", f.lineOf(start)+2)
}

// dashBefore finds the dash that introduces a list item.
func (f *file) dashBefore(item *yaml.Node) (int, error) {
	i := f.offset(item) - 1
	for i >= 0 && (f.text[i] == ' ' || f.text[i] == '\n') {
		i--
	}
	if i < 0 || f.text[i] != '-' {
		return 0, fmt.Errorf("line %d: cannot find the dash of this list item", item.Line+1)
	}
	return i, nil
}
