#!/usr/bin/env bash
# register demo at benchmark size: 10,000 cases with their full signed
# history (about 37,000 commits). Prints wall time and peak memory.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/bin:$PATH"
CASES=${CASES:-10000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/time -f 'register demo --cases '"$CASES"': %e s wall, %U s user, %S s sys, %M KB max RSS' \
	register demo "$tmp/reg" --cases "$CASES" --seed 1
du -sh "$tmp/reg/.git" | sed 's/^/pack and index: /'
if command -v git >/dev/null; then
	printf 'commits: %s\n' "$(git -C "$tmp/reg" rev-list --count HEAD)"
fi
