package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/council/register/register/evidence"
)

// evidencePlan is one synthetic evidence file of a case.
type evidencePlan struct {
	file, description string
	sha256            string
	size              int
	by                *person
	at                time.Time
	ciphertext        []byte
	decrypted         *updatePlan // a later decryption, in the custody chain from the resolved stage on
	rekeyed           *updatePlan // re-encryption when a recipient left
}

// seal makes the case's evidence, collected when the investigation
// starts, encrypted to the investigator and every SIMO as they were
// then. The randomness comes from the seed and the case, so the
// ciphertext is the same for the same seed.
func (s *story) seal(seed uint64, ci int, p *plan) error {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	binary.LittleEndian.PutUint64(key[8:], uint64(ci))
	copy(key[16:], "register-evidence")
	rng := rand.NewChaCha8(key)
	r := rand.New(rng)
	if r.Float64() < 0.35 {
		return nil // nothing worth keeping
	}
	type file struct {
		name, description string
		data              []byte
	}
	at := p.investigating.Add(-20 * time.Minute)
	var files []file
	switch p.k.types[0] {
	case "unsolicited-mail", "chain-letter":
		files = append(files, file{"mail-headers.txt", "Full headers of the reported message", mailHeaders(r, at)})
	case "malware", "credential-misuse", "system-malfunction", "password-exposure", "non-compliance":
		files = append(files, file{"event-log.txt", "Extract of the relevant system log", eventLog(r, at, p.f.system)})
	default:
		files = append(files, file{"statement.txt", "Written account of what was found, taken from the reporter", statement(r, p)})
	}
	if r.Float64() < 0.3 {
		files = append(files, file{"screenshot.png", "Screenshot of what the reporter saw", tinyPNG(r)})
	}
	var to []*openpgp.Entity
	for _, q := range s.people {
		if q == p.investigator || q.has("simo") && q.activeAt(at) {
			to = append(to, q.entity)
		}
	}
	cfg := &packet.Config{Rand: rng, Time: func() time.Time { return at }, DefaultCipher: packet.CipherAES256}
	for i, f := range files {
		var ct bytes.Buffer
		w, err := openpgp.Encrypt(&ct, to, nil, &openpgp.FileHints{IsBinary: true, ModTime: at}, cfg)
		if err != nil {
			return fmt.Errorf("case %s: encrypt evidence: %w", p.id, err)
		}
		w.Write(f.data)
		if err := w.Close(); err != nil {
			return fmt.Errorf("case %s: encrypt evidence: %w", p.id, err)
		}
		sum := sha256.Sum256(f.data)
		e := evidencePlan{file: evidence.Name(i+1, f.name), description: f.description, sha256: hex.EncodeToString(sum[:]),
			size: len(f.data), by: p.investigator, at: at, ciphertext: ct.Bytes()}
		if r.Float64() < 0.3 {
			by := pick(r, withRole(s.people, "simo"))
			e.decrypted = &updatePlan{at: p.resolved.Add(-4 * time.Hour), by: by, note: "Read for the investigation report"}
			if e.decrypted.at.Before(at) {
				e.decrypted.at = at.Add(time.Minute)
			}
		}
		p.evidence = append(p.evidence, e)
	}
	return nil
}

// rekey re-encrypts the case's evidence to the SIMOs still here, because
// the investigator has left, and records it in the chain of custody.
func (s *story) rekey(ci int, p *plan, by *person, at time.Time) error {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], s.seed)
	binary.LittleEndian.PutUint64(key[8:], uint64(ci))
	copy(key[16:], "register-rekey")
	rng := rand.NewChaCha8(key)
	var to []*openpgp.Entity
	for _, q := range withRole(s.people, "simo") {
		if q.activeAt(at) {
			to = append(to, q.entity)
		}
	}
	cfg := &packet.Config{Rand: rng, Time: func() time.Time { return at }, DefaultCipher: packet.CipherAES256}
	for i := range p.evidence {
		e := &p.evidence[i]
		md, err := openpgp.ReadMessage(bytes.NewReader(e.ciphertext), openpgp.EntityList{e.by.entity}, nil, cfg)
		if err != nil {
			return fmt.Errorf("case %s: rekey %s: %w", p.id, e.file, err)
		}
		var plain bytes.Buffer
		if _, err := plain.ReadFrom(md.UnverifiedBody); err != nil {
			return fmt.Errorf("case %s: rekey %s: %w", p.id, e.file, err)
		}
		var ct bytes.Buffer
		w, err := openpgp.Encrypt(&ct, to, nil, &openpgp.FileHints{IsBinary: true, ModTime: at}, cfg)
		if err != nil {
			return err
		}
		w.Write(plain.Bytes())
		if err := w.Close(); err != nil {
			return err
		}
		e.ciphertext = ct.Bytes()
		e.rekeyed = &updatePlan{at: at, by: by, note: "Re-encrypted to the current SIMOs because " + e.by.Name + " has left"}
		if d := e.decrypted; d != nil && d.at.Before(at) && p.cur < stResolved {
			d.at = at // not yet recorded: it comes after the re-encryption
		}
	}
	return nil
}

func renderEvidence(b *strings.Builder, p *plan, stage int) {
	if len(p.evidence) == 0 || stage < stInvestigating {
		return
	}
	b.WriteString("evidence:\n")
	for _, e := range p.evidence {
		fmt.Fprintf(b, "  - file: %s\n    sha256: %s\n    size: %d\n    collected_by: %s\n    collected_at: %s\n    description: %s\n",
			e.file, e.sha256, e.size, e.by.ID, ts(e.at), q(e.description))
		fmt.Fprintf(b, "    custody:\n      - at: %s\n        by: %s\n        action: collected\n", ts(e.at), e.by.ID)
		var events []updatePlan
		if d := e.decrypted; d != nil && stage >= stResolved {
			events = append(events, updatePlan{at: d.at, by: d.by, to: "decrypted", note: d.note})
		}
		if k := e.rekeyed; k != nil {
			events = append(events, updatePlan{at: k.at, by: k.by, to: "re-encrypted", note: k.note})
		}
		if len(events) == 2 && events[1].at.Before(events[0].at) {
			events[0], events[1] = events[1], events[0]
		}
		for _, k := range events {
			fmt.Fprintf(b, "      - at: %s\n        by: %s\n        action: %s\n        reason: %s\n", ts(k.at), k.by.ID, k.to, q(k.note))
		}
	}
}

func mailHeaders(r *rand.Rand, at time.Time) []byte {
	dom := pick(r, []string{"secure-verify", "account-check", "invoice-portal", "mail-update"}) + fmt.Sprintf("%d", r.IntN(100)) + ".example"
	subj := pick(r, []string{"Action required: verify your account", "Overdue invoice attached", "Your mailbox is almost full", "Forward this to ten colleagues"})
	return []byte(fmt.Sprintf("Received: from mail.%s (203.0.113.%d) by mx1.demo-council.example.gov.uk with ESMTPS; %s\n"+
		"From: \"Support Desk\" <support@%s>\nReply-To: <collect@%s>\nTo: undisclosed-recipients:;\nSubject: %s\n"+
		"Date: %s\nMessage-ID: <%x@%s>\nAuthentication-Results: mx1.demo-council.example.gov.uk; spf=fail; dkim=none; dmarc=fail\n",
		dom, 1+r.IntN(254), at.Add(-3*time.Hour).Format(time.RFC1123Z), dom, dom, subj,
		at.Add(-3*time.Hour).Format(time.RFC1123Z), r.Uint64(), dom))
}

func eventLog(r *rand.Rand, at time.Time, system string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# extract from the log of %s\n", system)
	t := at.Add(-6 * time.Hour)
	for range 6 + r.IntN(10) {
		t = t.Add(time.Duration(1+r.IntN(1800)) * time.Second)
		fmt.Fprintf(&b, "%s host=%s src=%s event=%s result=%s\n", t.Format(time.RFC3339),
			pick(r, []string{"app01", "app02", "web01", "dc01"}),
			pick(r, []string{"192.0.2.", "198.51.100.", "203.0.113."})+fmt.Sprint(1+r.IntN(254)),
			pick(r, []string{"logon", "logon", "file-write", "service-stop", "policy-block", "mfa-prompt"}),
			pick(r, []string{"success", "failure", "blocked"}))
	}
	return []byte(b.String())
}

func statement(r *rand.Rand, p *plan) []byte {
	return []byte(fmt.Sprintf("Account taken by the investigator.\n\n%s\n\nThe reporter noticed this at about %s and reported it %s.\n",
		strings.Join(p.what, "\n"), p.reportedAt.Format("15:04 on 2 January 2006"),
		pick(r, []string{"straight away", "after checking with their line manager", "through the service desk"})))
}

// tinyPNG draws a small "screenshot": a title bar and a few lines of
// "text" as bars.
func tinyPNG(r *rand.Rand) []byte {
	img := image.NewPaletted(image.Rect(0, 0, 48, 32), color.Palette{
		color.RGBA{255, 255, 255, 255}, color.RGBA{29, 112, 184, 255}, color.RGBA{11, 12, 12, 255}, color.RGBA{212, 53, 28, 255}})
	for x := range 48 {
		for y := range 5 {
			img.SetColorIndex(x, y, 1)
		}
	}
	for line := range 5 {
		y := 9 + line*4
		w := 10 + r.IntN(34)
		c := uint8(2)
		if r.IntN(6) == 0 {
			c = 3
		}
		for x := 3; x < 3+w && x < 46; x++ {
			img.SetColorIndex(x, y, c)
			img.SetColorIndex(x, y+1, c)
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}
