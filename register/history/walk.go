package history

import (
	"container/heap"
	"context"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// rangeWalk finds the commits reachable from to but not from from, as
// `git rev-list from..to` does, reading only the commits near the two
// ends rather than the whole history: it walks both sides newest first
// and stops when every commit left to read is reachable from from. It
// also reports whether from is an ancestor of to. Clock skew is allowed
// for by reading the from side a day further back than the range.
func (r *Repo) rangeWalk(ctx context.Context, from, to plumbing.Hash) (map[plumbing.Hash]bool, bool, error) {
	const (
		sideTo   = 1
		sideFrom = 2
	)
	flags := map[plumbing.Hash]uint8{}
	when := map[plumbing.Hash]time.Time{}
	parents := map[plumbing.Hash][]plumbing.Hash{}
	q := &commitQueue{}
	interesting := 0 // queued commits not reachable from from
	push := func(h plumbing.Hash, f uint8) error {
		old := flags[h]
		if old|f == old {
			return nil
		}
		if _, ok := when[h]; !ok {
			c, _, err := r.commitFrom(h)
			if err != nil {
				return err
			}
			when[h] = c.Committer.When
			parents[h] = c.ParentHashes
		}
		flags[h] = old | f
		if flags[h]&sideFrom == 0 {
			interesting++
		}
		heap.Push(q, queued{h: h, when: when[h], flags: flags[h]})
		return nil
	}
	if err := push(to, sideTo); err != nil {
		return nil, false, err
	}
	if !from.IsZero() {
		if err := push(from, sideFrom); err != nil {
			return nil, false, err
		}
	}
	var oldest time.Time
	for q.Len() > 0 {
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		top := (*q)[0]
		if interesting == 0 && (oldest.IsZero() || top.when.Before(oldest.Add(-24*time.Hour))) {
			break
		}
		it := heap.Pop(q).(queued)
		if it.flags&sideFrom == 0 {
			interesting--
		}
		if it.flags != flags[it.h] {
			continue // queued again with more flags
		}
		if it.flags&sideFrom == 0 && (oldest.IsZero() || it.when.Before(oldest)) {
			oldest = it.when
		}
		for _, p := range parents[it.h] {
			if err := push(p, it.flags); err != nil {
				return nil, false, err
			}
		}
	}
	out := map[plumbing.Hash]bool{}
	for h, f := range flags {
		if f == sideTo {
			out[h] = true
		}
	}
	return out, from.IsZero() || flags[from]&sideTo != 0, nil
}

type queued struct {
	h     plumbing.Hash
	when  time.Time
	flags uint8
}

type commitQueue []queued

func (q commitQueue) Len() int           { return len(q) }
func (q commitQueue) Less(i, j int) bool { return q[i].when.After(q[j].when) }
func (q commitQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *commitQueue) Push(x any)        { *q = append(*q, x.(queued)) }
func (q *commitQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}
