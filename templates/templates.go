// Package templates holds the site's HTML templates, stylesheets and
// scripts, embedded in the binary so building a site never needs Node.
package templates

import "embed"

// FS holds every file of this folder and its subfolders (the pattern
// leaves out names starting with "." or "_").
//
//go:embed *
var FS embed.FS
