package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/council/register/register"
	"github.com/council/register/site"
	"github.com/council/register/site/nginx"
	"github.com/council/register/site/seal"
	"github.com/spf13/pflag"
)

// accessOptions are build's flags for access control: encryption at rest
// of each audience's tree.
type accessOptions struct {
	Encrypt         bool
	PassphraseFiles []string
}

func (o *accessOptions) flags(f *pflag.FlagSet) {
	f.BoolVar(&o.Encrypt, "encrypt", false, "encrypt every page and data file of each audience's tree under its passphrase (from REGISTER_KEY_<AUDIENCE> or --passphrase-file)")
	f.StringArrayVar(&o.PassphraseFiles, "passphrase-file", nil, "read AUDIENCE's passphrase from the first line of PATH (AUDIENCE=PATH, repeatable); keep it outside the register")
}

// passphraseEnv names the environment variable holding an audience's
// passphrase: REGISTER_KEY_ and the name upper-cased, "-" as "_".
func passphraseEnv(audience string) string {
	return "REGISTER_KEY_" + strings.ToUpper(strings.ReplaceAll(audience, "-", "_"))
}

// accessPlan is what build does for access control: seal the trees
// before the new site is swapped in (nil without --encrypt), then write
// nginx.conf beside the trees.
type accessPlan struct {
	seal     func(ctx context.Context, tmp string) error
	conf     []byte
	confPath string
}

// plan prepares the access control of a build of the register in dir to
// out. Everything it needs from outside (the passphrases) is read now, so
// a missing or unreadable passphrase fails the build before anything is
// written.
func (o *accessOptions) plan(dir, out string, only []string) (*accessPlan, error) {
	settings, err := loadSettings(dir)
	if err != nil && !o.Encrypt {
		// The build itself reports what is wrong with register.yaml.
		return &accessPlan{}, nil
	}
	if err != nil {
		return nil, err
	}
	audiences := settings.Audiences
	if len(only) > 0 {
		audiences = nil
		for _, a := range settings.Audiences {
			if slices.Contains(only, a.Name) {
				audiences = append(audiences, a)
			}
		}
	}
	root, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	p := &accessPlan{confPath: filepath.Join(out, "nginx.conf")}
	if p.conf, err = nginx.Config(settings, nginx.Options{Root: filepath.ToSlash(root), CSP: site.CSPHeader}); err != nil {
		return nil, err
	}
	if !o.Encrypt {
		if len(o.PassphraseFiles) > 0 {
			return nil, usageError{fmt.Errorf("--passphrase-file needs --encrypt")}
		}
		return p, nil
	}
	pass, err := o.passphrases(dir, settings, audiences)
	if err != nil {
		return nil, err
	}
	// Deriving each key takes PBKDF2's 600,000 rounds: the audiences in
	// parallel.
	keys := make([]*seal.Key, len(audiences))
	errs := make([]error, len(audiences))
	var wg sync.WaitGroup
	for i, a := range audiences {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys[i], errs[i] = seal.NewKey(rand.Reader, pass[a.Name], seal.Iterations)
			if errs[i] != nil {
				errs[i] = fmt.Errorf("audience %s: %w", a.Name, errs[i])
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	p.seal = func(ctx context.Context, tmp string) error {
		for i, a := range audiences {
			title := a.Title
			if title == "" {
				title = a.Name
			}
			err := seal.Tree(ctx, filepath.Join(tmp, a.Name), keys[i], rand.Reader, seal.Options{
				Title: settings.Name, Audience: title, CSP: site.ContentSecurityPolicy,
			})
			if err != nil {
				return fmt.Errorf("encrypt audience %s: %w", a.Name, err)
			}
		}
		return nil
	}
	return p, nil
}

// done writes nginx.conf beside the trees of the finished site.
func (p *accessPlan) done() error {
	if p.conf == nil {
		return nil
	}
	return writeFileAtomic(p.confPath, p.conf, 0o644)
}

// passphrases reads each audience's passphrase from its --passphrase-file
// or its environment variable, and fails naming every one missing.
func (o *accessOptions) passphrases(dir string, s *register.Settings, audiences []register.Audience) (map[string][]byte, error) {
	files := map[string]string{}
	for _, v := range o.PassphraseFiles {
		name, path, ok := strings.Cut(v, "=")
		if !ok || name == "" || path == "" {
			return nil, usageError{fmt.Errorf("--passphrase-file %q: want AUDIENCE=PATH", v)}
		}
		if _, ok := s.Audience(name); !ok {
			return nil, withHint(fmt.Errorf("--passphrase-file: no audience %q in register.yaml", name), "the audiences are %s", audienceList(s))
		}
		files[name] = path
	}
	reg, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	pass := map[string][]byte{}
	var missing []string
	for _, a := range audiences {
		if path, ok := files[a.Name]; ok {
			abs, err := filepath.Abs(path)
			if err != nil {
				return nil, err
			}
			if abs == reg || strings.HasPrefix(abs, reg+string(filepath.Separator)) {
				return nil, withHint(fmt.Errorf("passphrase file %s is inside the register", path), "keep passphrases outside the repository so they are never committed")
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("passphrase of audience %s: %w", a.Name, err)
			}
			line, _, _ := bytes.Cut(b, []byte("\n"))
			line = bytes.TrimSuffix(line, []byte("\r"))
			if len(line) == 0 {
				return nil, fmt.Errorf("passphrase file %s: the first line is empty", path)
			}
			pass[a.Name] = line
			continue
		}
		if v := os.Getenv(passphraseEnv(a.Name)); v != "" {
			pass[a.Name] = []byte(v)
			continue
		}
		missing = append(missing, a.Name)
	}
	if len(missing) > 0 {
		var env []string
		for _, m := range missing {
			env = append(env, passphraseEnv(m))
		}
		return nil, withHint(fmt.Errorf("--encrypt: no passphrase for audience %s; nothing was written", strings.Join(missing, ", ")),
			"set %s, or give --passphrase-file AUDIENCE=PATH", strings.Join(env, ", "))
	}
	return pass, nil
}

// loadSettings reads only register.yaml of the register in dir.
func loadSettings(dir string) (*register.Settings, error) {
	path := filepath.Join(dir, register.SettingsFile)
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("%s: no %s: this is not a register", dir, register.SettingsFile)
		}
		return nil, err
	}
	defer f.Close()
	s, err := register.ParseSettings(f)
	if err != nil {
		var fs register.Findings
		if errors.As(err, &fs) && len(fs) > 0 {
			return nil, fmt.Errorf("%s", fs.In(path)[0])
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

func audienceList(s *register.Settings) string {
	var names []string
	for _, a := range s.Audiences {
		names = append(names, a.Name)
	}
	return strings.Join(names, ", ")
}
