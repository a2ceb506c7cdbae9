//go:build !linux

package main

import "errors"

func watchChanges(dir string, skip []string) (changes, error) {
	return nil, errors.New("watching for changes needs Linux's inotify here")
}
