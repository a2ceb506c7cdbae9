#!/usr/bin/env bash
# make bench: every benchmark of the project, side by side with its
# reference where it has one. Each area's script is testdata/bench/<area>.sh
# and prints its own figures; run one alone with `bash testdata/bench/<area>.sh`.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/bin:$PATH"
for s in testdata/bench/*.sh; do
	[ "$(basename "$s")" = run.sh ] && continue
	echo "== $(basename "$s" .sh)"
	bash "$s"
done
