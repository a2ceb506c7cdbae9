package site

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/council/register/templates"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

var templateSum = sync.OnceValue(func() []byte {
	h := sha256.New()
	fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := fs.ReadFile(templates.FS, p)
		fmt.Fprintf(h, "%s %d\n", p, len(data))
		h.Write(data)
		return nil
	})
	return []byte(hex.EncodeToString(h.Sum(nil)))
})

// parseTemplates reads every templates/html/*.tmpl into one set: pages
// are executed by the name of their {{define}}.
func parseTemplates(loc *time.Location) (*template.Template, error) {
	var t *template.Template
	fm := funcs(loc)
	// chrome executes a part of the layout that depends only on where
	// the page is (Root, Section) and for whom (Site) once per such
	// place, and keeps it: the header, navigation and footer were a
	// quarter of rendering every page afresh.
	type place struct {
		name, root, section string
		site                *SiteInfo
	}
	var kept sync.Map
	fm["chrome"] = func(name string, d PageData) (template.HTML, error) {
		k := place{name, d.Root, d.Section, d.Site}
		if h, ok := kept.Load(k); ok {
			return h.(template.HTML), nil
		}
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, name, d); err != nil {
			return "", err
		}
		h, _ := kept.LoadOrStore(k, template.HTML(buf.String()))
		return h.(template.HTML), nil
	}
	t = template.New("").Funcs(fm)
	return t.ParseFS(templates.FS, "html/*.tmpl")
}

func funcs(loc *time.Location) template.FuncMap {
	return template.FuncMap{
		"time": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format("2 Jan 2006 15:04 MST")
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format("2 Jan 2006")
		},
		"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"join": func(sep string, v any) string {
			switch v := v.(type) {
			case []string:
				return strings.Join(v, sep)
			default:
				return fmt.Sprint(v)
			}
		},
		"yesno": func(b bool) string {
			if b {
				return "Yes"
			}
			return "No"
		},
		"human": humanise,
		"short": func(s string) string {
			if len(s) > 10 {
				return s[:10]
			}
			return s
		},
		"bytes": func(n int64) string {
			switch {
			case n >= 1<<30:
				return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
			case n >= 1<<20:
				return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
			case n >= 1<<10:
				return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
			}
			return fmt.Sprintf("%d bytes", n)
		},
		"tag": statusTag,
		"csp": func() string { return ContentSecurityPolicy },
	}
}

// humanise turns a vocabulary word into words: "theft-or-loss" →
// "Theft or loss".
func humanise(s string) string {
	s = strings.NewReplacer("-", " ", "_", " ").Replace(s)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// statusTag gives the GOV.UK tag colour class of a status.
func statusTag(status string) string {
	switch status {
	case "reported":
		return "govuk-tag--red"
	case "triaged":
		return "govuk-tag--orange"
	case "investigating":
		return "govuk-tag--yellow"
	case "resolved":
		return "govuk-tag--blue"
	case "reviewed":
		return "govuk-tag--purple"
	case "closed":
		return "govuk-tag--grey"
	}
	return "govuk-tag--grey"
}

// newMarkdown returns the narrative renderer: CommonMark with tables and
// strikethrough, raw HTML left out (html.WithUnsafe is not set, so
// goldmark writes "<!-- raw HTML omitted -->" and drops dangerous link
// destinations such as javascript:), and images shown as links, so no
// page loads anything from elsewhere.
func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(headingShift{}, 100))),
		goldmark.WithRendererOptions(
			html.WithXHTML(),
			renderer.WithNodeRenderers(util.Prioritized(imageAsLink{}, 100)),
		),
	)
}

// headingShift moves the narrative's headings two levels down: the page
// has its h1 and the narrative sits under an h2.
type headingShift struct{}

func (headingShift) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			h.Level = min(h.Level+2, 6)
		}
		return ast.WalkContinue, nil
	})
}

// imageAsLink renders an image as a link to it, labelled with its
// description.
type imageAsLink struct{}

func (imageAsLink) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(ast.KindImage, func(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		img := n.(*ast.Image)
		w.WriteString("<a href=\"")
		if !html.IsDangerousURL(img.Destination) {
			w.Write(util.EscapeHTML(util.URLEscape(img.Destination, true)))
		}
		w.WriteString("\">image: ")
		var alt []byte
		ast.Walk(img, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
			if t, ok := c.(*ast.Text); ok && entering {
				alt = append(alt, t.Segment.Value(source)...)
			}
			return ast.WalkContinue, nil
		})
		w.Write(util.EscapeHTML(alt))
		w.WriteString("</a>")
		return ast.WalkSkipChildren, nil
	})
}

// markdown renders a narrative. The result is the only incident text
// the site turns into template.HTML: goldmark escapes text and omits raw
// HTML.
func (b *builder) markdown(src []byte) template.HTML {
	// goldmark writes through a buffered writer of its own unless it is
	// given one (which it flushes): a pooled one saves making 4 KB a
	// narrative.
	m := mdBuffers.Get().(*mdBuffer)
	defer mdBuffers.Put(m)
	m.buf.Reset()
	m.w.Reset(&m.buf)
	if err := b.md.Convert(src, m.w); err != nil {
		return template.HTML(template.HTMLEscapeString(string(src)))
	}
	return template.HTML(m.buf.String())
}

// An mdBuffer is where a narrative's HTML is rendered.
type mdBuffer struct {
	buf bytes.Buffer
	w   *bufio.Writer
}

var mdBuffers = sync.Pool{New: func() any { m := &mdBuffer{}; m.w = bufio.NewWriter(&m.buf); return m }}

// execute renders a template by name. It renders into a pooled buffer
// and returns an exact copy: growing a fresh buffer page after page was
// a third of everything a build allocated.
func (b *builder) execute(name string, data any) ([]byte, error) {
	var out []byte
	err := b.executeTo(name, data, func(page []byte) error {
		out = bytes.Clone(page)
		return nil
	})
	return out, err
}

// executeTo renders the template into a pooled buffer and hands the
// bytes to use, which must not keep them.
func (b *builder) executeTo(name string, data any, use func([]byte) error) error {
	buf := buffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 { // keep no outsized buffer alive: a few pages are megabytes
			buf.Reset()
			buffers.Put(buf)
		}
	}()
	if err := b.tmpl.ExecuteTemplate(buf, name, data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return use(buf.Bytes())
}

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
