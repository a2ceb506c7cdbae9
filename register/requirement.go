package register

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Env is what a requirement may consult besides the case itself.
type Env struct {
	Settings *Settings
	People   *People
	// Minutes finds minutes by id; nil when none are known.
	Minutes func(id string) *Minutes
	// Old is the case as it was before the change being judged; nil on
	// the working tree.
	Old *Case
}

func (e *Env) person(id string) *Person {
	if e == nil || e.People == nil {
		return nil
	}
	return e.People.ByID(id)
}

func (e *Env) icoHours() int {
	if e == nil || e.Settings == nil || e.Settings.Deadlines.ICOHours == 0 {
		return 72
	}
	return e.Settings.Deadlines.ICOHours
}

// A Requirement is one condition of the policy that a case must meet to
// enter a state or make a transition. The workflow names requirements;
// this table gives their meaning.
type Requirement struct {
	Name    string
	Section string // where the policy or law asks for it
	Field   string // the field a finding points at
	Text    string // what must be true, phrased to complete "needs …"
	Met     func(c *Case, env *Env) bool
}

// String returns the requirement as a finding's message ends.
func (r Requirement) String() string {
	return fmt.Sprintf("%s (%s)", r.Text, r.Section)
}

// Requirements returns every requirement a workflow may name, sorted by
// name.
func Requirements() []Requirement {
	out := make([]Requirement, 0, len(requirements))
	for _, r := range requirements {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// requirementNames lists the requirement names for a message.
func requirementNames() string {
	names := make([]string, 0, len(requirements))
	for n := range requirements {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func notified(c *Case, d Duty) bool {
	t, ok := c.Notified[d]
	return ok && !t.IsZero()
}

var requirements = map[string]Requirement{}

func init() {
	for _, r := range []Requirement{
		{"category", "§4.2", "category", "a category (event, weakness, incident or unknown)",
			func(c *Case, _ *Env) bool { return c.Category != "" }},
		{"types", "§4.6", "types", "at least one type from the §4.6 list",
			func(c *Case, _ *Env) bool { return len(c.Types) > 0 }},
		{"impact", "§4.1", "impact", "at least one impact (confidentiality, integrity, availability)",
			func(c *Case, _ *Env) bool { return len(c.Impact) > 0 }},
		{"investigator", "§6.2", "investigator", "an investigator",
			func(c *Case, _ *Env) bool { return c.Investigator != "" }},
		{"personal-data-investigator", "§6.2, §7.19", "investigator", "an investigator holding the simo role, because the case involves personal data",
			func(c *Case, e *Env) bool {
				if !c.PersonalData || c.Investigator == "" {
					return true
				}
				p := e.person(c.Investigator)
				return p != nil && p.HasRole(RoleSIMO)
			}},
		{"hard-copy-investigator", "§6.6, §7.12", "investigator", "the SIMO or the line manager as investigator, because hard copy is involved",
			func(c *Case, e *Env) bool {
				if !c.HardCopy || c.Investigator == "" {
					return true
				}
				if c.Investigator == c.LineManager {
					return true
				}
				p := e.person(c.Investigator)
				return p != nil && p.HasRole(RoleSIMO)
			}},
		{"event-without-personal-data", "§4.2, §6.2", "category", "category event and no personal data to be closed straight after triage",
			func(c *Case, _ *Env) bool { return c.Category == "event" && !c.PersonalData }},
		{"resolution", "§7.11", "resolution", "a resolution",
			func(c *Case, _ *Env) bool { return c.Resolution != "" }},
		{"changes", "§4.5", "changes", "change-management references in changes, or a no_change_reason",
			func(c *Case, _ *Env) bool { return len(c.Changes) > 0 || c.NoChangeReason != "" }},
		{"ico-decision", "§6.3, UK GDPR Art. 33", "ico", "an ICO decision (notify or no-notify) with decided_by a person holding the dpo role, decided_at, and a reason when not notifying",
			func(c *Case, e *Env) bool {
				if !c.PersonalData {
					return true
				}
				i := c.ICO
				if !i.decided() || i.DecidedAt == nil || i.DecidedBy == "" {
					return false
				}
				if i.Decision == "no-notify" && i.Reason == "" {
					return false
				}
				p := e.person(i.DecidedBy)
				return p != nil && p.HasRole(RoleDPO)
			}},
		{"ico-deadline", "§6.3, UK GDPR Art. 33(1)", "ico.notified_at", "ico.notified_at within the ICO deadline of reported_at, or a late_reason",
			func(c *Case, e *Env) bool {
				if !c.PersonalData || c.ICO == nil || c.ICO.Decision != "notify" {
					return true
				}
				if c.ICO.NotifiedAt == nil {
					return false
				}
				deadline := c.ReportedAt.Add(time.Duration(e.icoHours()) * time.Hour)
				return !c.ICO.NotifiedAt.After(deadline) || c.ICO.LateReason != ""
			}},
		{"breach-details", "UK GDPR Art. 33(3), Art. 34", "breach", "breach details: data_categories, people_affected, consequences, measures and subjects_told (with subjects_reason when no)",
			func(c *Case, _ *Env) bool {
				if !c.PersonalData {
					return true
				}
				b := c.Breach
				if b == nil || len(b.DataCategories) == 0 || b.Consequences == "" || b.Measures == "" || b.SubjectsTold == "" {
					return false
				}
				return b.SubjectsTold != "no" || b.SubjectsReason != ""
			}},
		{"service-owner-notified", "§7.16", "notified", "notified.service_owner, because the case is service affecting",
			func(c *Case, _ *Env) bool { return !c.ServiceAffecting || notified(c, "service_owner") }},
		{"internal-audit-notified", "§7.17", "notified", "notified.internal_audit, because the case is an incident",
			func(c *Case, _ *Env) bool { return c.Category != "incident" || notified(c, "internal_audit") }},
		{"img-notified", "§7.21", "notified", "notified.img, because the case is an incident",
			func(c *Case, _ *Env) bool { return c.Category != "incident" || notified(c, "img") }},
		{"reporter-updated", "§7.14", "updates", "at least one update to the reporter (updates with to: reporter)",
			func(c *Case, _ *Env) bool {
				return slices.ContainsFunc(c.Updates, func(u Update) bool { return u.To == "reporter" })
			}},
		{"review-minutes", "§7.8", "review.minutes", "review.minutes naming ITPARG minutes that list this case",
			func(c *Case, e *Env) bool {
				if c.Review == nil || c.Review.Minutes == "" {
					return false
				}
				if e == nil || e.Minutes == nil {
					return true // no minutes known: the reference is checked elsewhere
				}
				m := e.Minutes(c.Review.Minutes)
				if m == nil {
					return false
				}
				_, ok := m.Lists(c.ID)
				return ok
			}},
		{"category-known", "§4.2, §7.10", "category", "a category other than unknown once ITPARG has reviewed it",
			func(c *Case, _ *Env) bool { return c.Category != "unknown" }},
		{"lessons", "§7.9", "lessons", "lessons learned recorded (or an explicit empty list, lessons: [])",
			func(c *Case, _ *Env) bool { return len(c.Lessons) > 0 || c.Has("lessons") }},
		{"reopen-reason", "§7.10", "updates", "a new update giving the reason for reopening",
			func(c *Case, e *Env) bool {
				if e != nil && e.Old != nil {
					return len(c.Updates) > len(e.Old.Updates)
				}
				return len(c.Updates) > 0
			}},
	} {
		requirements[r.Name] = r
	}
}
