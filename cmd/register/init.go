package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/council/register/register"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, newInitCmd) }

type initOptions struct {
	Dir          string
	Name         string
	Organisation string
	IDPrefix     string
	TimeZone     string
}

func newInitCmd(e *env) *cobra.Command {
	var o initOptions
	cmd := &cobra.Command{
		Use:   "init DIR",
		Short: "Make a new, empty register in DIR",
		Long: `Init writes the skeleton of a register into DIR and makes it a Git
repository on branch main: register.yaml with every setting spelled out and
explained, people.yaml, the folders keys/, cases/ and minutes/, and
.gitattributes and .gitignore, with the pre-commit and commit-msg hooks
installed. DIR may exist, but not as a register.`,
		Example: `  register init incidents --name "Information security incident register" --organisation "Example Borough Council"`,
		Args:    args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			o.Dir = a[0]
			return runInit(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Name, "name", "Information security incident register", "the register's name, shown on the site")
	f.StringVar(&o.Organisation, "organisation", "", "the organisation that keeps it")
	f.StringVar(&o.IDPrefix, "id-prefix", "INC", "the prefix of case ids (PREFIX-YYYY-NNNN)")
	f.StringVar(&o.TimeZone, "time-zone", "Europe/London", "IANA time zone of the register's dates")
	return cmd
}

func runInit(ctx context.Context, e *env, o initOptions) error {
	settings := settingsFile(o)
	if _, err := register.ParseSettings(bytes.NewReader(settings)); err != nil {
		var fs register.Findings
		if errors.As(err, &fs) && len(fs) > 0 {
			return usageError{errors.New(fs[0].Message)}
		}
		return err
	}
	if _, err := os.Stat(filepath.Join(o.Dir, register.SettingsFile)); err == nil {
		return fmt.Errorf("%s is already a register (it has a %s)", o.Dir, register.SettingsFile)
	}
	files := []struct {
		name string
		data []byte
	}{
		{register.SettingsFile, settings},
		{register.PeopleFile, []byte(peopleFile)},
		{".gitattributes", []byte(gitattributes)},
		{".gitignore", []byte(gitignore)},
	}
	for _, f := range files {
		if _, err := os.Lstat(filepath.Join(o.Dir, f.name)); err == nil {
			return fmt.Errorf("%s already has a %s; init writes only into a folder without one", o.Dir, f.name)
		}
	}
	for _, d := range []string{"keys", "cases", "minutes"} {
		if err := os.MkdirAll(filepath.Join(o.Dir, d), 0o755); err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(o.Dir, f.name), f.data, 0o644); err != nil {
			return err
		}
	}
	_, err := git.PlainInitWithOptions(o.Dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	if err != nil && !errors.Is(err, git.ErrRepositoryAlreadyExists) {
		return fmt.Errorf("%s: git init: %w", o.Dir, err)
	}
	if err := runHooksInstall(ctx, e, hooksOptions{Dir: o.Dir}); err != nil {
		return fmt.Errorf("%s: install the hooks: %w", o.Dir, err)
	}
	// What init writes must pass the checker; anything else is a bug here.
	reg, findings, err := loadRegister(ctx, o.Dir)
	if err != nil {
		return err
	}
	findings = append(findings, reg.Check(ctx, checkOpts(o.Dir))...)
	if len(findings) > 0 {
		printFindings(e, findings)
		return fmt.Errorf("%s: the new register does not pass register check", o.Dir)
	}
	fmt.Fprintf(e.Out, "initialised a register in %s\n", o.Dir)
	fmt.Fprintf(e.Err, "register: hint: add people to %s and their public keys to keys/, then commit\n", filepath.Join(o.Dir, register.PeopleFile))
	return nil
}

// settingsFile writes register.yaml with every setting spelled out at
// its default, each explained.
func settingsFile(o initOptions) []byte {
	d := register.DefaultSettings()
	q := func(s string) string {
		if s == "" || strings.ContainsAny(s, ":#'\"[]{},&*!|>%@`") || s != strings.TrimSpace(s) {
			return strconv.Quote(s)
		}
		return s
	}
	list := func(xs []string) string { return "[" + strings.Join(xs, ", ") + "]" }
	var b strings.Builder
	fmt.Fprintf(&b, `# register.yaml: the settings of this information-security incident register.
# Every setting is written out at its default; change what your council needs.

# The register's name, shown on every page of the site.
name: %s
# The organisation that keeps the register.
organisation: %s
# Case ids are PREFIX-YYYY-NNNN, e.g. %s-2026-0007.
id_prefix: %s
# The IANA time zone of dates shown on the site and written by register.
time_zone: %s
# The branch that holds the register of record.
main_branch: %s

deadlines:
  # UK GDPR Art. 33(1): tell the ICO within 72 hours of becoming aware.
  ico_hours: %d
  # How soon a report should be triaged.
  triage_hours: %d
  # How soon after resolution ITPARG should review a case (policy §7.8).
  review_days: %d

# Who reads the site. Each audience gets its own tree of pages, open to
# the people holding one of its roles (roles are given in people.yaml).
audiences:
`, q(o.Name), q(o.Organisation), o.IDPrefix, q(o.IDPrefix), q(o.TimeZone), d.MainBranch,
		d.Deadlines.ICOHours, d.Deadlines.TriageHours, d.Deadlines.ReviewDays)
	for _, a := range d.Audiences {
		fmt.Fprintf(&b, "  - name: %s\n    title: %s\n    roles: %s\n", a.Name, q(a.Title), list(a.Roles))
	}
	fmt.Fprintf(&b, `
# Which roles see a case when the case does not name its audiences:
# personal-data cases, and all others.
visibility:
  personal_data: %s
  other: %s

# Commits on these branches must carry a valid OpenPGP signature by their
# author's key in keys/.
signing:
  required: %t
  branches: %s

evidence:
  # Evidence is encrypted to the case's investigator and to everyone
  # holding one of these roles.
  roles: %s
`, list(d.Visibility.PersonalData), list(d.Visibility.Other), *d.Signing.Required, list([]string{d.MainBranch}), list(d.Evidence.Roles))
	return []byte(b.String())
}

const peopleFile = `# people.yaml: everyone who edits or reads the register.
#
# Each person has an id (lowercase letters, digits and dashes; case files
# name people by it), a name, the e-mail their Git commits are made with
# (authors are matched by it), roles, and an armored OpenPGP public key in
# keys/<id>.asc. The roles of the built-in workflow and site are:
#   business-it  logs, triages and investigates ICT events (§6.2, §7.11)
#   simo         investigates personal-data cases, holds the evidence (§7.19)
#   dpo          decides on notifying the ICO (§6.3)
#   itparg       reviews cases and records lessons (§7.8-7.10)
#   img          is told of every incident (§7.21)
#   audit        Internal Audit (§7.17)
# When someone leaves, add "left: YYYY-MM-DD" rather than removing them.
#
# people:
#   - id: alice
#     name: Alice Analyst
#     email: alice@example.gov.uk
#     roles: [business-it]
people: []
`

const gitattributes = `# Evidence is OpenPGP ciphertext: never diff, merge or convert it.
*.pgp binary
# Case files, minutes and settings keep LF line ends on every platform.
*.md text eol=lf
*.yaml text eol=lf
*.asc text eol=lf
`

const gitignore = `# The generated site.
/public/
# Temporary files of interrupted writes.
.*.tmp-*
# Decrypted evidence must never be committed.
*.decrypted
`
