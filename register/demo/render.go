package demo

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var plain = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ,.'()/-]*$`)

// q writes a string as a YAML scalar: plain when that is unambiguous,
// else double-quoted.
func q(s string) string {
	if plain.MatchString(s) && !strings.HasSuffix(s, " ") {
		switch strings.ToLower(s) {
		case "true", "false", "null", "yes", "no", "on", "off", "y", "n":
		default:
			return s
		}
	}
	return strconv.Quote(s)
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func list(xs []string) string { return "[" + strings.Join(xs, ", ") + "]" }

// stageAt returns the stage the case has reached at time t, and whether
// the case exists then.
func (p *plan) stageAt(t time.Time) (int, bool) {
	reached := func(x time.Time) bool { return !x.IsZero() && !x.After(t) }
	switch {
	case !reached(p.created):
		return 0, false
	case p.early && reached(p.closedEarly):
		return stClosed, true
	case !reached(p.triaged):
		return stReported, true
	case !reached(p.investigating):
		return stTriaged, true
	case !reached(p.resolved):
		return stInvestigating, true
	}
	return stResolved, true
}

// render writes the case file as it is at a stage. reviewMinutes names
// the minutes that reviewed it (reviewed and closed stages).
func (s *story) render(p *plan, stage int, reviewMinutes string) []byte {
	var b strings.Builder
	b.Grow(2048)
	b.WriteString("---\n")
	fmt.Fprintf(&b, "id: %s\ntitle: %s\nstatus: %s\n", p.id, q(p.title), stageNames[stage])
	fmt.Fprintf(&b, "reported_at: %s\nreported_by: %s\nreported_to: %s\nline_manager: %s\n",
		ts(p.reportedAt), q(p.reportedBy), list(p.reportedTo), q(p.lineManager))
	early := p.early && stage == stClosed
	reviewed := !early && stage >= stReviewed
	if stage >= stTriaged {
		cat := p.cat0
		if reviewed {
			cat = p.cat
		}
		var types []string
		types = append(types, p.types...)
		fmt.Fprintf(&b, "category: %s\ntypes: %s\nimpact: %s\n", cat, list(types), list(p.impact))
		fmt.Fprintf(&b, "personal_data: %t\nhard_copy: %t\nservice_affecting: %t\nmajor: %t\n", p.pd, p.hard, p.service, p.major)
		fmt.Fprintf(&b, "investigator: %s\n", p.investigator.ID)
		b.WriteString("notified:\n")
		fmt.Fprintf(&b, "  service_desk: %s\n", ts(p.created))
		if p.pd || p.hard {
			fmt.Fprintf(&b, "  simo: %s\n", ts(p.triaged.Add(-5*time.Minute)))
		}
		if stage >= stInvestigating && !early && p.service {
			fmt.Fprintf(&b, "  service_owner: %s\n", ts(p.investigating.Add(-10*time.Minute)))
		}
		if stage >= stResolved && !early && (p.cat0 == "incident" || p.cat == "incident") {
			fmt.Fprintf(&b, "  img: %s\n", ts(p.resolved.Add(-3*time.Hour)))
			fmt.Fprintf(&b, "  internal_audit: %s\n", ts(p.resolved.Add(-2*time.Hour)))
		}
		if p.ico != nil {
			b.WriteString("ico:\n")
			if stage < stResolved {
				b.WriteString("  decision: pending\n")
			} else {
				i := p.ico
				fmt.Fprintf(&b, "  decision: %s\n  decided_by: hannah\n  decided_at: %s\n", i.decision, ts(i.decidedAt))
				if i.decision == "notify" {
					fmt.Fprintf(&b, "  notified_at: %s\n  reference: %s\n", ts(i.notifiedAt), i.reference)
				}
				if i.reason != "" {
					fmt.Fprintf(&b, "  reason: %s\n", q(i.reason))
				}
				if i.lateReason != "" {
					fmt.Fprintf(&b, "  late_reason: %s\n", q(i.lateReason))
				}
			}
		}
		if p.breach != nil && stage >= stInvestigating {
			br := p.breach
			told := br.told
			if stage < stResolved {
				told = "pending"
			}
			fmt.Fprintf(&b, "breach:\n  occurred_at: %s\n  data_categories: %s\n  special_category: %t\n  people_affected: %d\n  records_affected: %d\n",
				ts(br.occurred), list(br.categories), br.special, br.people, br.records)
			fmt.Fprintf(&b, "  consequences: %s\n  measures: %s\n  subjects_told: %s\n", q(br.consequences), q(br.measures), told)
			if told == "no" {
				fmt.Fprintf(&b, "  subjects_reason: %s\n", q(br.toldReason))
			}
		}
	}
	if stage >= stResolved {
		if len(p.changes) > 0 {
			fmt.Fprintf(&b, "changes: %s\n", list(p.changes))
		} else {
			fmt.Fprintf(&b, "no_change_reason: %s\n", q(p.noChange))
		}
		fmt.Fprintf(&b, "resolution: %s\n", q(p.resolutn))
	}
	if reviewed {
		fmt.Fprintf(&b, "review:\n  minutes: %s\n", reviewMinutes)
		if p.cat != p.cat0 {
			fmt.Fprintf(&b, "  reclassified_from: %s\n", p.cat0)
		}
		if len(p.lessons) == 0 {
			b.WriteString("lessons: []\n")
		} else {
			b.WriteString("lessons:\n")
			for _, l := range p.lessons {
				fmt.Fprintf(&b, "  - %s\n", q(l))
			}
		}
	}
	renderEvidence(&b, p, stage)
	if ups := p.updatesAt(stage, early); len(ups) > 0 {
		b.WriteString("updates:\n")
		for _, u := range ups {
			fmt.Fprintf(&b, "  - at: %s\n    by: %s\n    to: %s\n    note: %s\n", ts(u.at), u.by.ID, u.to, q(u.note))
		}
	}
	b.WriteString("---\n")
	b.WriteString("## What happened\n\n")
	b.WriteString(strings.Join(p.what, " "))
	b.WriteString("\n")
	if stage >= stInvestigating && !early {
		b.WriteString("\n## Investigation\n\n")
		b.WriteString(strings.Join(p.found, " "))
		b.WriteString("\n")
	}
	if stage >= stResolved || early {
		b.WriteString("\n## Outcome\n\n")
		b.WriteString(p.resolutn)
		b.WriteString("\n")
	}
	return []byte(b.String())
}

func (p *plan) updatesAt(stage int, early bool) []updatePlan {
	var out []updatePlan
	switch {
	case early:
		out = append(out, updatePlan{at: p.closedEarly.Add(-30 * time.Minute), by: p.closer, to: "reporter", note: reporterNotes[3]})
	case stage >= stInvestigating:
		out = append(out, updatePlan{at: p.investigating, by: p.investigator, to: "reporter", note: reporterNotes[0]})
		if stage >= stResolved {
			out = append(out, updatePlan{at: p.resolved.Add(-time.Hour), by: p.investigator, to: "reporter", note: reporterNotes[1+len(p.id)%2]})
			if p.service {
				out = append(out, updatePlan{at: p.resolved.Add(-time.Hour), by: p.investigator, to: "service", note: serviceNotes[len(p.title)%2]})
			}
		}
	}
	return out
}

// renderMinutes writes the minutes of meeting m, with its actions'
// statuses as of t.
func (s *story) renderMinutes(m *meeting, t time.Time) []byte {
	var b strings.Builder
	b.WriteString("---\n")
	fmt.Fprintf(&b, "date: %s\ntitle: %s\nchair: ian\nsecretary: jo\n", m.id, q("ITPARG meeting "+m.at.Format("2 January 2006")))
	fmt.Fprintf(&b, "attendees: %s\n", list(m.attendees))
	if len(m.apologies) > 0 {
		fmt.Fprintf(&b, "apologies: %s\n", list(m.apologies))
	}
	if len(m.reviewed) > 0 {
		b.WriteString("cases:\n")
		for _, rv := range m.reviewed {
			p := s.cases[rv.c]
			fmt.Fprintf(&b, "  - id: %s\n    decision: %s\n", p.id, rv.decision)
			if rv.decision == "reclassified" {
				fmt.Fprintf(&b, "    reclassified_from: %s\n    reclassified_to: %s\n", p.cat0, p.cat)
			}
			if rv.decision != "deferred" {
				if len(p.lessons) == 0 {
					b.WriteString("    lessons: []\n")
				} else {
					fmt.Fprintf(&b, "    lessons:\n")
					for _, l := range p.lessons {
						fmt.Fprintf(&b, "      - %s\n", q(l))
					}
				}
			}
			fmt.Fprintf(&b, "    note: %s\n", q(rv.note))
		}
	}
	if len(m.actions) > 0 {
		b.WriteString("actions:\n")
		for _, a := range m.actions {
			fmt.Fprintf(&b, "  - id: %s\n    action: %s\n    owner: %s\n    due: %s\n", a.id, q(a.text), a.owner, a.due.Format("2006-01-02"))
			switch {
			case !a.done.IsZero() && !a.done.After(t):
				fmt.Fprintf(&b, "    status: done\n    done: %s\n", a.done.Format("2006-01-02"))
			case !a.dropped.IsZero() && !a.dropped.After(t):
				b.WriteString("    status: dropped\n")
			default:
				b.WriteString("    status: open\n")
			}
			if a.caseID != "" {
				fmt.Fprintf(&b, "    case: %s\n", a.caseID)
			}
		}
	}
	fmt.Fprintf(&b, "register_head: %s\n", m.head)
	b.WriteString("---\n")
	fmt.Fprintf(&b, "# ITPARG meeting, %s\n\n", m.at.Format("Monday 2 January 2006"))
	fmt.Fprintf(&b, "Chair: Ian Whitmore. Minutes: Jo Marsden. The group reviewed the register as of commit %s.\n\n", m.head[:12])
	b.WriteString("## Cases reviewed\n\n")
	if len(m.reviewed) == 0 {
		b.WriteString("No cases were ready for review.\n")
	}
	for _, rv := range m.reviewed {
		p := s.cases[rv.c]
		fmt.Fprintf(&b, "- %s, %s: %s. %s\n", p.id, p.title, rv.decision, rv.note)
	}
	if len(m.closes) > 0 {
		fmt.Fprintf(&b, "\n%d cases reviewed at the previous meeting were closed.\n", len(m.closes))
	}
	b.WriteString("\n## Actions\n\n")
	if len(m.actions) == 0 {
		b.WriteString("No new actions.\n")
	}
	for _, a := range m.actions {
		fmt.Fprintf(&b, "- %s: %s (owner %s, due %s)\n", a.id, a.text, a.owner, a.due.Format("2 January 2006"))
	}
	return []byte(b.String())
}
