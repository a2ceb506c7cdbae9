//go:build !linux

package main

const hugeHeapSize = 0

// hugeHeap does nothing here: see heap_linux.go.
func hugeHeap(size int, godebug string) bool { return false }
