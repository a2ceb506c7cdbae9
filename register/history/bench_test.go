package history_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/council/register/register/history"
	"github.com/council/register/register/history/internal/synth"
)

// benchRepo returns the repository to benchmark: $REGISTER_BENCH_REPO
// (testdata/bench/history.sh makes a 10,000-case one), or a small
// synthetic history made for the run.
func benchRepo(b *testing.B) string {
	b.Helper()
	if dir := os.Getenv("REGISTER_BENCH_REPO"); dir != "" {
		return dir
	}
	dir := filepath.Join(b.TempDir(), "reg")
	if err := synth.Generate(context.Background(), dir, synth.Options{Cases: 300, Minutes: 10}); err != nil {
		b.Skipf("cannot make a synthetic history (is git installed?): %v", err)
	}
	return dir
}

func openBench(b *testing.B, dir string) *history.Repo {
	b.Helper()
	r, err := history.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkIndexCold builds the index with no cache.
func BenchmarkIndexCold(b *testing.B) {
	dir := benchRepo(b)
	for b.Loop() {
		os.RemoveAll(filepath.Join(dir, ".git", "register"))
		r := openBench(b, dir)
		ix, err := r.Index(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(ix.Commits)), "commits")
		r.Close()
	}
}

// BenchmarkIndexWarm reads the index from its cache.
func BenchmarkIndexWarm(b *testing.B) {
	dir := benchRepo(b)
	r := openBench(b, dir)
	if _, err := r.Index(context.Background()); err != nil {
		b.Fatal(err)
	}
	r.Close()
	for b.Loop() {
		r := openBench(b, dir)
		if _, err := r.Index(context.Background()); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}
