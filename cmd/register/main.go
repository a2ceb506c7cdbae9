// Command register keeps a council's information-security incident
// register as a Git repository and publishes it as a static site.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

func main() {
	hugeHeap(hugeHeapSize, os.Getenv("GODEBUG"))
	stop := profile(os.Getenv("REGISTER_CPUPROFILE"))
	code := run(os.Args[1:], stdio())
	stop()
	if file := os.Getenv("REGISTER_MEMPROFILE"); file != "" {
		if f, err := os.Create(file); err == nil {
			runtime.GC() // the profile counts up to the last collection
			pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	os.Exit(code)
}

// profile writes a CPU profile of the whole run to file, when it is set:
// the developers' way to see where a verb spends its time on a real
// register (see testdata/bench). REGISTER_MEMPROFILE likewise writes
// what the run allocated.
func profile(file string) (stop func()) {
	if file == "" {
		return func() {}
	}
	f, err := os.Create(file)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "register: REGISTER_CPUPROFILE: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
