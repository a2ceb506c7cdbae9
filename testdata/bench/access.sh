#!/usr/bin/env bash
# Access control: the cost of register build --encrypt against a plain
# build of the same synthetic register (N cases, default 10,000), side by
# side in one run. Needs bin/register (make build).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/bin:$PATH"
n=${N:-10000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
reg=$dir/reg
mkdir -p "$reg/keys"
cp site/seal/testdata/reg/register.yaml site/seal/testdata/reg/people.yaml "$reg/"
cp site/seal/testdata/reg/keys/*.asc "$reg/keys/"
# One awk process writes every case: a shell loop takes minutes.
awk -v n="$n" -v reg="$reg" 'BEGIN {
	for (i = 1; i <= n; i++) {
		id = sprintf("INC-2026-%04d", i)
		d = reg "/cases/2026/" id
		system("mkdir -p " d)
		f = d "/case.md"
		printf "---\nid: %s\ntitle: Synthetic case number %d\nstatus: reported\n", id, i > f
		printf "reported_at: 2026-11-20T09:00:00Z\nreported_by: a member of staff\nreported_to:\n  - service-desk\n" > f
		printf "personal_data: %s\nhard_copy: false\nservice_affecting: false\n---\n\n", (i % 3 == 0 ? "true" : "false") > f
		printf "## What happened\n\nSynthetic narrative of case %d, long enough to look like a real one.\n", i > f
		close(f)
	}
}'
export REGISTER_NOW=2026-11-28T10:00:00Z
export REGISTER_KEY_ITPARG='correct horse battery staple'
export REGISTER_KEY_BUSINESS_IT='another long passphrase here'
t() {
	local s e
	s=$(date +%s.%N)
	"$@" >/dev/null 2>"$dir/err" || { cat "$dir/err" >&2; exit 1; }
	e=$(date +%s.%N)
	awk -v s="$s" -v e="$e" 'BEGIN { print e - s }'
}
plain=$(t register build --out "$dir/plain" "$reg")
sealed=$(t register build --encrypt --out "$dir/sealed" "$reg")
files=$(find "$dir/sealed" -type f | wc -l)
printf 'access: %d cases, %d files: plain build %.2fs, --encrypt build %.2fs (ratio %.2f)\n' \
	"$n" "$files" "$plain" "$sealed" "$(awk -v a="$sealed" -v b="$plain" 'BEGIN { print a / b }')"
