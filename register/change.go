package register

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// This file judges one change of a case: an old version against a new
// one, as a commit makes it. It is pure (no Git): the history package
// finds the versions and the author, and locates the findings in commits.

// Rules of a change, as named in findings.
const (
	RuleTransition = "transition"
	RuleRole       = "role"
	RuleNewCase    = "new-case"
	RuleDeleted    = "deleted"
	RuleID         = "id"
	RuleCategory   = "§7.10"
	RuleEvidence   = "evidence"
)

// A CaseChange is one commit's edit of one case file. Old is nil when the
// commit creates the case, New is nil when it deletes it.
type CaseChange struct {
	Old, New *Case
	// Author is the person who made the change, nil when the commit's
	// author is not in people.yaml (reported once per commit elsewhere).
	Author *Person
}

// Judge returns what is wrong with the change under workflow w. Findings
// carry the new version's line where there is one, and no path.
func (ch CaseChange) Judge(w *Workflow) Findings {
	var out Findings
	line := func(field string) int {
		if ch.New != nil {
			return ch.New.Line(field)
		}
		return 0
	}
	add := func(field, rule, format string, args ...any) {
		out = append(out, errorf(line(field), rule, format, args...))
	}
	old, new := ch.Old, ch.New
	switch {
	case old == nil && new == nil:
		return nil
	case new == nil:
		add("", RuleDeleted, "case %s deleted; cases are never deleted", old.ID)
		return out
	case old == nil:
		if init := w.Initial(); new.Status != init {
			add("status", RuleNewCase, "new case starts in status %s, not the initial status %s", new.Status, init)
		}
		return out
	}
	if old.ID != new.ID {
		add("id", RuleID, "id changed from %s to %s; ids never change", old.ID, new.ID)
	}
	if old.Status != new.Status {
		t, ok := w.Transition(old.Status, new.Status)
		switch {
		case !ok:
			add("status", RuleTransition, "transition %s -> %s is not in the workflow", old.Status, new.Status)
		case ch.Author != nil && !w.MayMake(t, ch.Author, old):
			add("status", RuleRole, "transition %s may be made by %s; %s (%s) may not",
				t, strings.Join(t.Roles, ", "), ch.Author.ID, strings.Join(ch.Author.Roles, ", "))
		}
	}
	if old.Category != new.Category && old.Status != w.Initial() && old.Category != "" {
		switch {
		case ch.Author != nil && !ch.Author.HasRole(RoleITPARG):
			add("category", RuleCategory, "category changed from %s to %s after triage by %s; only itparg reclassifies (§7.10)",
				old.Category, new.Category, ch.Author.ID)
		case new.Review == nil || new.Review.ReclassifiedFrom != old.Category:
			add("category", RuleCategory, "category changed from %s to %s without recording review.reclassified_from: %s (§7.10)",
				old.Category, new.Category, old.Category)
		}
	}
	out = append(out, judgeEvidence(old, new, line)...)
	return out
}

// judgeEvidence enforces that evidence entries and their custody chains
// only grow.
func judgeEvidence(old, new *Case, line func(string) int) Findings {
	var out Findings
	byFile := map[string]int{}
	for i, e := range new.Evidence {
		byFile[e.File] = i
	}
	for _, o := range old.Evidence {
		i, ok := byFile[o.File]
		if !ok {
			out = append(out, errorf(line("evidence"), RuleEvidence,
				"evidence entry %s removed; evidence is append-only (§6.4)", o.File))
			continue
		}
		n := new.Evidence[i]
		field := fmt.Sprintf("evidence[%d]", i)
		for _, f := range []struct {
			name     string
			old, new any
		}{
			{"sha256", o.SHA256, n.SHA256},
			{"size", o.Size, n.Size},
			{"collected_by", o.CollectedBy, n.CollectedBy},
			{"collected_at", o.CollectedAt.UTC(), n.CollectedAt.UTC()},
			{"description", o.Description, n.Description},
		} {
			if f.old != f.new {
				out = append(out, errorf(line(field+"."+f.name), RuleEvidence,
					"evidence entry %s: %s changed; evidence entries never change (§6.4)", o.File, f.name))
			}
		}
		if len(n.Custody) < len(o.Custody) {
			out = append(out, errorf(line(field+".custody"), RuleEvidence,
				"evidence %s: custody entries removed; the chain of custody is append-only", o.File))
			continue
		}
		for j, k := range o.Custody {
			nk := n.Custody[j]
			if !k.At.Equal(nk.At.Time) || k.By != nk.By || k.Action != nk.Action || k.Reason != nk.Reason {
				out = append(out, errorf(line(fmt.Sprintf("%s.custody[%d]", field, j)), RuleEvidence,
					"evidence %s: custody entry %d changed; the chain of custody is append-only", o.File, j+1))
				break
			}
		}
	}
	return out
}

// Reencrypted returns the evidence files whose custody chain gains a
// re-encrypted entry from old to new: the only files whose ciphertext may
// change.
func Reencrypted(old, new *Case) []string {
	if old == nil || new == nil {
		return nil
	}
	before := map[string]int{}
	for _, e := range old.Evidence {
		before[e.File] = len(e.Custody)
	}
	var out []string
	for _, e := range new.Evidence {
		n, ok := before[e.File]
		if !ok {
			continue
		}
		for _, k := range e.Custody[min(n, len(e.Custody)):] {
			if k.Action == "re-encrypted" {
				out = append(out, e.File)
				break
			}
		}
	}
	return out
}

// A FieldChange is one front-matter field that differs between two
// versions of a case, with both values as text. Old is empty for a field
// that was added, New for one that was removed.
type FieldChange struct {
	Field    string `json:"field"`
	Old, New string
}

// Body is the pseudo-field name ChangedFields uses for the narrative.
const Body = "body"

type caseField struct {
	name  string
	index int
	sub   []caseField // fields of a struct pointer: ico, breach, review
}

var caseFields = sync.OnceValue(func() []caseField { return fieldsOf(reflect.TypeOf(Case{}), true) })

func fieldsOf(t reflect.Type, descend bool) []caseField {
	var out []caseField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		cf := caseField{name: tag, index: i}
		if descend && f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct && f.Type.Elem() != reflect.TypeOf(Time{}) {
			cf.sub = fieldsOf(f.Type.Elem(), false)
		}
		out = append(out, cf)
	}
	return out
}

// ChangedFields lists the fields of the case that differ between old and
// new, compared on their decoded values (so re-indenting or re-quoting a
// value is no change), in schema order; "ico.decision" style names for
// the fields of ico, breach and review; Body for the narrative. A nil
// version counts as all fields empty.
func ChangedFields(old, new *Case) []FieldChange {
	var ov, nv reflect.Value
	if old != nil {
		ov = reflect.ValueOf(old).Elem()
	}
	if new != nil {
		nv = reflect.ValueOf(new).Elem()
	}
	var out []FieldChange
	for _, f := range caseFields() {
		o, n := field(ov, f.index), field(nv, f.index)
		if f.sub == nil {
			out = appendChange(out, f.name, o, n)
			continue
		}
		o, n = deref(o), deref(n)
		for _, s := range f.sub {
			out = appendChange(out, f.name+"."+s.name, field(o, s.index), field(n, s.index))
		}
	}
	var ob, nb []byte
	if old != nil {
		ob = old.Body()
	}
	if new != nil {
		nb = new.Body()
	}
	if !bytes.Equal(bytes.TrimSpace(ob), bytes.TrimSpace(nb)) {
		out = append(out, FieldChange{Field: Body, Old: summary(ob), New: summary(nb)})
	}
	return out
}

func field(v reflect.Value, i int) reflect.Value {
	if !v.IsValid() {
		return v
	}
	return v.Field(i)
}

func deref(v reflect.Value) reflect.Value {
	if v.IsValid() && v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return reflect.Value{}
		}
		return v.Elem()
	}
	return v
}

func appendChange(out []FieldChange, name string, o, n reflect.Value) []FieldChange {
	if o.IsValid() && n.IsValid() && reflect.DeepEqual(o.Interface(), n.Interface()) {
		return out
	}
	os, ns := text(o), text(n)
	if os == ns {
		return out
	}
	return append(out, FieldChange{Field: name, Old: os, New: ns})
}

// text formats a decoded value: scalars as written, times in RFC 3339,
// lists and maps as JSON; the empty value as "".
func text(v reflect.Value) string {
	v = deref(v)
	if !v.IsValid() || v.IsZero() {
		return ""
	}
	switch x := v.Interface().(type) {
	case Time:
		return x.Format("2006-01-02T15:04:05Z07:00")
	case Date:
		return x.String()
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool, reflect.Int, reflect.Int64:
		return fmt.Sprint(v.Interface())
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			return ""
		}
	}
	data, err := json.Marshal(jsonable(v))
	if err != nil {
		return fmt.Sprint(v.Interface())
	}
	return string(data)
}

// jsonable turns a value into something encoding/json writes with YAML
// field names and RFC 3339 times.
func jsonable(v reflect.Value) any {
	v = deref(v)
	if !v.IsValid() {
		return nil
	}
	switch v.Interface().(type) {
	case Time, Date:
		return text(v)
	}
	switch v.Kind() {
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = jsonable(v.Index(i))
		}
		return out
	case reflect.Map:
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[fmt.Sprint(k.Interface())] = jsonable(v.MapIndex(k))
		}
		return out
	case reflect.Struct:
		out := map[string]any{}
		for _, f := range fieldsOf(v.Type(), false) {
			if fv := v.Field(f.index); !fv.IsZero() {
				out[f.name] = jsonable(fv)
			}
		}
		return out
	}
	return v.Interface()
}

// summary shortens a narrative to a line for a field change.
func summary(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}

// MinutesDeleted is the finding for a commit that deletes minutes.
func MinutesDeleted(id string) Finding {
	return errorf(0, RuleDeleted, "minutes %s deleted; minutes are never deleted", id)
}
