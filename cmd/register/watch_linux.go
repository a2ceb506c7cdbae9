package main

import (
	"errors"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"unsafe"

	"github.com/council/register/register/dirfs"
)

// inotifyChanges learns of changes from the kernel (inotify): each
// folder of the register is watched, so asking costs a system call
// instead of a walk of the register, and serve sits idle between edits.
type inotifyChanges struct {
	fd      int
	dir     string
	skip    []string
	skipped []string          // slash paths in dir
	watched map[int32]watched // by watch descriptor
	buf     []byte
	// poll takes over when a folder made later cannot be watched (past
	// fs.inotify.max_user_watches): edits in it would go unseen.
	poll *pollChanges
}

type watched struct {
	rel string // the folder's slash path in dir
	git bool   // a folder of .git: only ref updates count
}

// watchMask is what is watched: files written, made, removed, moved or
// touched, and the folder itself removed or moved.
const watchMask = syscall.IN_CLOSE_WRITE | syscall.IN_MODIFY | syscall.IN_CREATE | syscall.IN_DELETE |
	syscall.IN_MOVED_FROM | syscall.IN_MOVED_TO | syscall.IN_ATTRIB | syscall.IN_DELETE_SELF | syscall.IN_MOVE_SELF |
	syscall.IN_ONLYDIR

func watchChanges(dir string, skip []string) (changes, error) {
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
	if err != nil {
		return nil, err
	}
	w := &inotifyChanges{fd: fd, dir: dir, skip: skip, skipped: skippedIn(dir, skip), watched: map[int32]watched{}, buf: make([]byte, 64<<10)}
	if err := w.watchAll(); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

// watchAll watches every folder of the register, and .git's refs.
func (w *inotifyChanges) watchAll() error {
	if err := w.watchTree(".", false); err != nil {
		return err
	}
	if st, err := fs.Stat(dirfs.New(w.dir), ".git"); err == nil && st.IsDir() {
		if err := w.watch(".git", true); err != nil {
			return err
		}
		return w.watchTree(".git/refs/heads", true)
	}
	return nil
}

// watchTree watches the folder rel and every folder in it, but hidden
// and skipped ones.
func (w *inotifyChanges) watchTree(rel string, git bool) error {
	err := fs.WalkDir(dirfs.New(w.dir), rel, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == rel {
				return err
			}
			return nil // gone meanwhile: its parent's event said so
		}
		if !d.IsDir() {
			return nil
		}
		if p != rel && (strings.HasPrefix(d.Name(), ".") || w.skips(p)) {
			return fs.SkipDir
		}
		return w.watch(p, git)
	})
	if errors.Is(err, fs.ErrNotExist) && rel != "." {
		return nil
	}
	return err
}

func (w *inotifyChanges) watch(rel string, git bool) error {
	wd, err := addWatch(w.fd, filepath.Join(w.dir, filepath.FromSlash(rel)), watchMask)
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTDIR) {
		return nil
	}
	if err != nil {
		// ENOSPC: more folders than fs.inotify.max_user_watches allows.
		return err
	}
	w.watched[int32(wd)] = watched{rel: rel, git: git}
	return nil
}

// addWatch is inotify_add_watch; tests make it fail.
var addWatch = syscall.InotifyAddWatch

func (w *inotifyChanges) skips(rel string) bool {
	for _, s := range w.skipped {
		if rel == s || strings.HasPrefix(rel, s+"/") {
			return true
		}
	}
	return false
}

// since reads the events that came since it was last called and reports
// whether any changed the register. Folders made meanwhile are watched
// from now on.
func (w *inotifyChanges) since() bool {
	if w.poll != nil {
		return w.poll.since()
	}
	changed := false
	for {
		n, err := syscall.Read(w.fd, w.buf)
		if n <= 0 || err != nil {
			// EAGAIN: no more events. Any other error: say changed, so
			// serve rebuilds rather than miss an edit.
			return changed || (err != nil && !errors.Is(err, syscall.EAGAIN))
		}
		for b := w.buf[:n]; len(b) >= syscall.SizeofInotifyEvent; {
			ev := (*syscall.InotifyEvent)(unsafe.Pointer(&b[0]))
			end := syscall.SizeofInotifyEvent + int(ev.Len)
			if end > len(b) {
				break
			}
			name := strings.TrimRight(string(b[syscall.SizeofInotifyEvent:end]), "\x00")
			b = b[end:]
			if w.event(ev.Wd, ev.Mask, name) {
				changed = true
			}
		}
	}
}

// event handles one event and reports whether it changed the register.
func (w *inotifyChanges) event(wd int32, mask uint32, name string) bool {
	if mask&syscall.IN_Q_OVERFLOW != 0 {
		// Events were lost: watch whatever is there now, and rebuild.
		w.watchedAll(w.watchAll())
		return true
	}
	f, ok := w.watched[wd]
	if mask&syscall.IN_IGNORED != 0 {
		delete(w.watched, wd) // the folder is gone; its parent said so
		return false
	}
	if !ok {
		return false
	}
	if name == "" {
		return !f.git // the folder itself removed or moved
	}
	rel := path.Join(f.rel, name)
	if mask&syscall.IN_ISDIR != 0 && mask&(syscall.IN_CREATE|syscall.IN_MOVED_TO) != 0 && !strings.HasPrefix(name, ".") && !w.skips(rel) {
		w.watchedAll(w.watchTree(rel, f.git))
	}
	switch {
	case f.git && f.rel == ".git":
		return name == "HEAD" || name == "packed-refs"
	case f.git:
		return !strings.HasSuffix(name, ".lock")
	}
	return !strings.HasPrefix(name, ".") && !w.skips(rel)
}

// watchedAll hands over to polling if a folder could not be watched.
func (w *inotifyChanges) watchedAll(err error) {
	if err != nil && w.poll == nil {
		w.poll = &pollChanges{dir: w.dir, skip: w.skip, last: fingerprint(w.dir, w.skip)}
	}
}

func (w *inotifyChanges) close() { syscall.Close(w.fd) }
