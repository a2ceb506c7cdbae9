// Package hooks holds the Git hook scripts of a register. Each is a few
// lines of POSIX sh that call `register hook NAME`; `register hooks
// install` writes them into a repository.
package hooks

import "embed"

// FS holds the scripts by hook name.
//
//go:embed pre-commit commit-msg pre-receive
var FS embed.FS

// Names are the hooks of a working copy; a server (a bare repository)
// takes pre-receive.
var Names = []string{"pre-commit", "commit-msg"}
