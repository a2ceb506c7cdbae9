package register

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strings"
)

//go:embed workflow.yaml
var defaultWorkflow []byte

// RoleInvestigator, in a transition's roles, means the person named in
// the case's investigator field.
const RoleInvestigator = "investigator"

// A Workflow is the states a case moves through and the transitions
// between them, with who may make each and what each requires. It is
// data: the built-in one is the council's policy, and a register's
// workflow.yaml replaces it.
type Workflow struct {
	States      []State      `yaml:"states"`
	Transitions []Transition `yaml:"transitions"`
}

// State is a case status.
type State struct {
	Name string `yaml:"name"`
	// Initial marks the state new cases start in.
	Initial bool `yaml:"initial"`
	// Open marks states of cases still being worked on.
	Open bool `yaml:"open"`
	// Requires names the requirements every case in this state meets.
	Requires []string `yaml:"requires"`
}

// Transition is a permitted change of status.
type Transition struct {
	From  string   `yaml:"from"`
	To    string   `yaml:"to"`
	Roles []string `yaml:"roles"`
	// Requires names requirements for this step beyond those of the
	// state it enters.
	Requires []string `yaml:"requires"`
}

// String returns "from -> to".
func (t Transition) String() string { return t.From + " -> " + t.To }

// DefaultWorkflow returns the built-in workflow.
func DefaultWorkflow() *Workflow {
	w, err := ParseWorkflow(bytes.NewReader(defaultWorkflow))
	if err != nil {
		panic("built-in workflow.yaml is invalid: " + err.Error()) // a build defect, caught by tests
	}
	return w
}

// ParseWorkflow reads a workflow.yaml. Problems come back as Findings
// with lines but no path.
func ParseWorkflow(r io.Reader) (*Workflow, error) {
	w := new(Workflow)
	lines, fs := readYAMLFile(r, w)
	if fs != nil {
		return nil, fs
	}
	at := func(format string, args ...any) int {
		d := document{Lines: lines}
		return d.Line(fmt.Sprintf(format, args...))
	}
	states := map[string]bool{}
	initial := 0
	for i, s := range w.States {
		switch {
		case !safeName(s.Name):
			fs = append(fs, errorf(at("states[%d].name", i), "workflow", "state name %q must be lowercase letters, digits and dashes", s.Name))
		case states[s.Name]:
			fs = append(fs, errorf(at("states[%d].name", i), "workflow", "state %q is defined twice", s.Name))
		}
		states[s.Name] = true
		if s.Initial {
			initial++
		}
		for j, r := range s.Requires {
			if _, ok := requirements[r]; !ok {
				fs = append(fs, errorf(at("states[%d].requires[%d]", i, j), "workflow", "unknown requirement %q; known requirements are: %s", r, requirementNames()))
			}
		}
	}
	if len(w.States) == 0 {
		fs = append(fs, errorf(1, "workflow", "no states defined; list them under states:, one marked initial: true"))
	} else if initial == 0 {
		fs = append(fs, errorf(at("states"), "workflow", "no state is marked initial: true; mark the one new cases start in"))
	} else if initial > 1 {
		fs = append(fs, errorf(at("states"), "workflow", "%d states are marked initial: true; exactly one must be", initial))
	}
	pairs := map[string]bool{}
	for i, t := range w.Transitions {
		for _, end := range [][2]string{{"from", t.From}, {"to", t.To}} {
			if f, s := end[0], end[1]; !states[s] {
				fs = append(fs, errorf(at("transitions[%d].%s", i, f), "workflow", "transition %s: %s names unknown state %q; the states are: %s", t, f, s, strings.Join(w.StateNames(), ", ")))
			}
		}
		if pairs[t.String()] {
			fs = append(fs, errorf(at("transitions[%d]", i), "workflow", "transition %s is defined twice", t))
		}
		pairs[t.String()] = true
		if len(t.Roles) == 0 {
			fs = append(fs, errorf(at("transitions[%d]", i), "workflow", "transition %s has no roles, so nobody could make it", t))
		}
		for j, r := range t.Requires {
			if _, ok := requirements[r]; !ok {
				fs = append(fs, errorf(at("transitions[%d].requires[%d]", i, j), "workflow", "unknown requirement %q; known requirements are: %s", r, requirementNames()))
			}
		}
	}
	if fs != nil {
		return nil, fs
	}
	return w, nil
}

// State returns the state of that name.
func (w *Workflow) State(name string) (State, bool) {
	for _, s := range w.States {
		if s.Name == name {
			return s, true
		}
	}
	return State{}, false
}

// Initial returns the name of the initial state.
func (w *Workflow) Initial() string {
	for _, s := range w.States {
		if s.Initial {
			return s.Name
		}
	}
	return ""
}

// StateNames returns the states in workflow order.
func (w *Workflow) StateNames() []string {
	out := make([]string, len(w.States))
	for i, s := range w.States {
		out[i] = s.Name
	}
	return out
}

// Transition returns the transition from one state to another.
func (w *Workflow) Transition(from, to string) (Transition, bool) {
	for _, t := range w.Transitions {
		if t.From == from && t.To == to {
			return t, true
		}
	}
	return Transition{}, false
}

// Next returns the transitions out of a state.
func (w *Workflow) Next(from string) []Transition {
	var out []Transition
	for _, t := range w.Transitions {
		if t.From == from {
			out = append(out, t)
		}
	}
	return out
}

// MayMake reports whether person p may make transition t on case c: p
// holds one of its roles, or it names the investigator and p is the
// case's investigator.
func (w *Workflow) MayMake(t Transition, p *Person, c *Case) bool {
	if p == nil {
		return false
	}
	for _, r := range t.Roles {
		if r == RoleInvestigator && c != nil && c.Investigator == p.ID {
			return true
		}
		if p.HasRole(r) {
			return true
		}
	}
	return false
}

// Missing returns the requirements case c does not meet for transition t:
// those of the state it enters and those of the step itself.
func (w *Workflow) Missing(t Transition, c *Case, env *Env) []Requirement {
	s, _ := w.State(t.To)
	return unmet(c, env, s.Requires, t.Requires)
}

// StateMissing returns the requirements a case in its current state does
// not meet: those of the state, and those of the transitions into it when
// no transition's own requirements are met (a closed case must have come
// by one of the roads into closed).
func (w *Workflow) StateMissing(c *Case, env *Env) []Requirement {
	s, ok := w.State(c.Status)
	if !ok {
		return nil
	}
	missing := unmet(c, env, s.Requires)
	var best []Requirement
	for _, t := range w.Transitions {
		if t.To != s.Name || len(t.Requires) == 0 {
			if t.To == s.Name {
				return missing // a road in that asks nothing more
			}
			continue
		}
		m := unmet(c, env, t.Requires)
		if len(m) == 0 {
			return missing
		}
		// On a tie, report the road listed last: in the built-in
		// workflow, the full road through ITPARG's review.
		if best == nil || len(m) <= len(best) {
			best = m
		}
	}
	for _, r := range best {
		if !slices.ContainsFunc(missing, func(x Requirement) bool { return x.Name == r.Name }) {
			missing = append(missing, r)
		}
	}
	return missing
}

func unmet(c *Case, env *Env, lists ...[]string) []Requirement {
	var out []Requirement
	seen := map[string]bool{}
	for _, names := range lists {
		for _, n := range names {
			if seen[n] {
				continue
			}
			seen[n] = true
			if r := requirements[n]; !r.Met(c, env) {
				out = append(out, r)
			}
		}
	}
	return out
}
