package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// streams are the command's input and output, injected so tests can
// capture them.
type streams struct {
	In       io.Reader
	Out, Err io.Writer
	// Terminal reports whether In is an interactive terminal.
	Terminal bool
}

func stdio() *streams {
	return &streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Terminal: isTerminal(os.Stdin)}
}

// env carries what every verb needs: streams, clock and working folder.
type env struct {
	*streams
	Now func() time.Time
}

// exitError carries an exit status without a message of its own: the
// verb has already said what went wrong (e.g. listed findings).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// hintError adds a hint line to an error.
type hintError struct {
	err  error
	hint string
}

func (e hintError) Error() string { return e.err.Error() }
func (e hintError) Unwrap() error { return e.err }

func withHint(err error, format string, args ...any) error {
	return hintError{err: err, hint: fmt.Sprintf(format, args...)}
}

// usageError marks flag and argument misuse, which also prints usage.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// verbs lists the constructors of the top-level commands; each verb's file
// adds its own in an init function.
var verbs []func(*env) *cobra.Command

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:           "register",
		Short:         "Keep an information-security incident register in Git and publish it",
		Long:          "register keeps a council's information-security incident register as a Git\nrepository of Markdown case files and publishes it as an access-controlled\nstatic website. Run register help VERB for any verb.",
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(e.In)
	root.SetOut(e.Out)
	root.SetErr(e.Err)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	for _, v := range verbs {
		root.AddCommand(v(e))
	}
	return root
}

// run executes the command line and returns the exit status. It is the
// one place errors are printed.
func run(args []string, s *streams) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e := &env{streams: s, Now: clock()}
	root := newRootCmd(e)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintf(s.Err, "register: %s\n", strings.TrimSuffix(err.Error(), "."))
	var he hintError
	if errors.As(err, &he) {
		fmt.Fprintf(s.Err, "register: hint: %s\n", he.hint)
	}
	var ue usageError
	if errors.As(err, &ue) || isArgError(err) {
		fmt.Fprint(s.Err, cmd.UsageString())
		return 2
	}
	return 1
}

func isArgError(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "accepts ") || strings.HasPrefix(msg, "requires ") ||
		strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "invalid argument")
}

// clock returns the time source: the real clock, or a fixed instant from
// REGISTER_NOW (RFC 3339) so tests and demos are reproducible.
func clock() func() time.Time {
	if v := os.Getenv("REGISTER_NOW"); v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return func() time.Time { return t }
		}
	}
	return time.Now
}

// args wraps cobra's argument validators so misuse prints usage.
func args(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if err := v(cmd, a); err != nil {
			return usageError{err}
		}
		return nil
	}
}
