package register

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
)

// EvidenceChecker inspects one encrypted evidence file without
// decrypting it: that it is an OpenPGP message encrypted to everyone
// entitled to it. The evidence package provides one; Check without one
// checks only that entries and files match.
type EvidenceChecker interface {
	CheckEvidence(r *Register, c *Case, file string, content io.Reader) error
}

// CheckOptions tune Check.
type CheckOptions struct {
	// FS is the register's tree, used to read evidence files and keys.
	FS fs.FS
	// Evidence inspects evidence files; nil skips the cryptographic
	// checks.
	Evidence EvidenceChecker
}

// Check runs every rule that can be judged on one tree: schema beyond
// types, cross-references, each case's state requirements, minutes,
// evidence files and stray files. Findings come back sorted by path.
func (r *Register) Check(ctx context.Context, opts CheckOptions) Findings {
	perCase := make([]Findings, len(r.Cases))
	_ = parallel(ctx, len(r.Cases), func(i int) {
		perCase[i] = r.checkCase(r.Cases[i], opts)
	})
	var out Findings
	for _, fs := range perCase {
		out = append(out, fs...)
	}
	for _, m := range r.Minutes {
		out = append(out, r.checkMinutes(m)...)
	}
	out = append(out, r.checkPeople(opts)...)
	for _, p := range r.Stray {
		out = append(out, Finding{Path: p, Rule: "layout", Message: strayMessage(p)})
	}
	for id, files := range r.Evidence {
		if r.cases[id] == nil {
			for _, f := range files {
				out = append(out, Finding{Path: path.Join(path.Dir(r.evidenceDir(id)), "evidence", f), Rule: "evidence",
					Message: "evidence file of a case folder whose case.md is missing or unreadable; every evidence file belongs to a case"})
			}
		}
	}
	out.Sort()
	return out
}

func (r *Register) evidenceDir(id string) string {
	if p, ok := r.Paths[id]; ok {
		return path.Join(path.Dir(p), "evidence")
	}
	return path.Join(path.Dir(CasePath(id)), "evidence")
}

func strayMessage(p string) string {
	if strings.HasPrefix(p, "minutes/") {
		return "stray file: minutes/ holds only minutes/YYYY/YYYY-MM-DD.md"
	}
	return "stray file: cases/ holds only cases/YYYY/ID/case.md and cases/YYYY/ID/evidence/Enn-name.pgp"
}

// EvidenceName is the form of an evidence file name.
var EvidenceName = regexp.MustCompile(`^E(\d{2,3})-[A-Za-z0-9][A-Za-z0-9._-]{0,79}\.pgp$`)

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (r *Register) checkCase(c *Case, opts CheckOptions) Findings {
	var out Findings
	add := func(field, rule, format string, args ...any) {
		out = append(out, Finding{Path: c.Path, Line: c.Line(field), Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	dir := path.Base(path.Dir(c.Path))
	year := path.Base(path.Dir(path.Dir(c.Path)))
	prefix, y, _, err := ParseID(c.ID)
	switch {
	case c.ID == "":
		add("id", "schema", `missing field "id"`)
	case err != nil:
		add("id", "schema", "%v", err)
	default:
		if c.ID != dir {
			add("id", "id", "id %s does not match its folder %s; ids never change, so the folder must be named after the id", c.ID, dir)
		}
		if fmt.Sprint(y) != year {
			add("id", "id", "case %s belongs in cases/%d/, not cases/%s/", c.ID, y, year)
		}
		if prefix != r.Settings.IDPrefix {
			add("id", "id", "id prefix %s differs from register.yaml's id_prefix %s", prefix, r.Settings.IDPrefix)
		}
	}
	if c.Title == "" {
		add("title", "schema", `missing field "title"`)
	}
	if c.ReportedAt.IsZero() {
		add("reported_at", "schema", `missing field "reported_at" (when the council became aware; it starts the ICO clock)`)
	}
	if c.ReportedBy == "" {
		add("reported_by", "schema", `missing field "reported_by" (§7.25)`)
	}
	if c.Status == "" {
		add("status", "schema", `missing field "status"`)
	} else if _, ok := r.Workflow.State(c.Status); !ok {
		add("status", "workflow", "unknown status %q; the workflow's states are: %s", c.Status, strings.Join(r.Workflow.StateNames(), ", "))
	}
	r.checkPerson(c, "investigator", c.Investigator, add)
	for i, a := range c.Audiences {
		if _, ok := r.Settings.Audience(a); !ok {
			add(fmt.Sprintf("audiences[%d]", i), "reference", "unknown audience %q (register.yaml lists the audiences)", a)
		}
	}
	if c.ICO != nil {
		r.checkPerson(c, "ico.decided_by", c.ICO.DecidedBy, add)
		if c.ICO.NotifiedAt != nil && c.ICO.Decision != "notify" {
			add("ico.notified_at", "schema", "ico.notified_at is set but the decision is %q, not notify", c.ICO.Decision)
		}
		if c.ICO.DecidedAt != nil && c.ICO.DecidedAt.Before(c.ReportedAt.Time) {
			add("ico.decided_at", "schema", "ico.decided_at is before reported_at")
		}
	}
	if !c.PersonalData && c.Breach != nil {
		add("breach", "schema", "breach details on a case without personal_data: true")
	}
	if b := c.Breach; b != nil && b.OccurredAt != nil && !c.ReportedAt.IsZero() && b.OccurredAt.After(c.ReportedAt.Time) {
		add("breach.occurred_at", "schema", "breach.occurred_at %s is after reported_at %s: a breach is reported after it happens; correct whichever is wrong",
			b.OccurredAt.Format(time.RFC3339), c.ReportedAt.Format(time.RFC3339))
	}
	if len(c.Changes) > 0 && c.NoChangeReason != "" {
		add("no_change_reason", "schema", "both changes and no_change_reason are given; keep one (§4.5)")
	}
	for i, u := range c.Updates {
		p := fmt.Sprintf("updates[%d]", i)
		r.checkPerson(c, p+".by", u.By, add)
		if u.At.IsZero() || u.Note == "" || u.To == "" {
			add(p, "schema", "update needs at, by, to and note (§7.14)")
		}
	}
	if c.Review != nil {
		if c.Review.Minutes != "" {
			m := r.minutes[c.Review.Minutes]
			switch {
			case m == nil:
				if mp := MinutesPath(c.Review.Minutes); mp == "" {
					add("review.minutes", "reference", "review.minutes %q is not a minutes id like 2026-11-05", c.Review.Minutes)
				} else {
					add("review.minutes", "reference", "review.minutes names minutes %s, but %s does not exist", c.Review.Minutes, mp)
				}
			default:
				if _, ok := m.Lists(c.ID); !ok {
					add("review.minutes", "reference", "minutes %s do not list this case under cases (§7.8)", m.ID)
				}
			}
		}
		if c.Review.ReclassifiedFrom != "" && c.Review.ReclassifiedFrom == c.Category {
			add("review.reclassified_from", "schema", "review.reclassified_from equals the current category %q", c.Category)
		}
	}
	if _, ok := r.Workflow.State(c.Status); ok {
		for _, req := range r.Workflow.StateMissing(c, r.Env()) {
			line := c.Line("status")
			if c.Has(strings.SplitN(req.Field, ".", 2)[0]) {
				line = c.Line(req.Field)
			}
			out = append(out, Finding{Path: c.Path, Line: line, Rule: req.Section,
				Message: fmt.Sprintf("status %s needs %s", c.Status, req)})
		}
	}
	out = append(out, r.checkEvidence(c, opts, add)...)
	return out
}

func (r *Register) checkPerson(c *Case, field, id string, add func(field, rule, format string, args ...any)) {
	if id != "" && !r.peopleBroken && r.People.ByID(id) == nil {
		add(field, "reference", "%s %q is not a person in people.yaml", field, id)
	}
}

func (r *Register) checkEvidence(c *Case, opts CheckOptions, add func(field, rule, format string, args ...any)) Findings {
	var out Findings
	dir := path.Join(path.Dir(c.Path), "evidence")
	files := r.Evidence[c.ID]
	if c.ID != path.Base(path.Dir(c.Path)) {
		files = r.Evidence[path.Base(path.Dir(c.Path))]
	}
	entries := map[string]bool{}
	for i, e := range c.Evidence {
		p := fmt.Sprintf("evidence[%d]", i)
		switch {
		case !EvidenceName.MatchString(e.File):
			add(p+".file", "evidence", "evidence file name %q must look like E01-short-name.pgp (no folders)", e.File)
			continue
		case entries[e.File]:
			add(p+".file", "evidence", "evidence file %s has two entries", e.File)
			continue
		}
		entries[e.File] = true
		if !slices.Contains(files, e.File) {
			add(p+".file", "evidence", "evidence file %s/%s is missing; evidence is never removed (§6.4)", dir, e.File)
		}
		if !sha256Hex.MatchString(e.SHA256) {
			add(p+".sha256", "evidence", "evidence %s: sha256 must be 64 lowercase hex digits of the plaintext", e.File)
		}
		if e.CollectedBy == "" || e.CollectedAt.IsZero() {
			add(p, "evidence", "evidence %s needs collected_by and collected_at (§6.4)", e.File)
		}
		r.checkPerson(c, p+".collected_by", e.CollectedBy, add)
		if len(e.Custody) == 0 || e.Custody[0].Action != "collected" {
			add(p+".custody", "evidence", "evidence %s: the chain of custody must start with a collected entry", e.File)
		}
		for j, k := range e.Custody {
			cp := fmt.Sprintf("%s.custody[%d]", p, j)
			r.checkPerson(c, cp+".by", k.By, add)
			if j > 0 && k.At.Before(e.Custody[j-1].At.Time) {
				add(cp+".at", "evidence", "custody entries of %s are out of time order; the chain is append-only", e.File)
			}
			if k.Action == "decrypted" && k.Reason == "" {
				add(cp, "evidence", "custody entry of %s: a decryption needs a reason", e.File)
			}
		}
	}
	for _, f := range files {
		fp := path.Join(dir, f)
		if !entries[f] {
			out = append(out, Finding{Path: fp, Rule: "evidence", Message: "evidence file has no entry in the case's evidence list"})
			continue
		}
		if opts.Evidence == nil || opts.FS == nil {
			continue
		}
		fh, err := opts.FS.Open(fp)
		if err != nil {
			out = append(out, Finding{Path: fp, Rule: "evidence", Message: err.Error()})
			continue
		}
		err = opts.Evidence.CheckEvidence(r, c, f, fh)
		fh.Close()
		if err != nil {
			out = append(out, Finding{Path: fp, Rule: "evidence", Message: err.Error()})
		}
	}
	return out
}

var headPattern = regexp.MustCompile(`^[0-9a-f]{40}([0-9a-f]{24})?$`)

func (r *Register) checkMinutes(m *Minutes) Findings {
	var out Findings
	add := func(field, rule, format string, args ...any) {
		out = append(out, Finding{Path: m.Path, Line: m.Line(field), Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case MinutesPath(m.ID) != m.Path:
		add("date", "layout", "minutes file must be named minutes/YYYY/YYYY-MM-DD.md after its meeting date")
	case m.Date.IsZero():
		add("date", "schema", `missing field "date"`)
	case !strings.HasPrefix(m.ID, m.Date.String()):
		add("date", "schema", "date %s does not match the file name %s", m.Date, path.Base(m.Path))
	}
	if m.Chair == "" {
		add("chair", "schema", `missing field "chair"`)
	}
	if m.RegisterHead != "" && !headPattern.MatchString(m.RegisterHead) {
		add("register_head", "schema", "register_head must be a full commit hash")
	}
	for i, a := range m.Audiences {
		if _, ok := r.Settings.Audience(a); !ok {
			add(fmt.Sprintf("audiences[%d]", i), "reference", "unknown audience %q", a)
		}
	}
	seen := map[string]bool{}
	for i, rv := range m.Cases {
		p := fmt.Sprintf("cases[%d]", i)
		c := r.cases[rv.ID]
		switch {
		case rv.ID == "":
			add(p, "schema", "reviewed case needs an id")
			continue
		case seen[rv.ID]:
			add(p+".id", "schema", "case %s is listed twice", rv.ID)
		case c == nil:
			if _, _, _, err := ParseID(rv.ID); err != nil {
				add(p+".id", "reference", "%v", err)
			} else {
				add(p+".id", "reference", "case %s does not exist (there is no %s)", rv.ID, CasePath(rv.ID))
			}
			continue
		}
		seen[rv.ID] = true
		if rv.Decision == "" {
			add(p, "schema", "case %s: missing decision (%s)", rv.ID, strings.Join(Decisions, ", "))
		}
		reclass := rv.ReclassifiedFrom != "" || rv.ReclassifiedTo != "" || rv.Decision == "reclassified"
		if reclass {
			switch {
			case rv.ReclassifiedFrom == "" || rv.ReclassifiedTo == "":
				add(p, "§7.10", "case %s: a reclassification names both reclassified_from and reclassified_to", rv.ID)
			case rv.ReclassifiedFrom == rv.ReclassifiedTo:
				add(p, "§7.10", "case %s: reclassified from and to the same category %q", rv.ID, rv.ReclassifiedTo)
			case c.Review == nil || c.Review.Minutes != m.ID:
				// A later meeting may have reviewed the case again;
				// only the latest review must agree with the file.
			case c.Category != rv.ReclassifiedTo || c.Review.ReclassifiedFrom != rv.ReclassifiedFrom:
				add(p, "§7.10", "case %s: minutes reclassify %s → %s but the case file has category %q and review.reclassified_from %q; set category: %s and review.reclassified_from: %s in %s, or correct the minutes",
					rv.ID, rv.ReclassifiedFrom, rv.ReclassifiedTo, c.Category, c.Review.ReclassifiedFrom, rv.ReclassifiedTo, rv.ReclassifiedFrom, c.Path)
			}
		}
	}
	out = append(out, r.checkMinutesReview(m)...)
	ids := map[string]bool{}
	for i, a := range m.Actions {
		p := fmt.Sprintf("actions[%d]", i)
		if a.ID == "" {
			add(p, "schema", "action needs an id")
		} else if ids[a.ID] {
			add(p+".id", "schema", "action id %s is used twice", a.ID)
		}
		ids[a.ID] = true
		if a.Action == "" || a.Owner == "" || a.Due.IsZero() || a.Status == "" {
			add(p, "§7.9", "action %s needs action, owner, due and status", a.ID)
		}
		if a.Case != "" && r.cases[a.Case] == nil {
			add(p+".case", "reference", "action %s names case %s, which does not exist", a.ID, a.Case)
		}
	}
	return out
}

func (r *Register) checkPeople(opts CheckOptions) Findings {
	var out Findings
	for i, p := range r.People.People {
		if opts.FS == nil {
			break
		}
		if !validRelPath(p.KeyPath()) {
			continue // people.yaml's own finding says so
		}
		data, err := fs.ReadFile(opts.FS, p.KeyPath())
		if err != nil {
			out = append(out, Finding{Path: PeopleFile, Line: r.People.Line(fmt.Sprintf("people[%d].id", i)), Rule: "keys",
				Message: fmt.Sprintf("person %s has no public key at %s", p.ID, p.KeyPath())})
			continue
		}
		if !strings.Contains(string(data[:min(len(data), 200)]), "-----BEGIN PGP PUBLIC KEY BLOCK-----") {
			out = append(out, Finding{Path: p.KeyPath(), Line: 1, Rule: "keys",
				Message: "not an armored OpenPGP public key (a private key must never be committed)"})
		}
	}
	return out
}
