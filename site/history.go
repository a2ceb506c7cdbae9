package site

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/council/register/register/report"
)

// histSum is what a build reads of every case's history: the sum of its
// events (part of its page's key), when it last changed, when it was
// last resolved, and when it first entered each state (see
// historyTimeline). Only the case's own page reads the events.
type histSum struct {
	evs      []Event // what it was worked out from, when given as events
	sum      string  // "" for a case without events
	last     time.Time
	resolved time.Time
	entered  []report.Entry
}

// summariseEvents works out a case's histSum from its events.
func summariseEvents(evs []Event) histSum {
	if len(evs) == 0 {
		return histSum{}
	}
	h := histSum{evs: evs, sum: sumEvents(evs), last: evs[len(evs)-1].Time, entered: entered(evs)}
	for i := len(evs) - 1; i >= 0; i-- {
		if strings.HasSuffix(evs[i].Transition, "-> resolved") {
			h.resolved = evs[i].Time
			break
		}
	}
	return h
}

// historySum returns a case's histSum: kept with the input when it was
// read back (see DecodeInput), the Builder's last build's for the same
// events (the same slice: a resident process keeps the history of HEAD,
// and events are never changed in place), else worked out.
func (b *builder) historySum(id string) histSum { return b.in.historySum(id, b.prevHist) }

func (in Input) historySum(id string, prev map[string]histSum) histSum {
	if k := in.kept; k != nil {
		if e := k.find(id); e != nil {
			return e.histSum
		}
		return histSum{}
	}
	evs := in.History[id]
	if h, ok := prev[id]; ok && h.of(evs) {
		return h
	}
	return summariseEvents(evs)
}

// of reports whether h was worked out from evs: the same slice, as
// events are never changed in place.
func (h histSum) of(evs []Event) bool {
	return len(h.evs) == len(evs) && len(evs) > 0 && &h.evs[0] == &evs[0]
}

// sumEvents sums the events a case page shows.
func sumEvents(evs []Event) string {
	h := sha256.New()
	var line []byte
	str := func(s string) { line = append(binary.AppendUvarint(line, uint64(len(s))), s...) }
	for _, e := range evs {
		line = line[:0]
		str(e.Commit)
		line = binary.AppendVarint(line, e.Time.UnixNano())
		str(e.Author)
		str(e.AuthorName)
		str(e.Signature)
		str(e.Signer)
		str(e.Transition)
		line = binary.AppendUvarint(line, uint64(len(e.Fields)))
		for _, f := range e.Fields {
			str(f)
		}
		h.Write(line)
	}
	return string(h.Sum(nil))
}

// entered reads when a case first entered each state from its events,
// sorted by state.
func entered(events []Event) []report.Entry {
	var entered []report.Entry
	for _, e := range events {
		// "from -> to", or "-> to" for the commit that created the case.
		_, to, ok := strings.Cut(e.Transition, "->")
		if to = strings.TrimSpace(to); !ok || to == "" {
			continue
		}
		entered = report.Enter(entered, to, e.Time)
	}
	slices.SortFunc(entered, func(a, b report.Entry) int { return strings.Compare(a.State, b.State) })
	return entered
}

// Events returns a case's commits, oldest first, or nil.
func (in Input) Events(id string) []Event {
	if k := in.kept; k != nil {
		return k.events(id)
	}
	return in.History[id]
}

// hasHistory reports whether the input has the history (of no case,
// perhaps), as against none (HistoryNote says why).
func (in Input) hasHistory() bool { return in.History != nil || in.kept != nil }

// caseIDs lists the ids of the cases with a history, sorted.
func (in Input) caseIDs() []string {
	if k := in.kept; k != nil {
		return slices.Clone(k.ids)
	}
	return sortedKeys(in.History)
}

// keptHistory is the history of an input read back by DecodeInput: each
// case's histSum ready, its events left encoded until a page shows them.
// A rebuild after one edit so decodes the events of one case, not of
// thirty thousand commits.
type keptHistory struct {
	strs  stringTable
	ids   []string // sorted
	cases []keptEvents
}

type keptEvents struct {
	histSum
	enc     []byte // the events, as EncodeInput wrote them (checked by DecodeInput)
	once    sync.Once
	decoded []Event
}

// find returns the case's entry, or nil.
func (k *keptHistory) find(id string) *keptEvents {
	if i, ok := slices.BinarySearch(k.ids, id); ok {
		return &k.cases[i]
	}
	return nil
}

func (k *keptHistory) events(id string) []Event {
	e := k.find(id)
	if e == nil {
		return nil
	}
	e.once.Do(func() { e.decoded = readEvents(&fields{b: e.enc}, k.strs, true) })
	return e.decoded
}
