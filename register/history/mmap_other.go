//go:build !unix

package history

import "os"

func mapFile(*os.File) []byte     { return nil }
func unmapFile(data []byte) error { return nil }
