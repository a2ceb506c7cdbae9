package main

import (
	"runtime"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"
)

func TestProfResidentTmp(t *testing.T) {
	var errs bytes.Buffer
	e := &env{streams: &streams{Out: io.Discard, Err: &errs}, Now: time.Now}
	o := buildOptions{Dir: "/tmp/bench/reg-new3", Out: "/tmp/bench/pub-new3", reload: true, resident: new(resident)}
	f := "/tmp/bench/reg-new3/cases/2024/INC-2024-2447/case.md"
	n, _ := strconv.Atoi(os.Getenv("N"))
	if n == 0 {
		n = 12
	}
	var walls, cpus []time.Duration
	for i := range n + 2 {
		fh, _ := os.OpenFile(f, os.O_APPEND|os.O_WRONLY, 0)
		fmt.Fprintf(fh, "\nProf edit %d.\n", i)
		fh.Close()
		if i == 2 && os.Getenv("PROF") != "" {
			pf, _ := os.Create(os.Getenv("PROF"))
			pprof.StartCPUProfile(pf)
			defer func() { pprof.StopCPUProfile(); pf.Close() }()
		}
		errs.Reset()
		t0 := time.Now()
		var r0, r1 syscall.Rusage
		syscall.Getrusage(0, &r0)
		if err := runBuild(context.Background(), e, o); err != nil {
			t.Fatal(err)
		}
		syscall.Getrusage(0, &r1)
		cpu := time.Duration(r1.Utime.Nano() - r0.Utime.Nano() + r1.Stime.Nano() - r0.Stime.Nano())
		wall := time.Since(t0)
		if os.Getenv("IDLEGC") != "" {
			runtime.GC()
		}
		time.Sleep(300 * time.Millisecond)
		if i >= 2 {
			walls = append(walls, wall.Round(time.Millisecond))
			cpus = append(cpus, cpu.Round(time.Millisecond))
		}
	}
	t.Log(errs.String())
	slices.Sort(walls)
	slices.Sort(cpus)
	t.Logf("RESULT wall min %v median %v; cpu min %v median %v", walls[0], walls[len(walls)/2], cpus[0], cpus[len(cpus)/2])
}
