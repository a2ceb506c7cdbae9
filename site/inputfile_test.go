package site

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func testInput() Input {
	bst := time.FixedZone("BST", 3600)
	return Input{
		HistoryNote: "",
		Audit: &AuditStatus{Head: "0123456789abcdef0123456789abcdef01234567", Commits: 3, Signed: 2, Verified: 1,
			Findings: []string{"abc1234: commit is not signed"}, Checked: time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)},
		History: map[string][]Event{
			"INC-2026-0001": {
				{Commit: "aaaa", Time: time.Date(2026, 3, 4, 10, 0, 0, 5, bst), Author: "alice", AuthorName: "Alice Analyst",
					Signature: "good", Signer: "alice", Transition: "-> reported", Fields: []string{"status", "title"}},
				{Commit: "bbbb", Time: time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC), Author: "bob@example.org",
					Signature: "unsigned", Transition: "reported -> resolved", Fields: []string{"status"}},
				{Commit: "dddd", Time: time.Date(2026, 3, 6, 9, 0, 0, 0, time.UTC), Author: "alice", Signature: "good"},
			},
			"INC-2026-0002": {{Commit: "cccc", Author: "alice", AuthorName: "Alice Analyst", Signature: "good"}},
			"INC-2026-0003": {},
		},
	}
}

// sameInput compares inputs, times by instant and offset (the zone's
// name is not kept).
func sameInput(t *testing.T, got, want Input) {
	t.Helper()
	same := func(a, b time.Time) bool {
		_, ao := a.Zone()
		_, bo := b.Zone()
		return a.Equal(b) && ao == bo && a.IsZero() == b.IsZero()
	}
	if (got.Audit == nil) != (want.Audit == nil) || got.HistoryNote != want.HistoryNote || got.hasHistory() != want.hasHistory() || !slices.Equal(got.caseIDs(), want.caseIDs()) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if want.Audit != nil {
		g, w := *got.Audit, *want.Audit
		if !same(g.Checked, w.Checked) {
			t.Errorf("audit checked %v, want %v", g.Checked, w.Checked)
		}
		g.Checked, w.Checked = time.Time{}, time.Time{}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("audit %+v, want %+v", g, w)
		}
	}
	for _, id := range want.caseIDs() {
		evs, gevs := want.Events(id), got.Events(id)
		h, g := summariseEvents(evs), got.historySum(id, nil)
		if h.sum != g.sum || !same(h.last, g.last) || !same(h.resolved, g.resolved) || len(h.entered) != len(g.entered) {
			t.Errorf("%s: kept %+v, want %+v", id, g, h)
		}
		for i, e := range h.entered {
			if g.entered[i].State != e.State || !same(g.entered[i].At, e.At) {
				t.Errorf("%s entered %v, want %v", id, g.entered[i], e)
			}
		}
		if len(gevs) != len(evs) {
			t.Fatalf("%s: %d events, want %d", id, len(gevs), len(evs))
		}
		for i := range evs {
			g, w := gevs[i], evs[i]
			if !same(g.Time, w.Time) {
				t.Errorf("%s event %d: time %v, want %v", id, i, g.Time, w.Time)
			}
			g.Time, w.Time = time.Time{}, time.Time{}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("%s event %d: %+v, want %+v", id, i, g, w)
			}
		}
	}
}

func TestInputRoundTrip(t *testing.T) {
	for name, in := range map[string]Input{
		"history": testInput(),
		"none":    {HistoryNote: "not a Git repository"},
	} {
		t.Run(name, func(t *testing.T) {
			data := EncodeInput("head main build", in)
			if k, err := InputKey(data); err != nil || k != "head main build" {
				t.Fatalf("key %q, %v", k, err)
			}
			got, err := DecodeInput(data)
			if err != nil {
				t.Fatal(err)
			}
			sameInput(t, got, in)
		})
	}
}

// TestInputDamaged: any cut or changed byte is refused, never decoded
// into a partial or wrong input. (InputKey reads only the key: a damaged
// file whose key reads right is refused when decoded.)
func TestInputDamaged(t *testing.T) {
	refusesDamage(t, EncodeInput("key", testInput()), func(b []byte) error {
		_, err := DecodeInput(b)
		return err
	})
	if _, err := InputKey([]byte("register site input\nsite-input-0\n\x03key")); err == nil {
		t.Error("InputKey read the key of another version's file")
	}
}

// refusesDamage checks that decode refuses data cut anywhere or with any
// byte changed.
func refusesDamage(t *testing.T, data []byte, decode func([]byte) error) {
	t.Helper()
	for n := range len(data) {
		if decode(data[:n]) == nil {
			t.Fatalf("cut to %d bytes: decoded", n)
		}
	}
	for i := range data {
		bad := append([]byte(nil), data...)
		bad[i] ^= 0x20
		if decode(bad) == nil {
			t.Fatalf("byte %d changed: decoded", i)
		}
	}
}

func BenchmarkDecodeInput(b *testing.B) {
	in := Input{Audit: &AuditStatus{}, History: map[string][]Event{}}
	base := testInput().History["INC-2026-0001"]
	for i := range 10000 {
		id := "INC-" + time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC).Format("150405")
		in.History[id] = append(in.History[id], base...)
	}
	data := EncodeInput("k", in)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := DecodeInput(data); err != nil {
			b.Fatal(err)
		}
	}
}
