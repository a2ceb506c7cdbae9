package dirfs

import "io/fs"

// A Dir is a folder open for writing many files into by name, as a build
// writes thousands of pages into a tree's cases folder and links each
// into the other trees. On Linux each file is made relative to the open
// folder, so no path is looked up again, with bare system calls;
// elsewhere it is os.WriteFile and os.Link on the joined path.
type Dir struct{ dir }

// OpenDir opens the folder at path for writing into.
func OpenDir(path string) (*Dir, error) {
	d, err := openDir(path)
	if err != nil {
		return nil, err
	}
	return &Dir{d}, nil
}

// WriteFile writes data to the file name in the folder, creating it with
// perm or truncating it, as os.WriteFile does.
func (d *Dir) WriteFile(name string, data []byte, perm fs.FileMode) error {
	return d.writeFile(name, data, perm)
}

// Link makes the file name in the folder also the file name in to: a
// hard link, so both names are the one file.
func (d *Dir) Link(name string, to *Dir) error { return d.link(name, &to.dir) }

// A Stamp is a file's size and modification time (in nanoseconds): what
// caches key a file's content on, as Git's index does.
type Stamp struct{ Size, ModTime int64 }

// Stamp returns the stamp of the file at the slash path name under the
// folder, as cheaply as it can: a build looks at ten thousand case files.
// The error is a *fs.PathError; fs.ErrNotExist for a missing file.
func (d *Dir) Stamp(name string) (Stamp, error) { return d.stamp(name) }

// Close closes the folder.
func (d *Dir) Close() error { return d.close() }
