package evidence_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/council/register/register"
	"github.com/council/register/register/evidence"
)

// The keys in testdata are throwaway test keys (see testdata/README):
// alice is the investigator, sam the SIMO, dana a DPO who is not
// entitled by default, eve nobody in the register.
var now = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

func testdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

const caseFile = `---
id: INC-2026-0001
title: Laptop left on a train
status: investigating
reported_at: 2026-11-20T09:00:00Z
reported_by: a member of staff
investigator: alice
---
Narrative.
`

// testRegister returns a register with alice, sam and dana and one case
// investigated by alice, plus the tree it was loaded from.
func testRegister(t testing.TB, extra fstest.MapFS) (*register.Register, fstest.MapFS) {
	t.Helper()
	fsys := fstest.MapFS{
		"register.yaml": {Data: []byte("name: Test\norganisation: Example Council\n")},
		"people.yaml": {Data: []byte(`people:
  - id: alice
    name: Alice Analyst
    email: alice@example.gov.uk
    roles: [business-it]
  - id: sam
    name: Sam Simo
    email: sam@example.gov.uk
    roles: [simo]
  - id: dana
    name: Dana Dpo
    email: dana@example.gov.uk
    roles: [dpo]
`)},
		"keys/alice.asc":                   {Data: testdata(t, "alice.asc")},
		"keys/sam.asc":                     {Data: testdata(t, "sam.asc")},
		"keys/dana.asc":                    {Data: testdata(t, "dana.asc")},
		"cases/2026/INC-2026-0001/case.md": {Data: []byte(caseFile)},
	}
	for k, v := range extra {
		fsys[k] = v
	}
	reg, findings, err := register.Load(context.Background(), fsys)
	if err != nil || len(findings) > 0 {
		t.Fatalf("load: %v %v", err, findings)
	}
	return reg, fsys
}

func privateKey(t testing.TB, who string) *evidence.PrivateKey {
	t.Helper()
	k, err := evidence.ReadPrivateKey(bytes.NewReader(testdata(t, who+".secret.asc")), func() ([]byte, error) {
		return testdata(t, who+".pass"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func randomBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func encryptForCase(t testing.TB, plain []byte) ([]byte, evidence.Sealed) {
	t.Helper()
	reg, fsys := testRegister(t, nil)
	to, err := evidence.ForCase(fsys, reg, reg.Case("INC-2026-0001"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	s, err := evidence.Encrypt(context.Background(), &out, bytes.NewReader(plain), to, now)
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), s
}

func TestRequiredRecipients(t *testing.T) {
	reg, _ := testRegister(t, fstest.MapFS{"register.yaml": {Data: []byte("name: Test\nevidence:\n  roles: [simo, dpo]\n")}})
	var got []string
	for _, p := range evidence.RequiredRecipients(reg, reg.Case("INC-2026-0001")) {
		got = append(got, p.ID)
	}
	if strings.Join(got, ",") != "alice,sam,dana" {
		t.Errorf("required = %v, want alice, sam, dana", got)
	}
}

func TestEncryptDecryptRoundTrip(t *testing.T) {
	plain := randomBytes(t, 3<<20+17)
	ct, s := encryptForCase(t, plain)
	sum := sha256.Sum256(plain)
	if s.SHA256 != hex.EncodeToString(sum[:]) || s.Size != int64(len(plain)) {
		t.Fatalf("sealed = %+v, want the plaintext's hash and size %d", s, len(plain))
	}
	ids, err := evidence.Recipients(bytes.NewReader(ct))
	if err != nil || len(ids) != 2 {
		t.Fatalf("Recipients = %v, %v; want two key ids", ids, err)
	}
	for _, who := range []string{"alice", "sam"} {
		var out bytes.Buffer
		got, err := evidence.Decrypt(context.Background(), &out, bytes.NewReader(ct), privateKey(t, who))
		if err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		if got != s || !bytes.Equal(out.Bytes(), plain) {
			t.Errorf("%s: decrypted %+v, differs from what was encrypted", who, got)
		}
	}
}

// TestSizes crosses the boundaries of CFB blocks, of the one-, two- and
// five-byte packet lengths and of the partial-length chunks.
func TestSizes(t *testing.T) {
	key := privateKey(t, "sam")
	for _, n := range []int{0, 1, 15, 16, 17, 160, 191, 8383, 8384, 1<<20 - 40, 1 << 20, 2<<20 + 1} {
		plain := randomBytes(t, n)
		ct, s := encryptForCase(t, plain)
		var out bytes.Buffer
		got, err := evidence.Decrypt(context.Background(), &out, bytes.NewReader(ct), key)
		if err != nil || got != s || !bytes.Equal(out.Bytes(), plain) {
			t.Errorf("%d bytes: decrypted %d bytes, %+v, %v; want %+v", n, out.Len(), got, err, s)
		}
	}
}

// TestEncryptMemoryIsFlat: encrypting 64 MiB allocates a few buffers,
// not the file.
func TestEncryptMemoryIsFlat(t *testing.T) {
	reg, fsys := testRegister(t, nil)
	to, err := evidence.ForCase(fsys, reg, reg.Case("INC-2026-0001"))
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s, err := evidence.Encrypt(context.Background(), io.Discard, io.LimitReader(zeros{}, 64<<20), to, now)
	runtime.ReadMemStats(&after)
	if err != nil || s.Size != 64<<20 {
		t.Fatalf("Encrypt = %+v, %v", s, err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 8<<20 {
		t.Errorf("encrypting 64 MiB allocated %d MiB; memory must not grow with the file", got>>20)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestDecryptWrongKey(t *testing.T) {
	ct, _ := encryptForCase(t, []byte("forensic image"))
	var out bytes.Buffer
	_, err := evidence.Decrypt(context.Background(), &out, bytes.NewReader(ct), privateKey(t, "dana"))
	if err == nil || !strings.Contains(err.Error(), "not encrypted to this key") {
		t.Fatalf("err = %v, want not encrypted to this key", err)
	}
	if out.Len() != 0 {
		t.Errorf("wrote %d bytes with the wrong key", out.Len())
	}
}

func TestWrongPassphrase(t *testing.T) {
	_, err := evidence.ReadPrivateKey(bytes.NewReader(testdata(t, "alice.secret.asc")), func() ([]byte, error) {
		return []byte("guess"), nil
	})
	if err != evidence.ErrPassphrase {
		t.Fatalf("err = %v, want ErrPassphrase", err)
	}
	if _, err := evidence.ReadPrivateKey(bytes.NewReader(testdata(t, "alice.asc")), nil); err == nil {
		t.Fatal("a public key was accepted as a private key")
	}
}

func TestTamperedCiphertext(t *testing.T) {
	plain := randomBytes(t, 200<<10)
	ct, _ := encryptForCase(t, plain)
	// Flip one byte in the body, near the end (in the MDC) and in the
	// session key packet.
	for _, at := range []int{len(ct) / 2, len(ct) - 3, 20} {
		bad := bytes.Clone(ct)
		bad[at] ^= 0x01
		_, err := evidence.Decrypt(context.Background(), io.Discard, bytes.NewReader(bad), privateKey(t, "alice"))
		if err == nil {
			t.Errorf("flipped byte %d of %d: decryption succeeded", at, len(ct))
		}
	}
	if _, err := evidence.Decrypt(context.Background(), io.Discard, bytes.NewReader(ct[:len(ct)-100]), privateKey(t, "alice")); err == nil {
		t.Error("truncated ciphertext decrypted without error")
	}
	if _, err := evidence.Decrypt(context.Background(), io.Discard, bytes.NewReader(append(bytes.Clone(ct), 0xc3)), privateKey(t, "alice")); err == nil {
		t.Error("ciphertext with a byte appended decrypted without error")
	}
}

func TestEncryptNeedsValidKeys(t *testing.T) {
	if _, err := evidence.Encrypt(context.Background(), io.Discard, strings.NewReader("x"), nil, now); err == nil {
		t.Error("encrypting to nobody succeeded")
	}
	reg, fsys := testRegister(t, fstest.MapFS{"keys/sam.asc": {Data: []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbroken\n-----END PGP PUBLIC KEY BLOCK-----\n")}})
	_, err := evidence.ForCase(fsys, reg, reg.Case("INC-2026-0001"))
	if err == nil || !strings.Contains(err.Error(), "person sam's key keys/sam.asc") {
		t.Errorf("err = %v, want it to name sam's key", err)
	}
}

func TestCheckerOwnFiles(t *testing.T) {
	ct, _ := encryptForCase(t, []byte("statement"))
	reg, fsys := testRegister(t, nil)
	ch := evidence.NewChecker(fsys)
	if err := ch.CheckEvidence(reg, reg.Case("INC-2026-0001"), "E01-x.pgp", bytes.NewReader(ct)); err != nil {
		t.Fatalf("own file refused: %v", err)
	}
	// Once alice leaves, the file must be re-encrypted.
	left, fsys2 := testRegister(t, fstest.MapFS{"people.yaml": {Data: bytes.Replace(fsys["people.yaml"].Data,
		[]byte("roles: [business-it]"), []byte("roles: [business-it]\n    left: 2026-11-27"), 1)}})
	err := evidence.NewChecker(fsys2).CheckEvidence(left, left.Case("INC-2026-0001"), "E01-x.pgp", bytes.NewReader(ct))
	if err == nil || !strings.Contains(err.Error(), "still encrypted to alice, who left on 2026-11-27") {
		t.Errorf("err = %v, want a finding about alice having left", err)
	}
}

func TestRecipientsRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"empty", "", "empty file"},
		{"plaintext", "Dear Sir, the laptop was stolen.", "not an OpenPGP message"},
		{"armored", "-----BEGIN PGP MESSAGE-----\n\nhQ==\n-----END PGP MESSAGE-----\n", "ASCII-armored"},
		{"unknown packet", "\xcf\x01\x00", "unknown packet type 15"},
		{"truncated", "\xc1\x5e\x03", "truncated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := evidence.Recipients(strings.NewReader(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestName(t *testing.T) {
	for _, tc := range []struct {
		n    int
		in   string
		want string
	}{
		{1, "cctv-still.jpg", "E01-cctv-still.jpg.pgp"},
		{2, "C:\\Users\\jo\\CCTV Still.JPG", "E02-cctv-still.jpg.pgp"},
		{3, "../../etc/passwd", "E03-passwd.pgp"},
		{4, "..", "E04-evidence.pgp"},
		{5, "a\x00b\nc..d", "E05-a-b-c.d.pgp"},
		{6, "Zeugenaussage für Ämter.pdf", "E06-zeugenaussage-f-r-mter.pdf.pgp"},
		{12, ".hidden", "E12-hidden.pgp"},
		{123, "x", "E123-x.pgp"},
		{7, strings.Repeat("long", 40) + ".docx", "E07-" + strings.Repeat("long", 40)[:75] + ".docx.pgp"},
	} {
		if got := evidence.Name(tc.n, tc.in); got != tc.want {
			t.Errorf("Name(%d, %q) = %q, want %q", tc.n, tc.in, got, tc.want)
		}
	}
}

func FuzzName(f *testing.F) {
	for _, s := range []string{"a.jpg", "../x", "\x00", "é", strings.Repeat(".-", 100)} {
		f.Add(1, s)
	}
	f.Fuzz(func(t *testing.T, n int, s string) {
		n = 1 + (n%evidence.MaxNumber+evidence.MaxNumber)%evidence.MaxNumber
		got := evidence.Name(n, s)
		if !register.EvidenceName.MatchString(got) || strings.Contains(got, "..") || strings.ContainsAny(got, "/\\") {
			t.Fatalf("Name(%d, %q) = %q, not a safe evidence name", n, s, got)
		}
	})
}

func BenchmarkEncrypt(b *testing.B) {
	reg, fsys := testRegister(b, fstest.MapFS{"register.yaml": {Data: []byte("name: Test\nevidence:\n  roles: [simo, dpo]\n")}})
	to, err := evidence.ForCase(fsys, reg, reg.Case("INC-2026-0001"))
	if err != nil {
		b.Fatal(err)
	}
	plain := randomBytes(b, 64<<20)
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		if _, err := evidence.Encrypt(context.Background(), io.Discard, bytes.NewReader(plain), to, now); err != nil {
			b.Fatal(err)
		}
	}
}

// gpg runs the real gpg in a throwaway home and returns its stdout.
func gpg(t *testing.T, home string, stdin []byte, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command("gpg", append([]string{"--batch", "--no-tty", "--quiet", "--pinentry-mode", "loopback", "--trust-model", "always"}, args...)...)
	cmd.Env = append(os.Environ(), "GNUPGHOME="+home)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, &gpgError{err, errb.String()}
	}
	return out.Bytes(), nil
}

type gpgError struct {
	err    error
	stderr string
}

func (e *gpgError) Error() string { return e.err.Error() + ": " + e.stderr }

// gpgHome makes a GnuPG home with the given people's secret keys (and
// everyone's public keys) imported; its agent is stopped at the end.
func gpgHome(t *testing.T, secrets ...string) string {
	t.Helper()
	if _, err := exec.LookPath("gpg"); err != nil {
		t.Skip("gpg not installed: install gnupg to run the interoperability tests")
	}
	home, err := os.MkdirTemp("", "gpg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c := exec.Command("gpgconf", "--kill", "gpg-agent")
		c.Env = append(os.Environ(), "GNUPGHOME="+home)
		c.Run()
		os.RemoveAll(home)
	})
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"alice", "sam", "dana", "eve"} {
		if _, err := gpg(t, home, testdata(t, who+".asc"), "--import"); err != nil {
			t.Fatal(err)
		}
	}
	for _, who := range secrets {
		if _, err := gpg(t, home, testdata(t, who+".secret.asc"), "--passphrase-file", filepath.Join("testdata", who+".pass"), "--import"); err != nil {
			t.Fatal(err)
		}
	}
	return home
}

func TestGPGDecryptsWhatWeWrite(t *testing.T) {
	plain := randomBytes(t, 2<<20+3)
	ct, _ := encryptForCase(t, plain)
	for _, who := range []string{"alice", "sam"} {
		home := gpgHome(t, who)
		small, _ := encryptForCase(t, []byte("x"))
		if got, err := gpg(t, home, small, "--passphrase-file", filepath.Join("testdata", who+".pass"), "--decrypt"); err != nil || string(got) != "x" {
			t.Errorf("gpg --decrypt of one byte as %s: %q, %v", who, got, err)
		}
		got, err := gpg(t, home, ct, "--passphrase-file", filepath.Join("testdata", who+".pass"), "--decrypt")
		if err != nil {
			t.Fatalf("gpg --decrypt as %s: %v", who, err)
		}
		if !bytes.Equal(got, plain) {
			t.Errorf("gpg --decrypt as %s gave %d different bytes", who, len(got))
		}
		listed, err := gpg(t, home, ct, "--passphrase-file", filepath.Join("testdata", who+".pass"), "--status-fd", "1", "--decrypt", "--output", os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		// DECRYPTION_INFO <mdc_method> <sym_algo>: 9 is AES-256.
		if !bytes.Contains(listed, []byte("DECRYPTION_INFO 2 9")) {
			t.Errorf("gpg status shows no AES-256 with MDC:\n%s", listed)
		}
	}
	// And someone not entitled cannot.
	if _, err := gpg(t, gpgHome(t, "dana"), ct, "--passphrase-file", filepath.Join("testdata", "dana.pass"), "--decrypt"); err == nil {
		t.Error("dana decrypted evidence not encrypted to her")
	}
}

func TestCheckerJudgesGPGFiles(t *testing.T) {
	home := gpgHome(t, "alice")
	plain := []byte("witness statement\n")
	_, fsys := testRegister(t, nil)
	ch := evidence.NewChecker(fsys)
	for _, tc := range []struct {
		name string
		args []string
		want string // "" means accepted
	}{
		{"right people", []string{"--encrypt", "-r", "alice@example.gov.uk", "-r", "sam@example.gov.uk"}, ""},
		{"right people and more of the register", []string{"--encrypt", "-r", "alice@example.gov.uk", "-r", "sam@example.gov.uk", "-r", "dana@example.gov.uk"}, ""},
		{"compressed, signed and encrypted", []string{"--sign", "--passphrase-file", "testdata/alice.pass", "-z", "6", "--encrypt", "-r", "alice@example.gov.uk", "-r", "sam@example.gov.uk"}, ""},
		{"missing the SIMO", []string{"--encrypt", "-r", "alice@example.gov.uk"}, "not encrypted to sam (simo)"},
		{"wrong people", []string{"--encrypt", "-r", "eve@example.gov.uk", "-r", "dana@example.gov.uk"}, "not encrypted to alice (the investigator), sam (simo); encrypted to key"},
		{"an outsider too", []string{"--encrypt", "-r", "alice@example.gov.uk", "-r", "sam@example.gov.uk", "-r", "eve@example.gov.uk"}, "which is no key of anyone in people.yaml"},
		{"symmetric", []string{"--passphrase", "secret", "--symmetric"}, "decryptable with a password"},
		{"public key and password", []string{"--passphrase", "secret", "--symmetric", "--encrypt", "-r", "alice@example.gov.uk", "-r", "sam@example.gov.uk"}, "decryptable with a password"},
		{"throw-keyids", []string{"--throw-keyids", "--encrypt", "-r", "alice@example.gov.uk", "-r", "sam@example.gov.uk"}, "hidden recipient"},
		{"hidden recipient", []string{"--encrypt", "-r", "alice@example.gov.uk", "-R", "sam@example.gov.uk"}, "hidden recipient"},
		{"signed only", []string{"--passphrase-file", "testdata/alice.pass", "--sign"}, "not encrypted"},
		{"armored", []string{"--armor", "--encrypt", "-r", "alice@example.gov.uk", "-r", "sam@example.gov.uk"}, "ASCII-armored"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct, err := gpg(t, home, plain, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			// Through the register's own check, so the finding names the file.
			p := "cases/2026/INC-2026-0001/evidence/E01-statement.txt.pgp"
			fsys[p] = &fstest.MapFile{Data: ct}
			defer delete(fsys, p)
			entry := "evidence:\n  - file: E01-statement.txt.pgp\n    sha256: " + strings.Repeat("a", 64) +
				"\n    size: 18\n    collected_by: alice\n    collected_at: 2026-11-28T10:00:00Z\n    custody:\n      - at: 2026-11-28T10:00:00Z\n        by: alice\n        action: collected\n---\n"
			fsys["cases/2026/INC-2026-0001/case.md"] = &fstest.MapFile{Data: []byte(strings.Replace(caseFile, "---\nNarrative", entry+"Narrative", 1))}
			reg, findings, err := register.Load(context.Background(), fsys)
			if err != nil || len(findings) > 0 {
				t.Fatalf("load: %v %v", err, findings)
			}
			got := reg.Check(context.Background(), register.CheckOptions{FS: fsys, Evidence: ch})
			var msgs []string
			for _, f := range got {
				if f.Rule == "evidence" {
					msgs = append(msgs, f.String())
				}
			}
			switch {
			case tc.want == "" && len(msgs) > 0:
				t.Errorf("refused: %v", msgs)
			case tc.want != "" && (len(msgs) != 1 || !strings.Contains(msgs[0], p+": ") || !strings.Contains(msgs[0], tc.want)):
				t.Errorf("findings = %q, want one naming %s with %q", msgs, p, tc.want)
			}
			if tc.want == "" {
				var out bytes.Buffer
				if _, err := evidence.Decrypt(context.Background(), &out, bytes.NewReader(ct), privateKey(t, "alice")); err != nil || !bytes.Equal(out.Bytes(), plain) {
					t.Errorf("cannot decrypt what gpg wrote: %v", err)
				}
			}
		})
	}
}
