package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/council/register/register"
	"github.com/council/register/register/edit"
	"github.com/council/register/register/evidence"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func init() { verbs = append(verbs, newEvidenceCmd) }

// evidenceOptions are the flags shared by the evidence verbs.
type evidenceOptions struct {
	Dir            string
	As             string
	Key            string
	PassphraseFile string
	PassphraseEnv  string
	Reason         string
	Description    string
	Out            string

	// Positional arguments.
	Case, Item, File string
}

func newEvidenceCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "Add, decrypt, verify and re-encrypt a case's encrypted evidence",
		Long: `Evidence files live in the case's evidence/ folder only as binary OpenPGP
messages encrypted to everyone entitled to them: the case's investigator and
every person holding a role in register.yaml's evidence.roles (default:
simo). Each file's entry in case.md records the SHA-256 and size of the
plaintext and a chain of custody that every decryption extends.`,
	}
	var dir, as string
	cmd.PersistentFlags().StringVarP(&dir, "dir", "C", ".", dirUsage)
	cmd.PersistentFlags().StringVar(&as, "as", "", "the `PERSON-ID` acting (default: from your Git e-mail)")
	// common completes a verb's options with the group's flags.
	common := func(o evidenceOptions) *evidenceOptions {
		o.Dir, o.As = dir, as
		return &o
	}
	keyFlags := func(c *cobra.Command, o *evidenceOptions) {
		c.Flags().StringVar(&o.Key, "key", "", "your exported OpenPGP secret key (gpg --export-secret-keys)")
		c.Flags().StringVar(&o.PassphraseFile, "passphrase-file", "", "read the key's passphrase from this file")
		c.Flags().StringVar(&o.PassphraseEnv, "passphrase-env", "", "read the key's passphrase from this environment variable")
	}

	var addO, getO, verifyO, rekeyO evidenceOptions
	add := &cobra.Command{
		Use:   "add ID FILE",
		Short: "Encrypt FILE to the people entitled to it and record it on the case",
		Args:  args(cobra.ExactArgs(2)),
		RunE: func(c *cobra.Command, a []string) error {
			o := common(addO)
			o.Case, o.File = a[0], a[1]
			return runEvidenceAdd(c.Context(), e, o)
		},
	}
	add.Flags().StringVar(&addO.Description, "description", "", "what the evidence is (no personal data: it is shown on the site)")

	get := &cobra.Command{
		Use:   "get ID Enn",
		Short: "Decrypt one evidence file to a path you name, recording why in its chain of custody",
		Args:  args(cobra.ExactArgs(2)),
		RunE: func(c *cobra.Command, a []string) error {
			o := common(getO)
			o.Case, o.Item = a[0], a[1]
			return runEvidenceGet(c.Context(), e, o)
		},
	}
	keyFlags(get, &getO)
	get.Flags().StringVar(&getO.Out, "out", "", "where to write the plaintext (a new file; never a terminal)")
	get.Flags().StringVar(&getO.Reason, "reason", "", "why you need the plaintext (recorded in the chain of custody)")

	verify := &cobra.Command{
		Use:   "verify [ID]",
		Short: "Decrypt every evidence file your key can open and check its hash and size",
		Args:  args(cobra.MaximumNArgs(1)),
		RunE: func(c *cobra.Command, a []string) error {
			o := common(verifyO)
			if len(a) == 1 {
				o.Case = a[0]
			}
			return runEvidenceVerify(c.Context(), e, o)
		},
	}
	keyFlags(verify, &verifyO)

	rekey := &cobra.Command{
		Use:   "rekey [ID]",
		Short: "Re-encrypt evidence to the people entitled to it today",
		Long: `Rekey re-encrypts every evidence file (of one case, or of all) whose
recipients are not exactly today's: someone left, the investigator changed, or
register.yaml's evidence.roles changed. Your key must be able to decrypt the
file. The plaintext hash does not change; a re-encrypted custody entry is
appended. What Git history already holds stays readable to its former
recipients: rekeying does not revoke access to old commits.`,
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(c *cobra.Command, a []string) error {
			o := common(rekeyO)
			if len(a) == 1 {
				o.Case = a[0]
			}
			return runEvidenceRekey(c.Context(), e, o)
		},
	}
	keyFlags(rekey, &rekeyO)
	rekey.Flags().StringVar(&rekeyO.Reason, "reason", "", "why (default: who the evidence is now encrypted to)")

	cmd.AddCommand(add, get, verify, rekey)
	return cmd
}

// evidenceCase is a case opened for editing, with the register's keys.
type evidenceCase struct {
	*caseFile
	ring *evidence.Keyring
}

func (ec *evidenceCase) evidenceDir() string {
	return filepath.Join(filepath.Dir(ec.caseFile.file), "evidence")
}

func (ec *evidenceCase) path(name string) string { return filepath.Join(ec.evidenceDir(), name) }

// openEvidenceCase opens a case for editing, refusing a register with
// files that do not parse.
func openEvidenceCase(ctx context.Context, e *env, dir, id string) (*evidenceCase, error) {
	cf, err := openCase(ctx, e, dir, id)
	if err != nil {
		return nil, err
	}
	return &evidenceCase{caseFile: cf, ring: evidence.LoadKeyring(os.DirFS(dir), cf.reg.People)}, nil
}

// actor returns the person acting, who must not have left.
func actor(reg *register.Register, dir, as string) (*register.Person, error) {
	p, err := whoami(dir, reg, as)
	if err != nil {
		return nil, err
	}
	if !p.Active() {
		return nil, fmt.Errorf("%s left on %s and can no longer handle evidence", p.ID, p.Left.Format(time.DateOnly))
	}
	return p, nil
}

// appendToCase appends item to the list at field of the case file and
// writes it atomically; on error the file is unchanged.
func (ec *evidenceCase) appendToCase(items ...caseAppend) error {
	doc := ec.data
	for _, it := range items {
		var err error
		if doc, err = edit.Append(doc, it.field, it.item); err != nil {
			return fmt.Errorf("case %s: %s: %w", ec.c.ID, ec.c.Path, err)
		}
	}
	return ec.write(doc)
}

type caseAppend struct {
	field string
	item  any
}

var itemPattern = regexp.MustCompile(`^E(\d{2,3})$`)

// entry finds the case's evidence entry named by "E01" or its file name.
func (ec *evidenceCase) entry(item string) (int, *register.Evidence, error) {
	for i := range ec.c.Evidence {
		f := ec.c.Evidence[i].File
		if f == item || itemPattern.MatchString(item) && strings.HasPrefix(f, item+"-") {
			return i, &ec.c.Evidence[i], nil
		}
	}
	return 0, nil, fmt.Errorf("case %s has no evidence %s", ec.c.ID, item)
}

// nextNumber returns the number of the next evidence file of the case.
func (ec *evidenceCase) nextNumber() int {
	n := 0
	names := slices.Clone(ec.reg.Evidence[path.Base(path.Dir(ec.c.Path))])
	for _, e := range ec.c.Evidence {
		names = append(names, e.File)
	}
	for _, f := range names {
		if m := register.EvidenceName.FindStringSubmatch(f); m != nil {
			if k, _ := strconv.Atoi(m[1]); k > n {
				n = k
			}
		}
	}
	return n + 1
}

func runEvidenceAdd(ctx context.Context, e *env, o *evidenceOptions) error {
	if strings.TrimSpace(o.Description) == "" {
		return usageError{errors.New("--description is required: say what the evidence is, without personal data")}
	}
	ec, err := openEvidenceCase(ctx, e, o.Dir, o.Case)
	if err != nil {
		return err
	}
	reg := ec.reg
	who, err := actor(reg, o.Dir, o.As)
	if err != nil {
		return err
	}
	src, err := os.Open(o.File)
	if err != nil {
		return err
	}
	defer src.Close()
	if st, err := src.Stat(); err != nil {
		return err
	} else if !st.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file", o.File)
	}
	n := ec.nextNumber()
	if n > evidence.MaxNumber {
		return fmt.Errorf("case %s already has %d evidence files, the most a case can hold", ec.c.ID, evidence.MaxNumber)
	}
	name := evidence.Name(n, filepath.Base(o.File))
	to, err := ec.ring.Recipients(evidence.RequiredRecipients(reg, ec.c))
	if err != nil {
		return fmt.Errorf("case %s: %w", ec.c.ID, err)
	}
	if len(to) == 0 {
		return fmt.Errorf("case %s: nobody is entitled to its evidence (no investigator, nobody active with the roles %s)",
			ec.c.ID, strings.Join(reg.Settings.Evidence.Roles, ", "))
	}
	now := e.Now().UTC().Truncate(time.Second)
	var sealed evidence.Sealed
	dst := ec.path(name)
	err = writeEvidence(dst, func(w io.Writer) error {
		var err error
		sealed, err = evidence.Encrypt(ctx, w, src, to, now)
		return err
	}, func(tmp string) error {
		// Judge the new file as the check will, before anything refers to it.
		f, err := os.Open(tmp)
		if err != nil {
			return err
		}
		defer f.Close()
		return evidence.NewChecker(os.DirFS(o.Dir)).CheckEvidence(reg, ec.c, name, f)
	})
	if err != nil {
		os.Remove(ec.evidenceDir()) // only if this made it and it is empty
		return fmt.Errorf("case %s: encrypt %s: %w", ec.c.ID, o.File, err)
	}
	entry := evidence.NewEntry(name, sealed, who.ID, now, o.Description)
	if err := ec.appendToCase(caseAppend{"evidence", entry}); err != nil {
		os.Remove(dst)
		os.Remove(ec.evidenceDir())
		return err
	}
	var names []string
	for _, r := range to {
		names = append(names, r.Person)
	}
	fmt.Fprintf(e.Out, "%s\n", filepath.ToSlash(filepath.Join(filepath.Dir(ec.c.Path), "evidence", name)))
	fmt.Fprintf(e.Err, "register: %s: %d bytes encrypted to %s; sha256 %s\n", name, sealed.Size, strings.Join(names, ", "), sealed.SHA256)
	fmt.Fprintf(e.Err, "register: hint: the plaintext %s is still where it was; remove it once the evidence is committed\n", o.File)
	return nil
}

// writeEvidence writes a new evidence file at dst through a temporary
// file in the same folder, runs check on the finished temporary file,
// and renames it into place only if everything succeeded. An existing
// dst is never overwritten.
func writeEvidence(dst string, write func(io.Writer) error, check func(tmp string) error) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("%s already exists; evidence is never overwritten", dst)
	}
	tmp, err := writeTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*", 0o644, write)
	if err != nil {
		return err
	}
	if check != nil {
		if err := check(tmp); err != nil {
			os.Remove(tmp)
			return err
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// unlock reads the private key named by --key, asking for its passphrase
// only if it has one: from --passphrase-file, --passphrase-env or the
// terminal, never from a flag's value.
func unlock(e *env, o *evidenceOptions) (*evidence.PrivateKey, error) {
	if o.Key == "" {
		return nil, usageError{errors.New("--key is required: your exported secret key (gpg --export-secret-keys --armor YOU > key.asc)")}
	}
	if o.PassphraseFile != "" && o.PassphraseEnv != "" {
		return nil, usageError{errors.New("give --passphrase-file or --passphrase-env, not both")}
	}
	f, err := os.Open(o.Key)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	k, err := evidence.ReadPrivateKey(f, func() ([]byte, error) {
		switch {
		case o.PassphraseFile != "":
			p, err := os.ReadFile(o.PassphraseFile)
			if err != nil {
				return nil, err
			}
			return bytes.TrimRight(p, "\r\n"), nil
		case o.PassphraseEnv != "":
			p, ok := os.LookupEnv(o.PassphraseEnv)
			if !ok {
				return nil, fmt.Errorf("--passphrase-env: %s is not set", o.PassphraseEnv)
			}
			return []byte(p), nil
		case e.Terminal:
			in, ok := e.In.(*os.File)
			if !ok {
				return nil, errors.New("cannot prompt for the passphrase")
			}
			fmt.Fprintf(e.Err, "passphrase for %s: ", o.Key)
			p, err := term.ReadPassword(int(in.Fd()))
			fmt.Fprintln(e.Err)
			return p, err
		}
		return nil, withHint(errors.New("the key is protected by a passphrase and there is no terminal to ask on"),
			"give --passphrase-file FILE or --passphrase-env VAR")
	})
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", o.Key, err)
	}
	return k, nil
}

// keyOwner returns whose key k is in the register, or "".
func keyOwner(ring *evidence.Keyring, k *evidence.PrivateKey) string {
	for _, id := range k.KeyIDs() {
		if p, ok := ring.Owner(id); ok {
			return p
		}
	}
	return ""
}

// checkSealed compares a decryption's result with the entry.
func checkSealed(ev *register.Evidence, got evidence.Sealed) error {
	if got.SHA256 != ev.SHA256 || got.Size != ev.Size {
		return fmt.Errorf("the plaintext does not match its entry (sha256 %s, %d bytes; recorded %s, %d bytes): the evidence or its entry was altered",
			got.SHA256, got.Size, ev.SHA256, ev.Size)
	}
	return nil
}

func runEvidenceGet(ctx context.Context, e *env, o *evidenceOptions) error {
	switch {
	case o.Out == "" || o.Out == "-":
		return usageError{errors.New("--out PATH is required and must be a file: decrypted evidence is never written to standard output")}
	case strings.TrimSpace(o.Reason) == "":
		return usageError{errors.New("--reason is required: it is recorded in the chain of custody")}
	}
	if st, err := os.Lstat(o.Out); err == nil {
		if st.Mode()&os.ModeDevice != 0 {
			return fmt.Errorf("%s is a device, perhaps a terminal; decrypted evidence goes to a new file only", o.Out)
		}
		return fmt.Errorf("%s already exists; evidence is decrypted to a new file only", o.Out)
	}
	ec, err := openEvidenceCase(ctx, e, o.Dir, o.Case)
	if err != nil {
		return err
	}
	i, ev, err := ec.entry(o.Item)
	if err != nil {
		return err
	}
	who, err := actor(ec.reg, o.Dir, o.As)
	if err != nil {
		return err
	}
	key, err := unlock(e, o)
	if err != nil {
		return err
	}
	if owner := keyOwner(ec.ring, key); owner != who.ID {
		if owner == "" {
			return fmt.Errorf("key %s is not the key of anyone in people.yaml", o.Key)
		}
		return withHint(fmt.Errorf("key %s is %s's, but you are %s: custody records who decrypts", o.Key, owner, who.ID), "use your own key, or --as %s if you are %s", owner, owner)
	}
	src, err := os.Open(ec.path(ev.File))
	if err != nil {
		return fmt.Errorf("case %s: %w", ec.c.ID, err)
	}
	defer src.Close()
	tmp, err := writeTemp(filepath.Dir(o.Out), "."+filepath.Base(o.Out)+".tmp-*", 0o600, func(w io.Writer) error {
		got, err := evidence.Decrypt(ctx, w, src, key)
		if err != nil {
			return err
		}
		return checkSealed(ev, got)
	})
	if err != nil {
		return fmt.Errorf("case %s: decrypt %s: %w", ec.c.ID, ev.File, err)
	}
	// The custody record is written before the plaintext is released, so
	// no decryption goes unrecorded.
	rec := register.Custody{At: register.Time{Time: e.Now().UTC().Truncate(time.Second)}, By: who.ID, Action: "decrypted", Reason: o.Reason}
	if err := ec.appendToCase(caseAppend{fmt.Sprintf("evidence[%d].custody", i), rec}); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, o.Out); err != nil {
		os.Remove(tmp)
		return err
	}
	fmt.Fprintf(e.Err, "register: %s: %d bytes decrypted to %s; sha256 verified; custody recorded in %s\n", ev.File, ev.Size, o.Out, ec.c.Path)
	return nil
}

// selectCases opens one case, or every case with evidence.
func selectCases(ctx context.Context, e *env, dir, id string) ([]*evidenceCase, error) {
	if id != "" {
		ec, err := openEvidenceCase(ctx, e, dir, id)
		if err != nil {
			return nil, err
		}
		return []*evidenceCase{ec}, nil
	}
	reg, err := openRegister(ctx, e, dir)
	if err != nil {
		return nil, err
	}
	var out []*evidenceCase
	for _, c := range reg.Cases {
		if len(c.Evidence) > 0 {
			ec, err := openEvidenceCase(ctx, e, dir, c.ID)
			if err != nil {
				return nil, err
			}
			out = append(out, ec)
		}
	}
	return out, nil
}

// canOpen reports whether the key is among the file's recipients.
func canOpen(file string, key *evidence.PrivateKey) (bool, error) {
	f, err := os.Open(file)
	if err != nil {
		return false, err
	}
	defer f.Close()
	ids, err := evidence.Recipients(f)
	if err != nil {
		return false, err
	}
	for _, id := range ids {
		if slices.Contains(key.KeyIDs(), id) {
			return true, nil
		}
	}
	return false, nil
}

func runEvidenceVerify(ctx context.Context, e *env, o *evidenceOptions) error {
	cases, err := selectCases(ctx, e, o.Dir, o.Case)
	if err != nil {
		return err
	}
	key, err := unlock(e, o)
	if err != nil {
		return err
	}
	var findings register.Findings
	ok, skipped := 0, 0
	for _, ec := range cases {
		for i, ev := range ec.c.Evidence {
			p := path.Join(path.Dir(ec.c.Path), "evidence", ev.File)
			bad := func(err error) {
				findings = append(findings, register.Finding{Path: p, Rule: "evidence", Message: err.Error()})
			}
			yes, err := canOpen(ec.path(ev.File), key)
			switch {
			case err != nil:
				bad(err)
				continue
			case !yes:
				skipped++
				continue
			}
			f, err := os.Open(ec.path(ev.File))
			if err != nil {
				bad(err)
				continue
			}
			got, err := evidence.Decrypt(ctx, io.Discard, f, key)
			f.Close()
			if err == nil {
				err = checkSealed(&ec.c.Evidence[i], got)
			}
			if err != nil {
				bad(err)
				continue
			}
			ok++
		}
	}
	fmt.Fprintf(e.Err, "register: %d evidence files verified, %d not encrypted to your key\n", ok, skipped)
	return report(e, findings)
}

func runEvidenceRekey(ctx context.Context, e *env, o *evidenceOptions) error {
	cases, err := selectCases(ctx, e, o.Dir, o.Case)
	if err != nil {
		return err
	}
	if len(cases) == 0 {
		fmt.Fprintln(e.Err, "register: no evidence to re-encrypt")
		return nil
	}
	who, err := actor(cases[0].reg, o.Dir, o.As)
	if err != nil {
		return err
	}
	key, err := unlock(e, o)
	if err != nil {
		return err
	}
	now := e.Now().UTC().Truncate(time.Second)
	done := 0
	for _, ec := range cases {
		n, err := rekeyCase(ctx, ec, key, who, now, o.Reason)
		if err != nil {
			return err
		}
		done += n
	}
	fmt.Fprintf(e.Err, "register: %d evidence files re-encrypted\n", done)
	return nil
}

// rekeyCase re-encrypts the case's files whose recipients are not
// today's. New files are written beside the old; the old are kept as
// hard links until case.md records the re-encryption, and put back if
// that fails.
func rekeyCase(ctx context.Context, ec *evidenceCase, key *evidence.PrivateKey, who *register.Person, now time.Time, reason string) (int, error) {
	people := evidence.RequiredRecipients(ec.reg, ec.c)
	to, err := ec.ring.Recipients(people)
	if err != nil {
		return 0, fmt.Errorf("case %s: %w", ec.c.ID, err)
	}
	var names []string
	for _, p := range people {
		names = append(names, p.ID)
	}
	if reason == "" {
		reason = "re-encrypted to " + strings.Join(names, ", ")
	}
	type swap struct{ tmp, dst, backup string }
	var swaps []swap
	var records []int
	cleanup := func() {
		for _, s := range swaps {
			os.Remove(s.tmp)
		}
	}
	for i, ev := range ec.c.Evidence {
		dst := ec.path(ev.File)
		f, err := os.Open(dst)
		if err != nil {
			cleanup()
			return 0, fmt.Errorf("case %s: %w", ec.c.ID, err)
		}
		ids, err := evidence.Recipients(f)
		f.Close()
		if err != nil {
			cleanup()
			return 0, fmt.Errorf("case %s: %s: %w", ec.c.ID, ev.File, err)
		}
		if sameRecipients(ec.ring, ids, names) {
			continue
		}
		if yes, err := canOpen(dst, key); err != nil || !yes {
			cleanup()
			return 0, fmt.Errorf("case %s: cannot rekey %s: it is not encrypted to your key; ask someone it is encrypted to", ec.c.ID, ev.File)
		}
		tmp, err := writeTemp(ec.evidenceDir(), "."+ev.File+".tmp-*", 0o644, func(w io.Writer) error {
			return reencrypt(ctx, w, dst, key, to, now, &ec.c.Evidence[i])
		})
		if err != nil {
			cleanup()
			return 0, fmt.Errorf("case %s: rekey %s: %w", ec.c.ID, ev.File, err)
		}
		swaps = append(swaps, swap{tmp: tmp, dst: dst, backup: tmp + ".old"})
		records = append(records, i)
	}
	if len(swaps) == 0 {
		return 0, nil
	}
	restore := func(upTo int) {
		for _, s := range swaps[:upTo] {
			os.Rename(s.backup, s.dst)
		}
		for _, s := range swaps {
			os.Remove(s.tmp)
			os.Remove(s.backup)
		}
	}
	for k, s := range swaps {
		if err := os.Link(s.dst, s.backup); err != nil {
			restore(k)
			return 0, err
		}
		if err := os.Rename(s.tmp, s.dst); err != nil {
			restore(k + 1)
			return 0, err
		}
	}
	var appends []caseAppend
	for _, i := range records {
		rec := register.Custody{At: register.Time{Time: now}, By: who.ID, Action: "re-encrypted", Reason: reason}
		appends = append(appends, caseAppend{fmt.Sprintf("evidence[%d].custody", i), rec})
	}
	err = ec.appendToCase(appends...)
	if err != nil {
		restore(len(swaps))
		return 0, err
	}
	for _, s := range swaps {
		os.Remove(s.backup)
	}
	return len(swaps), nil
}

// sameRecipients reports whether the key ids are exactly the people's
// keys, one each.
func sameRecipients(ring *evidence.Keyring, ids []uint64, people []string) bool {
	var owners []string
	for _, id := range ids {
		p, ok := ring.Owner(id)
		if !ok {
			return false
		}
		owners = append(owners, p)
	}
	slices.Sort(owners)
	want := slices.Sorted(slices.Values(people))
	return slices.Equal(owners, want)
}

// reencrypt streams the decryption of src into a new encryption to w,
// checking the plaintext against its entry. Plaintext never touches disk.
func reencrypt(ctx context.Context, w io.Writer, src string, key *evidence.PrivateKey, to []*evidence.Recipient, now time.Time, ev *register.Evidence) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	pr, pw := io.Pipe()
	decrypted := make(chan error, 1)
	go func() {
		got, err := evidence.Decrypt(ctx, pw, f, key)
		if err == nil {
			err = checkSealed(ev, got)
		}
		pw.CloseWithError(err)
		decrypted <- err
	}()
	got, err := evidence.Encrypt(ctx, w, pr, to, now)
	pr.CloseWithError(errors.New("encryption stopped"))
	if derr := <-decrypted; derr != nil {
		return derr
	}
	if err != nil {
		return err
	}
	return checkSealed(ev, got)
}
