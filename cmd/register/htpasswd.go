package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/council/register/site/nginx"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func init() { verbs = append(verbs, newHtpasswdCmd) }

type htpasswdOptions struct {
	Register     string
	Dir          string
	File         string
	PasswordFile string
	PasswordEnv  string
	Audience     string
	User         string
}

func newHtpasswdCmd(e *env) *cobra.Command {
	var o htpasswdOptions
	cmd := &cobra.Command{
		Use:   "htpasswd AUDIENCE USER",
		Short: "Add or change a reader's password for an audience's part of the site",
		Long: `Htpasswd adds USER to the htpasswd file of AUDIENCE, or changes their
password, with a bcrypt hash ($2y$) that nginx reads. The file is
DIR/AUDIENCE.htpasswd (--dir, default ` + nginx.DefaultHtpasswdDir + `), the path
register build's nginx configuration names, or the file given by --file.

The password is read from the terminal (asked twice), or from the first
line of the file named by --password-file ("-" for standard input), or
from the environment variable named by --password-env; never from a flag.

To remove a reader, delete their line from the file.`,
		Args: args(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, a []string) error {
			o.Audience, o.User = a[0], a[1]
			return runHtpasswd(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Register, "register", ".", "the register whose register.yaml names the audience")
	f.StringVar(&o.Dir, "dir", nginx.DefaultHtpasswdDir, "folder of the htpasswd files")
	f.StringVar(&o.File, "file", "", "the htpasswd file (instead of DIR/AUDIENCE.htpasswd)")
	f.StringVar(&o.PasswordFile, "password-file", "", "read the password from this file's first line (- for standard input)")
	f.StringVar(&o.PasswordEnv, "password-env", "", "read the password from this environment variable")
	cmd.MarkFlagsMutuallyExclusive("dir", "file")
	cmd.MarkFlagsMutuallyExclusive("password-file", "password-env")
	return cmd
}

func runHtpasswd(ctx context.Context, e *env, o htpasswdOptions) error {
	settings, err := loadSettings(o.Register)
	if err != nil {
		return err
	}
	if _, ok := settings.Audience(o.Audience); !ok {
		return withHint(fmt.Errorf("no audience %q in %s", o.Audience, filepath.Join(o.Register, "register.yaml")), "the audiences are %s", audienceList(settings))
	}
	path := o.File
	if path == "" {
		path = nginx.HtpasswdPath(o.Dir, o.Audience)
	}
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	password, err := readPassword(e, o)
	if err != nil {
		return err
	}
	updated, err := nginx.SetPassword(old, o.User, password)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	// nginx's workers read the file; nobody else needs to.
	if err := writeFileAtomic(path, updated, 0o640); err != nil {
		return err
	}
	verb := "added"
	if bytes.Contains(append([]byte("\n"), old...), []byte("\n"+o.User+":")) {
		verb = "changed the password of"
	}
	fmt.Fprintf(e.Err, "register: %s %s in %s\n", verb, o.User, path)
	return nil
}

func readPassword(e *env, o htpasswdOptions) ([]byte, error) {
	switch {
	case o.PasswordEnv != "":
		v, ok := os.LookupEnv(o.PasswordEnv)
		if !ok || v == "" {
			return nil, fmt.Errorf("environment variable %s is not set", o.PasswordEnv)
		}
		return []byte(v), nil
	case o.PasswordFile != "":
		var r io.Reader = e.In
		if o.PasswordFile != "-" {
			f, err := os.Open(o.PasswordFile)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			r = f
		}
		line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadBytes('\n')
		if err != nil && err != io.EOF {
			return nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			return nil, fmt.Errorf("%s: no password on the first line", o.PasswordFile)
		}
		return line, nil
	case e.Terminal:
		f, ok := e.In.(*os.File)
		if !ok {
			return nil, errors.New("cannot read a password from this terminal")
		}
		fmt.Fprint(e.Err, "New password: ")
		p1, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.Err)
		if err != nil {
			return nil, err
		}
		fmt.Fprint(e.Err, "Again: ")
		p2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.Err)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(p1, p2) {
			return nil, errors.New("the passwords differ")
		}
		return p1, nil
	}
	return nil, withHint(errors.New("no password: standard input is not a terminal"), "use --password-file FILE or --password-env NAME")
}
