package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"register": func() { os.Exit(run(os.Args[1:], stdio())) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script. Each runs in
// a fresh $WORK with a fixed Git identity and clock.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Cmds:                scriptCmds,
		Setup: func(e *testscript.Env) error {
			home := filepath.Join(e.WorkDir, ".home")
			if err := os.MkdirAll(home, 0o700); err != nil {
				return err
			}
			for k, v := range map[string]string{
				"HOME":                home,
				"GNUPGHOME":           filepath.Join(home, ".gnupg"),
				"REGISTER_NOW":        "2026-11-28T10:00:00Z",
				"TZ":                  "UTC",
				"GIT_AUTHOR_NAME":     "Alice Analyst",
				"GIT_AUTHOR_EMAIL":    "alice@example.gov.uk",
				"GIT_COMMITTER_NAME":  "Alice Analyst",
				"GIT_COMMITTER_EMAIL": "alice@example.gov.uk",
				"GIT_AUTHOR_DATE":     "2026-11-28T10:00:00Z",
				"GIT_COMMITTER_DATE":  "2026-11-28T10:00:00Z",
				"GIT_CONFIG_NOSYSTEM": "1",
			} {
				e.Setenv(k, v)
			}
			return os.MkdirAll(filepath.Join(home, ".gnupg"), 0o700)
		},
		Condition: func(cond string) (bool, error) {
			// [have:gpg] etc.: a real peer is on PATH. Tests that need one
			// skip loudly without it (make test installs them in CI).
			if len(cond) > 5 && cond[:5] == "have:" {
				_, err := exec.LookPath(cond[5:])
				return err == nil, nil
			}
			return false, nil
		},
	})
}
