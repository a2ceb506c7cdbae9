//go:build !unix

package dirfs

import "os"

// MapFile reads the named file here; mapped is always false.
func MapFile(name string) (data []byte, mapped bool, err error) {
	data, err = os.ReadFile(name)
	return data, false, err
}

// Map returns nil here: read the file instead.
func Map(*os.File) []byte { return nil }

// Unmap does nothing here.
func Unmap(data []byte) error { return nil }
