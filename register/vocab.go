package register

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// The vocabularies of the case file. Each list is the complete set of
// values the schema accepts, in the order the policy gives them.
var (
	// Categories are policy §4.2's four initial categories.
	Categories = []string{"event", "weakness", "incident", "unknown"}
	// Types are policy §4.6's list of what must be reported.
	Types = []string{"theft-or-loss", "physical-security", "malware", "unsolicited-mail",
		"unauthorised-disclosure", "system-malfunction", "inadequate-disposal",
		"password-exposure", "non-compliance", "inappropriate-record-access",
		"chain-letter", "credential-misuse", "other"}
	// Impacts are policy §4.1's three kinds of harm.
	Impacts = []string{"confidentiality", "integrity", "availability"}
	// ReportedTo are the first contacts of policy §5.1 and §5.2.
	ReportedTo = []string{"line-manager", "img-rep", "service-desk"}
	// Duties are the notifications of §5.2, §7.16, §7.17 and §7.21.
	Duties = []string{"service_desk", "img", "internal_audit", "itparg", "service_owner", "simo"}
	// ICODecisions are the DPO's possible decisions (§6.3).
	ICODecisions = []string{"pending", "notify", "no-notify"}
	// CustodyActions are the chain-of-custody events (ISO/IEC 27037).
	CustodyActions = []string{"collected", "decrypted", "transferred", "re-encrypted"}
	// SubjectsTold records whether data subjects were told (Art. 34).
	SubjectsTold = []string{"yes", "no", "pending"}
	// ActionStatuses are the states of an ITPARG action.
	ActionStatuses = []string{"open", "done", "dropped"}
	// Decisions are what ITPARG may decide about a case it reviews.
	Decisions = []string{"accepted", "reclassified", "reopened", "deferred"}
)

// vocabularies maps each enumerated type to its values, for messages.
var vocabularies = map[reflect.Type][]string{
	reflect.TypeFor[Category]():       Categories,
	reflect.TypeFor[Type]():           Types,
	reflect.TypeFor[Impact]():         Impacts,
	reflect.TypeFor[Contact]():        ReportedTo,
	reflect.TypeFor[Duty]():           Duties,
	reflect.TypeFor[Decision]():       ICODecisions,
	reflect.TypeFor[CustodyAction]():  CustodyActions,
	reflect.TypeFor[Told]():           SubjectsTold,
	reflect.TypeFor[ActionStatus]():   ActionStatuses,
	reflect.TypeFor[ReviewDecision](): Decisions,
}

// Roles known to the built-in workflow and visibility rules. A register
// may define others in people.yaml and workflow.yaml.
const (
	RoleBusinessIT = "business-it"
	RoleSIMO       = "simo"
	RoleDPO        = "dpo"
	RoleITPARG     = "itparg"
	RoleIMG        = "img"
	RoleAudit      = "audit"
)

// enum decodes a scalar that must be one of a fixed list.
func enum(n *yaml.Node, what string, allowed []string) (string, error) {
	if n.Kind != yaml.ScalarNode || !slices.Contains(allowed, n.Value) {
		return "", &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %q is not a known %s; use one of: %s",
			n.Line, n.Value, what, strings.Join(allowed, ", "))}}
	}
	return n.Value, nil
}

// Category is a case category (§4.2).
type Category string

// UnmarshalYAML accepts only the §4.2 categories.
func (c *Category) UnmarshalYAML(n *yaml.Node) error {
	v, err := enum(n, "category", Categories)
	*c = Category(v)
	return err
}

// Type is an entry of the §4.6 vocabulary.
type Type string

// UnmarshalYAML accepts only the §4.6 vocabulary.
func (t *Type) UnmarshalYAML(n *yaml.Node) error {
	v, err := enum(n, "type", Types)
	*t = Type(v)
	return err
}

// Impact is a §4.1 impact.
type Impact string

// UnmarshalYAML accepts only the §4.1 impacts.
func (i *Impact) UnmarshalYAML(n *yaml.Node) error {
	v, err := enum(n, "impact", Impacts)
	*i = Impact(v)
	return err
}

// Contact is whom the event was first reported to (§5.1, §5.2).
type Contact string

// UnmarshalYAML accepts only the known first contacts.
func (c *Contact) UnmarshalYAML(n *yaml.Node) error {
	v, err := enum(n, "first contact", ReportedTo)
	*c = Contact(v)
	return err
}

// Duty is a notification the policy requires.
type Duty string

// UnmarshalYAML accepts only the known duties.
func (d *Duty) UnmarshalYAML(n *yaml.Node) error {
	v, err := enum(n, "duty", Duties)
	*d = Duty(v)
	return err
}

// Decision is the DPO's ICO decision.
type Decision string

// UnmarshalYAML accepts only pending, notify and no-notify.
func (d *Decision) UnmarshalYAML(n *yaml.Node) error {
	v, err := enum(n, "ICO decision", ICODecisions)
	*d = Decision(v)
	return err
}

// CustodyAction is a chain-of-custody event.
type CustodyAction string

// UnmarshalYAML accepts only the known custody actions.
func (a *CustodyAction) UnmarshalYAML(n *yaml.Node) error {
	v, err := enum(n, "custody action", CustodyActions)
	*a = CustodyAction(v)
	return err
}

// Told records whether data subjects were told of a breach.
type Told string

// UnmarshalYAML accepts yes, no and pending.
func (t *Told) UnmarshalYAML(n *yaml.Node) error {
	v, err := enum(n, "answer", SubjectsTold)
	*t = Told(v)
	return err
}

// ActionStatus is the state of an ITPARG action.
type ActionStatus string

// UnmarshalYAML accepts open, done and dropped.
func (s *ActionStatus) UnmarshalYAML(n *yaml.Node) error {
	v, err := enum(n, "action status", ActionStatuses)
	*s = ActionStatus(v)
	return err
}

// ReviewDecision is what ITPARG decided about a case.
type ReviewDecision string

// UnmarshalYAML accepts the known review decisions.
func (d *ReviewDecision) UnmarshalYAML(n *yaml.Node) error {
	v, err := enum(n, "review decision", Decisions)
	*d = ReviewDecision(v)
	return err
}

// Time is an RFC 3339 instant with an explicit offset, as written in the
// front matter.
type Time struct{ time.Time }

// UnmarshalYAML accepts RFC 3339 only, so a time is never ambiguous.
func (t *Time) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.Parse(time.RFC3339, n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf(
			"line %d: %q is not an RFC 3339 time; write it like 2026-11-05T14:30:00Z (UTC) or 2026-11-05T14:30:00+01:00", n.Line, n.Value)}}
	}
	t.Time = v
	return nil
}

// MarshalYAML writes the time in RFC 3339.
func (t Time) MarshalYAML() (any, error) { return t.Format(time.RFC3339), nil }

// Date is a calendar date, written 2026-11-05.
type Date struct{ time.Time }

// DateLayout is how dates are written.
const DateLayout = "2006-01-02"

// UnmarshalYAML accepts YYYY-MM-DD only.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.Parse(DateLayout, n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf(
			"line %d: %q is not a date; write it like 2026-11-05", n.Line, n.Value)}}
	}
	d.Time = v
	return nil
}

// MarshalYAML writes the date as YYYY-MM-DD.
func (d Date) MarshalYAML() (any, error) { return d.Format(DateLayout), nil }

// String returns the date as YYYY-MM-DD.
func (d Date) String() string { return d.Format(DateLayout) }
