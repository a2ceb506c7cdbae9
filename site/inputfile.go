package site

import (
	"encoding/binary"
	"errors"
	"sync"
	"time"

	"github.com/council/register/register/report"
)

// What a build gathers from the history (Input's History, HistoryNote
// and Audit) is kept between builds at one commit, so a rebuild after an
// edit reads it instead of auditing the history again. Its form is
//
//	"register site input\n" inputVersion "\n"
//	the key (what the input was gathered at), a uvarint-length string
//	a record: the strings the events share, the note, the audit, and
//	  each case's id, histSum (the sum of its events, when it last
//	  changed and was last resolved, when it entered each state) and
//	  events, their strings by number in the shared list
//	CRC-32C (Castagnoli) of everything before it, 4 bytes big-endian
//
// A build reads every case's histSum and the events of the cases whose
// pages it renders: DecodeInput checks the whole file but decodes each
// case's events only when asked (see keptHistory).
const inputVersion = "site-input-4"

func inputMagic() string { return "register site input\n" + inputVersion + "\n" }

// EncodeInput returns the kept form of in's history, audit and note,
// under key.
func EncodeInput(key string, in Input) []byte {
	var strs stringList
	var body, evs record
	body.bytes([]byte(in.HistoryNote))
	if a := in.Audit; a != nil {
		body.uint(1)
		body.bytes([]byte(a.Head))
		body.uint(uint64(a.Commits))
		body.uint(uint64(a.Signed))
		body.uint(uint64(a.Verified))
		body.uint(uint64(len(a.Findings)))
		for _, f := range a.Findings {
			body.bytes([]byte(f))
		}
		body.time(a.Checked)
	} else {
		body.uint(0)
	}
	if !in.hasHistory() {
		body.uint(0)
	} else {
		ids := in.caseIDs()
		body.uint(uint64(len(ids)) + 1)
		for _, id := range ids {
			events := in.Events(id)
			h := summariseEvents(events)
			body.bytes([]byte(id))
			body.bytes([]byte(h.sum))
			body.time(h.last)
			body.time(h.resolved)
			body.uint(uint64(len(h.entered)))
			for _, e := range h.entered {
				body.uint(strs.num(e.State))
				body.time(e.At)
			}
			evs.b = evs.b[:0]
			evs.uint(uint64(len(events)))
			for _, e := range events {
				evs.bytes([]byte(e.Commit))
				evs.time(e.Time)
				for _, s := range []string{e.Author, e.AuthorName, e.Signature, e.Signer, e.Transition} {
					evs.uint(strs.num(s))
				}
				evs.uint(uint64(len(e.Fields)))
				for _, f := range e.Fields {
					evs.uint(strs.num(f))
				}
			}
			body.bytes(evs.b)
		}
	}
	var out record
	out.b = append(out.b, inputMagic()...)
	out.bytes([]byte(key))
	strs.writeTo(&out)
	out.b = append(out.b, body.b...)
	return sealed(out.b)
}

// InputKey returns the key data was encoded under, or an error if data
// is not kept input of this build. It reads the key only: DecodeInput
// checks the whole.
func InputKey(data []byte) (string, error) {
	r, err := magicFields(data, inputMagic())
	if err != nil {
		return "", err
	}
	key := r.str()
	return key, r.err
}

// DecodeInput decodes what EncodeInput encoded. Any damage is an error,
// never a partial input. The Input holds data's bytes (its events are
// decoded from them case by case: read them with Input.Events).
func DecodeInput(data []byte) (Input, error) {
	r, err := inputFields(data)
	if err != nil {
		return Input{}, err
	}
	r.str() // the key
	strs := readStrings(r)
	str := func() string { return strs.at(r) }
	var in Input
	in.HistoryNote = r.str()
	if r.uint() == 1 {
		a := &AuditStatus{Head: r.str(), Commits: int(r.uint()), Signed: int(r.uint()), Verified: int(r.uint())}
		if n := r.uint(); n <= uint64(len(r.b)) {
			for range n {
				a.Findings = append(a.Findings, r.str())
			}
		} else {
			r.fail()
		}
		a.Checked = r.time()
		in.Audit = a
	}
	if cases := r.uint(); cases > 0 && cases <= uint64(len(r.b))+1 {
		// Cases are kept sorted by id and found by binary search: no
		// map of ten thousand ids is built.
		k := &keptHistory{strs: strs, ids: make([]string, cases-1), cases: make([]keptEvents, cases-1)}
		for i := range k.cases {
			id := r.str()
			if i > 0 && id <= k.ids[i-1] {
				r.fail()
			}
			e := &k.cases[i]
			e.histSum = histSum{sum: r.str(), last: r.time(), resolved: r.time()}
			if n := r.uint(); n > uint64(len(r.b)) {
				r.fail()
			} else if n > 0 {
				e.entered = make([]report.Entry, n)
				for j := range e.entered {
					e.entered[j] = report.Entry{State: str(), At: r.time()}
				}
			}
			e.enc = r.view()
			// Checked now, so that decoding them later cannot fail.
			ev := &fields{b: e.enc}
			if readEvents(ev, strs, false); ev.err != nil || len(ev.b) != 0 {
				r.fail()
			}
			if r.err != nil {
				break
			}
			k.ids[i] = id
		}
		in.kept = k
	} else if cases > 0 {
		r.fail()
	}
	if r.err != nil {
		return Input{}, r.err
	}
	if len(r.b) != 0 {
		return Input{}, errors.New("trailing bytes")
	}
	return in, nil
}

// readEvents reads the events EncodeInput wrote for a case; with keep
// unset it only checks them, keeping nothing. Damage leaves r.err set.
func readEvents(r *fields, strs stringTable, keep bool) []Event {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	var evs []Event
	if keep {
		evs = make([]Event, n)
	}
	var e Event
	for i := range n {
		if keep {
			e.Commit = r.str()
		} else {
			r.view()
		}
		e.Time = r.time()
		e.Author, e.AuthorName, e.Signature, e.Signer, e.Transition = strs.at(r), strs.at(r), strs.at(r), strs.at(r), strs.at(r)
		e.Fields = nil
		if k := r.uint(); k > 0 && k <= uint64(len(r.b)) {
			if keep {
				e.Fields = make([]string, k)
			}
			for j := range k {
				if f := strs.at(r); keep {
					e.Fields[j] = f
				}
			}
		} else if k > 0 {
			r.fail()
		}
		if r.err != nil {
			return nil
		}
		if keep {
			evs[i] = e
		}
	}
	return evs
}

// inputFields checks data's magic line and checksum and returns its
// fields after the magic line.
func inputFields(data []byte) (*fields, error) {
	return checkedFields(data, inputMagic())
}

// time writes a time: its instant and its zone's offset (the zone's name
// is not kept; pages show times in the register's own zone).
func (r *record) time(t time.Time) {
	switch _, off := t.Zone(); {
	case t.IsZero():
		r.uint(0)
		return
	case t.Location() == time.UTC:
		r.uint(1)
	default:
		r.uint(2)
		r.b = binary.AppendVarint(r.b, int64(off))
	}
	r.b = binary.AppendVarint(r.b, t.Unix())
	r.uint(uint64(t.Nanosecond()))
}

func (f *fields) time() time.Time {
	kind := f.uint()
	if kind == 0 {
		return time.Time{}
	}
	loc := time.UTC
	if kind == 2 {
		off := f.int()
		if off < -24*3600 || off > 24*3600 {
			f.fail()
			return time.Time{}
		}
		loc = zone(int(off))
	} else if kind != 1 {
		f.fail()
		return time.Time{}
	}
	sec, nsec := f.int(), f.uint()
	if nsec >= 1e9 {
		f.fail()
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).In(loc)
}

// zones holds one location per offset: tens of thousands of events were
// each given a zone of their own.
var zones sync.Map

func zone(off int) *time.Location {
	if l, ok := zones.Load(off); ok {
		return l.(*time.Location)
	}
	l, _ := zones.LoadOrStore(off, time.FixedZone("", off))
	return l.(*time.Location)
}
