// Package history reads a register's Git history as its audit trail: an
// index of every commit with the case and minutes files it touched, the
// transitions and field changes it made, its signature verdict, and the
// rules it broke.
//
// # Use
//
//	repo, err := history.Open(dir) // a working copy or a bare repository
//	defer repo.Close()
//	ix, err := repo.Index(ctx)     // everything reachable from HEAD
//	for _, e := range ix.Case("INC-2026-0007") { // oldest first
//		e.Hash, e.Author.When, e.AuthorID, e.Verdict, e.Signer
//		e.Change.Transition(), e.Change.Fields
//	}
//	ix.Head                        // the commit the index was read from
//
// Index.File and Index.Minutes give the trail of any file; Index.Commits
// lists every commit, parents before children. Repo.CheckRange judges
// the commits of A..B as they would land on a branch, Repo.Audit the
// whole history, Repo.Staged a commit not yet made (the pre-commit hook).
//
// # How it is fast
//
// The index is built in one walk of the commits, diffing each commit's
// tree against its first parent by comparing raw tree entries by hash and
// descending only into folders whose hashes differ; objects are read
// straight from the pack files (mapped, deltas resolved by offset, with a
// cache of resolved objects), and commits are judged on both processors.
// go-git's DiffTree and Log with a path filter are far too slow for a
// register of 30,000 commits (DESIGN.md, "History"). The finished index
// is cached in the repository's Git folder (register/index-v1.gob, with a
// SHA-256 of its content), keyed by commit hash, so the next run reads
// only new commits; a damaged or foreign cache is rebuilt.
//
// # How commits are judged
//
// A commit is judged by the settings, people, workflow and keys of its
// parent (its own, for the first commit), so nobody can add themselves
// and act in the same commit. Its signature is verified as of the
// commit's own time. A merge is judged by the commits it brings in; what
// it changes beyond all its parents is judged as its author's change.
// docs/audit-trail.md lists every rule.
package history
