#!/usr/bin/env bash
# make bench: every benchmark of the project, side by side with its
# reference where it has one. Each area's script is testdata/bench/<area>.sh
# and prints its own figures; run one alone with `bash testdata/bench/<area>.sh`.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/bin:$PATH"
# The references the benchmarks compare against: gpg, git, Hugo, GNU time.
if ! command -v hugo >/dev/null || [ ! -x /usr/bin/time ]; then
	sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq hugo time >/dev/null
fi
for s in testdata/bench/*.sh; do
	[ "$(basename "$s")" = run.sh ] && continue
	echo "== $(basename "$s" .sh)"
	bash "$s"
done
