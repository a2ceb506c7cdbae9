package main

import (
	"bytes"
	"context"
	"fmt"

	reports "github.com/council/register/register/report"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, newBreachesCmd) }

type breachesOptions struct {
	Dir    string
	Format string
	Out    string
}

func newBreachesCmd(e *env) *cobra.Command {
	var o breachesOptions
	cmd := &cobra.Command{
		Use:   "breaches",
		Short: "Write the record of personal-data breaches (UK GDPR Art. 33(5))",
		Long: `Breaches writes the record every controller keeps of personal-data breaches,
notified to the ICO or not: for every case with personal data, the facts, the
effects and the remedial action, and the ICO decision. As CSV (RFC 4180, the
default) or Markdown, to standard output or --out FILE.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return runBreaches(cmd.Context(), e, o) },
	}
	cmd.Flags().StringVarP(&o.Dir, "dir", "C", ".", "the register's folder")
	cmd.Flags().StringVar(&o.Format, "format", "csv", "csv or md")
	cmd.Flags().StringVarP(&o.Out, "out", "o", "", "write to FILE instead of standard output")
	return cmd
}

func runBreaches(ctx context.Context, e *env, o breachesOptions) error {
	if o.Format != "csv" && o.Format != "md" {
		return usageError{fmt.Errorf("unknown format %q (csv or md)", o.Format)}
	}
	reg, err := loadClean(ctx, e, o.Dir)
	if err != nil {
		return err
	}
	cases := reports.Breaches(reg, nil)
	var b bytes.Buffer
	if o.Format == "csv" {
		err = reports.BreachesCSV(&b, cases, reg.Settings.Location())
	} else {
		err = reports.BreachesMarkdown(&b, cases, reg.Settings.Location())
	}
	if err != nil {
		return fmt.Errorf("breaches: %w", err)
	}
	return writeOutput(e, o.Out, b.Bytes())
}
