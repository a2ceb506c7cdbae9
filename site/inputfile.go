package site

import (
	"encoding/binary"
	"errors"
	"sync"
	"time"
)

// What a build gathers from the history (Input's History, HistoryNote
// and Audit) is kept between builds at one commit, so a rebuild after an
// edit reads it instead of auditing the history again. Its form is
//
//	"register site input\n" inputVersion "\n"
//	the key (what the input was gathered at), a uvarint-length string
//	a record: the strings the events share, the note, the audit, and
//	  each case's events, their strings by number in the shared list
//	CRC-32C (Castagnoli) of everything before it, 4 bytes big-endian
//
// Decoding it costs a tenth of what gob did: tens of thousands of events
// name a few people, verdicts and fields, each written once.
const inputVersion = "site-input-3"

func inputMagic() string { return "register site input\n" + inputVersion + "\n" }

// EncodeInput returns the kept form of in's history, audit and note,
// under key.
func EncodeInput(key string, in Input) []byte {
	var strs stringList
	var body record
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
	if in.History == nil {
		body.uint(0)
	} else {
		body.uint(uint64(len(in.History)) + 1)
		for _, id := range sortedKeys(in.History) {
			evs := in.History[id]
			body.bytes([]byte(id))
			body.uint(uint64(len(evs)))
			for _, e := range evs {
				body.bytes([]byte(e.Commit))
				body.time(e.Time)
				for _, s := range []string{e.Author, e.AuthorName, e.Signature, e.Signer, e.Transition} {
					body.uint(strs.num(s))
				}
				body.uint(uint64(len(e.Fields)))
				for _, f := range e.Fields {
					body.uint(strs.num(f))
				}
			}
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
// is not kept input of this build.
func InputKey(data []byte) (string, error) {
	r, err := inputFields(data)
	if err != nil {
		return "", err
	}
	key := r.str()
	return key, r.err
}

// DecodeInput decodes what EncodeInput encoded. Any damage is an error,
// never a partial input.
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
		in.History = make(map[string][]Event, cases-1)
		for range cases - 1 {
			id := r.str()
			n := r.uint()
			if n > uint64(len(r.b)) {
				r.fail()
				break
			}
			evs := make([]Event, n)
			for i := range evs {
				e := &evs[i]
				e.Commit = r.str()
				e.Time = r.time()
				e.Author, e.AuthorName, e.Signature, e.Signer, e.Transition = str(), str(), str(), str(), str()
				if k := r.uint(); k > 0 && k <= uint64(len(r.b)) {
					e.Fields = make([]string, k)
					for j := range e.Fields {
						e.Fields[j] = str()
					}
				} else if k > 0 {
					r.fail()
				}
			}
			in.History[id] = evs
		}
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
