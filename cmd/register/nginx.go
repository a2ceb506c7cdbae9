package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/council/register/site/nginx"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, newNginxCmd) }

type nginxOptions struct {
	Dir      string
	Output   string
	Groups   []string
	Settings nginx.Options
}

func newNginxCmd(e *env) *cobra.Command {
	var o nginxOptions
	cmd := &cobra.Command{
		Use:   "nginx [DIR]",
		Short: "Print the nginx configuration that puts each audience's tree behind its group",
		Long: `Nginx prints the web-server configuration for the site of the register in
DIR (default: the current folder), to include from the http block of
nginx.conf. register build writes the basic-authentication form of it to
OUT/nginx.conf; this verb gives the other choices.

With --auth basic (the default) each audience's tree asks for a user in
HTPASSWD-DIR/<audience>.htpasswd (see register htpasswd). With --auth sso
each request is checked with an auth_request to an oauth2-proxy style
endpoint (--sso-upstream), which must answer 2xx with the reader's groups
in --groups-header, 401 to start a sign-in, or 403; nginx itself lets a
reader into an audience's tree only if one of their groups is among that
audience's (--group AUDIENCE=GROUP, repeatable; default: the audience's
name).`,
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			o.Dir = "."
			if len(a) == 1 {
				o.Dir = a[0]
			}
			return runNginx(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	s := &o.Settings
	f.StringVarP(&o.Output, "output", "o", "", "write to this file instead of standard output")
	f.StringVar(&s.Root, "root", "public", "the folder holding the audience trees, as the server sees it")
	f.StringVar(&s.Listen, "listen", "", "nginx listen parameter (default 80, or 443 with TLS)")
	f.StringVar(&s.ServerName, "server-name", "", "host name (default: any)")
	f.StringVar((*string)(&s.Auth), "auth", "basic", "basic or sso")
	f.StringVar(&s.HtpasswdDir, "htpasswd-dir", nginx.DefaultHtpasswdDir, "folder of the <audience>.htpasswd files")
	f.StringVar(&s.TLSCertificate, "tls-cert", "", "TLS certificate file (serve HTTPS)")
	f.StringVar(&s.TLSKey, "tls-key", "", "TLS key file")
	f.StringVar(&s.SSO.Upstream, "sso-upstream", "", "sign-in endpoint base URL, e.g. http://127.0.0.1:4180")
	f.StringVar(&s.SSO.Prefix, "sso-prefix", "/oauth2", "sign-in endpoint path prefix")
	f.StringVar(&s.SSO.GroupsHeader, "groups-header", "X-Auth-Request-Groups", "response header listing the reader's groups")
	f.StringArrayVar(&o.Groups, "group", nil, "allow GROUP into AUDIENCE's tree (AUDIENCE=GROUP, repeatable)")
	return cmd
}

func runNginx(ctx context.Context, e *env, o nginxOptions) error {
	settings, err := loadSettings(o.Dir)
	if err != nil {
		return err
	}
	root, err := filepath.Abs(o.Settings.Root)
	if err != nil {
		return err
	}
	o.Settings.Root = filepath.ToSlash(root)
	for _, g := range o.Groups {
		a, group, ok := strings.Cut(g, "=")
		if !ok || a == "" || group == "" {
			return usageError{fmt.Errorf("--group %q: want AUDIENCE=GROUP", g)}
		}
		if _, ok := settings.Audience(a); !ok {
			return withHint(fmt.Errorf("--group: no audience %q in register.yaml", a), "the audiences are %s", audienceList(settings))
		}
		if o.Settings.SSO.Groups == nil {
			o.Settings.SSO.Groups = map[string][]string{}
		}
		o.Settings.SSO.Groups[a] = append(o.Settings.SSO.Groups[a], group)
	}
	if len(o.Groups) > 0 && o.Settings.Auth != nginx.SSO {
		return usageError{fmt.Errorf("--group needs --auth sso")}
	}
	conf, err := nginx.Config(settings, o.Settings)
	if err != nil {
		return err
	}
	if o.Output == "" {
		_, err := e.Out.Write(conf)
		return err
	}
	return writeFileAtomic(o.Output, conf, 0o644)
}
