// Command synth writes a synthetic register history for benchmarks:
//
//	go run ./register/history/internal/synth/cmd/synth -cases 10000 -minutes 250 DIR
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/council/register/register/history/internal/synth"
)

func main() {
	cases := flag.Int("cases", 10000, "number of cases (three commits each)")
	minutes := flag.Int("minutes", 250, "number of minutes files")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: synth [-cases N] [-minutes N] DIR")
		os.Exit(2)
	}
	if err := synth.Generate(context.Background(), flag.Arg(0), synth.Options{Cases: *cases, Minutes: *minutes}); err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(1)
	}
}
