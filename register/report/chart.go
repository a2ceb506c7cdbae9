package report

import (
	"fmt"
	"math"
)

// A Chart is a horizontal bar chart laid out for the SVG template
// templates/report/chart.svg.tmpl: every coordinate is computed here, so
// the template only places elements and the stylesheet only colours them.
type Chart struct {
	ID     string // unique in the page; prefixes the title and desc ids
	Title  string
	Desc   string // a text alternative summarising the figures
	Unit   string // what the bars count, for the table's heading
	Width  int
	Height int
	Bars   []Bar
	// LabelX is the right edge of the labels, BarX the left of the bars.
	LabelX, BarX, BarHeight int
	// Empty is set when every bar is zero.
	Empty bool
	// File, when set, is where a page finds the chart as an SVG file of
	// its own (see ReportBody); the chart is then not drawn inline.
	File string
}

// Bar is one row of a chart.
type Bar struct {
	Label  string
	N      int
	Y      int // top of the row
	BarY   int
	Width  int // of the bar
	TextY  int // baseline of the label and value
	ValueX int
}

// Chart geometry, in SVG user units.
const (
	chartLabelX = 196 // right edge of the labels
	chartBarX   = 204
	chartBarMax = 300
	chartRow    = 24
	chartBar    = 16
	chartPad    = 8
	chartWidth  = chartBarX + chartBarMax + 56
)

// NewChart lays out counts as a bar chart.
func NewChart(id, title, unit string, counts []Count) Chart {
	c := Chart{ID: id, Title: title, Unit: unit, Width: chartWidth, Height: 2*chartPad + len(counts)*chartRow,
		LabelX: chartLabelX, BarX: chartBarX, BarHeight: chartBar}
	most := 0
	for _, n := range counts {
		most = max(most, n.N)
	}
	c.Empty = most == 0
	desc := ""
	for i, n := range counts {
		y := chartPad + i*chartRow
		b := Bar{Label: n.Label, N: n.N, Y: y, BarY: y + (chartRow-chartBar)/2, TextY: y + chartRow/2 + 5}
		if most > 0 {
			b.Width = int(math.Round(float64(n.N) * chartBarMax / float64(most)))
		}
		b.ValueX = chartBarX + b.Width + 6
		c.Bars = append(c.Bars, b)
		if i > 0 {
			desc += "; "
		}
		desc += fmt.Sprintf("%s %d", n.Label, n.N)
	}
	if c.Empty {
		c.Desc = fmt.Sprintf("%s: none in this period.", title)
	} else {
		c.Desc = fmt.Sprintf("%s (%s): %s.", title, unit, desc)
	}
	return c
}
