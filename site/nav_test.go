package site

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// navSections names the navigation entry that is current on the pages
// under each top folder of a tree ("" for none: the accessibility
// statement is linked from the footer only).
var navSections = map[string]string{
	"index.html":    "Dashboard",
	"register":      "Register",
	"cases":         "Register",
	"minutes":       "Minutes",
	"search":        "Search",
	"audit":         "Audit",
	"actions":       "Actions",
	"report":        "Report",
	"breaches":      "Breaches",
	"accessibility": "",
}

// TestNavCurrent checks every page of every tree, with ITPARG's pages
// too: the navigation entry of the page's section, and only it, is
// marked active and carries aria-current="page". Every entry is current
// somewhere, so a page type that loses its mark fails.
func TestNavCurrent(t *testing.T) {
	out := build(t, "testdata/reg", Input{History: fixtureHistory()}, itpargOptions())
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	current := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		tree := filepath.Join(out, e.Name())
		for _, f := range files(t, tree) {
			if !strings.HasSuffix(f, ".html") {
				continue
			}
			top, _, _ := strings.Cut(f, "/")
			want, ok := navSections[top]
			if !ok {
				t.Errorf("%s/%s: a page under %q, which the test does not know: add it to navSections", e.Name(), f, top)
				continue
			}
			data, err := os.ReadFile(filepath.Join(tree, f))
			if err != nil {
				t.Fatal(err)
			}
			items := navItems(t, data)
			if len(items) == 0 {
				t.Errorf("%s/%s: no site navigation", e.Name(), f)
				continue
			}
			var active []string
			for _, it := range items {
				if it.active != it.current {
					t.Errorf("%s/%s: navigation entry %q: active class %v but aria-current %v", e.Name(), f, it.title, it.active, it.current)
				}
				if it.active || it.current {
					active = append(active, it.title)
				}
			}
			switch {
			case want == "" && len(active) > 0:
				t.Errorf("%s/%s: entries %q are current, want none", e.Name(), f, active)
			case want != "" && !slices.Equal(active, []string{want}):
				t.Errorf("%s/%s: entries %q are current, want %q", e.Name(), f, active, want)
			}
			if want != "" {
				current[want] = true
			}
		}
	}
	for _, want := range navSections {
		if want != "" && !current[want] {
			t.Errorf("no page has %q as its current navigation entry", want)
		}
	}
}

type navItem struct {
	title           string
	active, current bool
}

// navItems reads the entries of a page's site navigation.
func navItems(t *testing.T, page []byte) []navItem {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var items []navItem
	var walk func(n *html.Node, inNav bool)
	walk = func(n *html.Node, inNav bool) {
		if n.Type == html.ElementNode {
			if n.Data == "nav" && attr(n, "aria-label") == "Site" {
				inNav = true
			}
			if inNav && n.Data == "li" {
				it := navItem{active: slices.Contains(strings.Fields(attr(n, "class")), "govuk-service-navigation__item--active")}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.ElementNode && c.Data == "a" {
						it.title = textOf(c)
						it.current = attr(c, "aria-current") == "page"
					}
				}
				items = append(items, it)
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inNav)
		}
	}
	walk(doc, false)
	return items
}

// textOf is the text content of a node.
func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}
