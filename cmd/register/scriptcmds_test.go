package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptCmds are the testscript commands for scripts that talk to a
// long-running register serve: a free port, one request, and waiting
// (with a deadline) for a page or a log line.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	// freeport VAR: sets VAR to a loopback port nothing listens on.
	"freeport": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: freeport VAR")
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		ts.Setenv(args[0], strconv.Itoa(port))
	},
	// httpget URL CODE [REGEXP]: one GET, redirects not followed; the
	// status must be CODE and the body (or, for a redirect, the
	// Location) match REGEXP.
	"httpget": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) < 2 || len(args) > 3 {
			ts.Fatalf("usage: httpget URL CODE [REGEXP]")
		}
		if msg := fetch(args); msg != "" {
			ts.Fatalf("%s", msg)
		}
	},
	// waithttp URL CODE [REGEXP]: httpget until it passes, for up to a
	// minute (serve rebuilds in the background).
	"waithttp": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) < 2 || len(args) > 3 {
			ts.Fatalf("usage: waithttp URL CODE [REGEXP]")
		}
		deadline := time.Now().Add(time.Minute)
		for {
			msg := fetch(args)
			if msg == "" {
				return
			}
			if time.Now().After(deadline) {
				ts.Fatalf("after a minute: %s", msg)
			}
			time.Sleep(20 * time.Millisecond) // polling a condition, with a deadline
		}
	},
	// chop FILE N: cuts the last N bytes off FILE, as a crash mid-write
	// would leave it.
	"chop": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 2 {
			ts.Fatalf("usage: chop FILE N")
		}
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		st, err := os.Stat(ts.MkAbs(args[0]))
		ts.Check(err)
		if int64(n) > st.Size() {
			ts.Fatalf("%s has only %d bytes", args[0], st.Size())
		}
		ts.Check(os.Truncate(ts.MkAbs(args[0]), st.Size()-int64(n)))
	},
	// waitfile FILE REGEXP: waits up to a minute for FILE to match.
	"waitfile": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 2 {
			ts.Fatalf("usage: waitfile FILE REGEXP")
		}
		re := regexp.MustCompile(args[1])
		deadline := time.Now().Add(time.Minute)
		for {
			data, _ := os.ReadFile(ts.MkAbs(args[0]))
			if re.Match(data) {
				return
			}
			if time.Now().After(deadline) {
				ts.Fatalf("after a minute %s does not match %q:\n%s", args[0], args[1], data)
			}
			time.Sleep(20 * time.Millisecond) // polling a condition, with a deadline
		}
	},
}

// fetch does httpget's request and says what is wrong, or "".
func fetch(args []string) string {
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(args[0])
	if err != nil {
		return err.Error()
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err.Error()
	}
	if strconv.Itoa(res.StatusCode) != args[1] {
		return "GET " + args[0] + ": " + res.Status + ", want " + args[1]
	}
	if len(args) == 3 {
		if loc := res.Header.Get("Location"); loc != "" {
			body = []byte(loc)
		}
		if !regexp.MustCompile(args[2]).Match(body) {
			return "GET " + args[0] + ": no match for " + strconv.Quote(args[2]) + " in:\n" + string(body)
		}
	}
	return ""
}
