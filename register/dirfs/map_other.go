//go:build !unix

package dirfs

import "os"

// Map returns nil here: read the file instead.
func Map(*os.File) []byte { return nil }

// Unmap does nothing here.
func Unmap(data []byte) error { return nil }
