//go:build !linux

package dirfs

import (
	"io/fs"
	"os"
)

func newFS(dir string) fs.FS { return os.DirFS(dir) }
