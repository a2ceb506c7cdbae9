package site

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/council/register/register"
)

// Case is a case as the site holds it: the parsed front matter and the
// content hash that keys the build cache.
//
// A case taken from the build cache holds only its summary (see
// summary): the fields the register's own pages read of every case.
// Whole returns the case whole, for a page that shows more of it. A
// rebuild after one edit so decodes ten thousand summaries, not ten
// thousand cases.
type Case struct {
	*register.Case
	// Sum is the SHA-256 of the case file.
	Sum string

	frag *fragments
	// cached marks a case taken from the build cache.
	cached bool
	// n is the case's place in the register's cases, sorted by id.
	n int
	// updated is when the case last changed as its file tells: the
	// latest of reported_at and its updates' times.
	updated time.Time
	// entry, for a case holding its summary, is the cache entry Whole
	// decodes the case from.
	entry     *cachedCase
	wholeOnce sync.Once
	whole     *register.Case
	wholeErr  error
	recOnce   sync.Once
	rec       []byte // see summaryRecord
}

// summaryRecord returns the case's summary as the build cache keeps it
// (see encodeSummary): a page that reads only the summaries of its
// cases, and not their files, is keyed by these.
func (c *Case) summaryRecord() []byte {
	if c.entry != nil {
		return c.entry.Summary
	}
	c.recOnce.Do(func() { c.rec = encodeSummary(c.Case) })
	return c.rec
}

// Whole returns the case whole, narrative included: the case itself, or
// for a case taken from the build cache the case decoded from it.
func (c *Case) Whole() (*register.Case, error) {
	if c.entry == nil {
		return c.Case, nil
	}
	c.wholeOnce.Do(func() {
		rc, err := c.entry.value()
		if err != nil {
			c.wholeErr = fmt.Errorf("%s: the build cache's copy of this case cannot be read (%v): delete the build cache (.git/register/site, or .NAME.cache beside the site's folder NAME) and build again", c.Path, err)
			return
		}
		rc.Path = c.Path
		c.whole = &rc
	})
	return c.whole, c.wholeErr
}

// summary is what a build holds of a case taken from the build cache
// (see Case): the fields the register's own pages read of every case —
// its lists, counts, dashboard, feed and report, who may see it, and the
// keys of its pages — and nothing else. A page that shows more of a case
// (its own, the breach record) asks for it whole; TestRebuildDemo
// compares every page of rebuilds with those of builds from nothing.
// encodeSummary and decodeSummary keep exactly these fields.
func summary(c *register.Case) register.Case {
	s := register.Case{ID: c.ID, Title: c.Title, Status: c.Status, ReportedAt: c.ReportedAt, Category: c.Category,
		Types: c.Types, Impact: c.Impact, PersonalData: c.PersonalData, Audiences: c.Audiences}
	if i := c.ICO; i != nil {
		s.ICO = &register.ICO{Decision: i.Decision, NotifiedAt: i.NotifiedAt, Reason: i.Reason, LateReason: i.LateReason}
	}
	if r := c.Review; r != nil {
		s.Review = &register.Review{Minutes: r.Minutes}
	}
	if c.Breach != nil {
		s.Breach = &register.Breach{} // that there is one: its details are the case page's and the record's
	}
	return s
}

// encodeSummary returns the cache's form of a case's summary (see
// summary; it reads only those fields, so the case may be whole): its
// fields one after the other (strings, times, lists as a count plus one, 0 for
// none; a part that may be absent as 1 or 0 first).
func encodeSummary(c *register.Case) []byte {
	var r record
	str := func(s string) { r.bytes([]byte(s)) }
	list := func(l []string, none bool) {
		if none {
			r.uint(0)
			return
		}
		r.uint(uint64(len(l)) + 1)
		for _, s := range l {
			str(s)
		}
	}
	str(c.ID)
	str(c.Title)
	str(c.Status)
	r.time(c.ReportedAt.Time)
	str(string(c.Category))
	list(strs(c.Types), c.Types == nil)
	list(strs(c.Impact), c.Impact == nil)
	list(c.Audiences, c.Audiences == nil)
	r.uint(uint64(mark(c.PersonalData) - '0'))
	if i := c.ICO; i != nil {
		r.uint(1)
		str(string(i.Decision))
		if i.NotifiedAt != nil {
			r.uint(1)
			r.time(i.NotifiedAt.Time)
		} else {
			r.uint(0)
		}
		str(i.Reason)
		str(i.LateReason)
	} else {
		r.uint(0)
	}
	if rv := c.Review; rv != nil {
		r.uint(1)
		str(rv.Minutes)
	} else {
		r.uint(0)
	}
	r.uint(uint64(mark(c.Breach != nil) - '0'))
	return r.b
}

// decodeSummary decodes what encodeSummary encoded, every string a piece
// of one copy of data.
func decodeSummary(data []byte) (*register.Case, error) {
	text := string(data)
	f := &fields{b: data}
	str := func() string { return f.piece(text) }
	list := func() []string {
		n := f.uint()
		if n == 0 || n > uint64(len(f.b))+1 {
			if n != 0 {
				f.fail()
			}
			return nil
		}
		l := make([]string, n-1)
		for i := range l {
			l[i] = str()
		}
		return l
	}
	c := &register.Case{ID: str(), Title: str(), Status: str()}
	c.ReportedAt.Time = f.time()
	c.Category = register.Category(str())
	if l := list(); l != nil {
		c.Types = make([]register.Type, len(l))
		for i, s := range l {
			c.Types[i] = register.Type(s)
		}
	}
	if l := list(); l != nil {
		c.Impact = make([]register.Impact, len(l))
		for i, s := range l {
			c.Impact[i] = register.Impact(s)
		}
	}
	c.Audiences = list()
	c.PersonalData = f.uint() == 1
	if f.uint() == 1 {
		c.ICO = &register.ICO{Decision: register.Decision(str())}
		if f.uint() == 1 {
			c.ICO.NotifiedAt = &register.Time{Time: f.time()}
		}
		c.ICO.Reason, c.ICO.LateReason = str(), str()
	}
	if f.uint() == 1 {
		c.Review = &register.Review{Minutes: str()}
	}
	if f.uint() == 1 {
		c.Breach = &register.Breach{}
	}
	if f.err != nil {
		return nil, f.err
	}
	if len(f.b) != 0 {
		return nil, errors.New("trailing bytes")
	}
	return c, nil
}

// fileUpdated is when a case last changed as its file tells.
func fileUpdated(c *register.Case) time.Time {
	u := c.ReportedAt.Time
	for _, x := range c.Updates {
		if x.At.After(u) {
			u = x.At.Time
		}
	}
	return u
}
