// Package demo writes a complete synthetic register: a fictional
// council's people with OpenPGP keys, cases in every state, category and
// §4.6 type spread over several years, ITPARG minutes, and the Git
// history that made them — every commit made by a person whose role
// allows it and signed with their key, pull requests merged by the
// hosting platform.
//
// Everything comes from the seed and the clock passed in: the same seed
// on the same day gives byte-identical files and identical commit
// hashes. The history is written as one Git pack straight from memory,
// so 10,000 cases and their 30,000-odd commits take seconds.
package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// Options say what to write.
type Options struct {
	// Cases is how many cases to write.
	Cases int
	// Seed chooses everything random.
	Seed uint64
	// Now is the day the story ends; the cases start on 1 January three
	// years before.
	Now time.Time
}

// Summary says what was written.
type Summary struct {
	People, Cases, Minutes, Commits int
	Head                            string
}

// Write writes the demo register into dir, a Git repository checked out
// on main, and each demo person's unprotected secret key into keysDir.
// Both folders must not exist yet or be empty. On failure what was
// written is left for the caller to remove.
func Write(ctx context.Context, dir, keysDir string, o Options) (*Summary, error) {
	if o.Cases < 0 {
		return nil, errors.New("the number of cases cannot be negative")
	}
	s, err := newStory(o.Seed, o.Cases, o.Now)
	if err != nil {
		return nil, err
	}
	for _, d := range []string{dir, keysDir} {
		if err := emptyDir(d); err != nil {
			return nil, err
		}
	}
	gitDir := filepath.Join(dir, ".git")
	for _, d := range []string{"objects/pack", "objects/info", "refs/heads", "refs/tags", "info", "hooks"} {
		if err := os.MkdirAll(filepath.Join(gitDir, d), 0o755); err != nil {
			return nil, err
		}
	}
	pk, err := newPacker(filepath.Join(gitDir, "objects", "pack", "tmp-demo.pack"))
	if err != nil {
		return nil, err
	}
	w := &writer{s: s, pack: pk, files: map[string][]byte{}}
	if err := s.write(ctx, w, s.firstCommit); err != nil {
		pk.close()
		pk.f.Close()
		return nil, err
	}
	if err := pk.finish(filepath.Join(gitDir, "objects", "pack")); err != nil {
		return nil, err
	}
	for name, data := range map[string]string{
		"HEAD":            "ref: refs/heads/main\n",
		"refs/heads/main": w.head.String() + "\n",
		"config":          "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n",
		"description":     "Demo information-security incident register (synthetic data)\n",
		"info/exclude":    "# git ls-files --others --exclude-from=.git/info/exclude\n",
	} {
		if err := os.WriteFile(filepath.Join(gitDir, name), []byte(data), 0o644); err != nil {
			return nil, err
		}
	}
	if err := checkout(dir, w.files); err != nil {
		return nil, err
	}
	for _, p := range s.people {
		if err := os.WriteFile(filepath.Join(keysDir, p.ID+".asc"), p.secret, 0o600); err != nil {
			return nil, err
		}
	}
	readme := "DEMO ONLY. These are the unprotected OpenPGP secret keys of the invented people of the\n" +
		"demo register beside this folder. They exist so you can try signing, evidence and\n" +
		"verification. Never use them for anything real and never commit them to a register.\n"
	if err := os.WriteFile(filepath.Join(keysDir, "README.txt"), []byte(readme), 0o644); err != nil {
		return nil, err
	}
	sum := &Summary{People: len(s.people), Minutes: len(s.meetings), Commits: w.count, Head: w.head.String()}
	for _, p := range s.cases {
		if !p.created.IsZero() {
			sum.Cases++
		}
	}
	return sum, nil
}

// emptyDir makes d, or accepts it if it exists and is empty.
func emptyDir(d string) error {
	entries, err := os.ReadDir(d)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return os.MkdirAll(d, 0o755)
	case err != nil:
		return err
	case len(entries) > 0:
		return fmt.Errorf("%s is not empty", d)
	}
	return nil
}

// firstCommit sets the register up: settings, people and their keys.
func (s *story) firstCommit(w *writer) error {
	files := map[string][]byte{
		".gitattributes": []byte(gitattributes),
		".gitignore":     []byte(gitignore),
		"register.yaml":  []byte(settings),
		"people.yaml":    peopleFile(s.people, s.start),
	}
	for _, p := range s.people {
		files["keys/"+p.ID+".asc"] = p.public
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var root *node
	for _, p := range paths {
		h, err := w.blob(p, files[p])
		if err != nil {
			return err
		}
		root = root.set(split(p), h)
		w.files[p] = files[p]
	}
	lucy := byID(s.people, "lucy")
	h, err := w.commit(root, nil, lucy, s.start.Add(-7*day+10*time.Hour), nil,
		"Start the information security incident register\n\nSettings, the people who keep the register and their public keys.\n")
	if err != nil {
		return err
	}
	w.root, w.head = root, h
	return nil
}

// checkout writes main's files and a Git index that matches them, so
// the working tree is clean.
func checkout(dir string, files map[string][]byte) error {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	idx := &index.Index{Version: 2}
	made := map[string]bool{}
	for _, p := range paths {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if d := filepath.Dir(full); !made[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
			made[d] = true
		}
		if err := os.WriteFile(full, files[p], 0o644); err != nil {
			return err
		}
		st, err := os.Stat(full)
		if err != nil {
			return err
		}
		idx.Entries = append(idx.Entries, &index.Entry{
			Hash: objectHash(plumbing.BlobObject, files[p]), Name: p, Mode: fileMode,
			ModifiedAt: st.ModTime(), CreatedAt: st.ModTime(), Size: uint32(st.Size()),
		})
	}
	f, err := os.Create(filepath.Join(dir, ".git", "index"))
	if err != nil {
		return err
	}
	if err := index.NewEncoder(f).Encode(idx); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

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

const settings = `# register.yaml of the demo register. Everything in it is invented:
# the council, its people and its cases.
name: Information security incident register (demo)
organisation: Demo Borough Council
id_prefix: INC
time_zone: Europe/London
main_branch: main

deadlines:
  # UK GDPR Art. 33(1): tell the ICO within 72 hours of becoming aware.
  ico_hours: 72
  triage_hours: 24
  review_days: 90

audiences:
  - name: itparg
    title: IT Policy & Regulation Group
    roles: [itparg]
  - name: simo
    title: SIMO and DPO
    roles: [simo, dpo]
  - name: business-it
    title: Business IT
    roles: [business-it]
  - name: img
    title: Information Management Group
    roles: [img]
  - name: audit
    title: Internal Audit
    roles: [audit]

visibility:
  personal_data: [simo, dpo, itparg, audit]
  other: [simo, dpo, itparg, audit, business-it, img]

# Every commit on main is signed by its author's key in keys/.
signing:
  required: true
  branches: [main]

evidence:
  roles: [simo]
`
