#!/usr/bin/env bash
# Evidence encryption: `register evidence add` of a 1 GB file to 3
# recipients, side by side with `gpg --encrypt` to the same 3 keys in the
# same run. Targets: wall time at most 1.5x gpg's, peak memory under 64 MB.
# SIZE_MB overrides the size (default 1024).
set -euo pipefail
cd "$(dirname "$0")/../.."
size_mb=${SIZE_MB:-1024}
for need in /usr/bin/time gpg; do
	command -v "$need" >/dev/null || {
		echo "evidence: SKIPPED: $need is missing (apt-get install time gnupg)"
		exit 0
	}
done

tmp=$(mktemp -d)
export GNUPGHOME="$tmp/gnupg"
cleanup() {
	gpgconf --kill gpg-agent 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -m 700 "$GNUPGHOME"

if [ -x bin/register ]; then
	reg_bin=$PWD/bin/register
else
	go build -o "$tmp/register" ./cmd/register
	reg_bin=$tmp/register
fi

# A register whose evidence goes to the investigator, the SIMO and the DPO,
# with the throwaway test keys of register/evidence/testdata.
reg=$tmp/reg
mkdir -p "$reg/keys" "$reg/cases/2026/INC-2026-0001"
cat >"$reg/register.yaml" <<'EOF'
name: Bench register
organisation: Example Council
evidence:
  roles: [simo, dpo]
EOF
cat >"$reg/people.yaml" <<'EOF'
people:
  - {id: alice, name: Alice Analyst, email: alice@example.gov.uk, roles: [business-it]}
  - {id: sam, name: Sam Simo, email: sam@example.gov.uk, roles: [simo]}
  - {id: dana, name: Dana Dpo, email: dana@example.gov.uk, roles: [dpo]}
EOF
cat >"$reg/cases/2026/INC-2026-0001/case.md" <<'EOF'
---
id: INC-2026-0001
title: Bench case
status: investigating
reported_at: 2026-11-20T09:00:00Z
reported_by: a member of staff
category: incident
types: [theft-or-loss]
impact: [confidentiality]
investigator: alice
---
Bench.
EOF
for p in alice sam dana; do
	cp "register/evidence/testdata/$p.asc" "$reg/keys/$p.asc"
	gpg --batch --quiet --import "$reg/keys/$p.asc" 2>/dev/null
done

# Random bytes, so that gpg's default compression gains nothing either.
input=$tmp/disk.img
head -c "$((size_mb * 1024 * 1024))" /dev/urandom >"$input"
cat "$input" >/dev/null # warm the page cache for both

# measure NAME CMD...: prints wall seconds and max RSS (KB) of CMD.
measure() {
	local name=$1
	shift
	/usr/bin/time -v -o "$tmp/$name.time" "$@" >/dev/null 2>"$tmp/$name.err" || {
		cat "$tmp/$name.err" >&2
		return 1
	}
	local wall rss
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$tmp/$name.time")
	rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/$name.time")
	echo "$wall $rss"
}

recipients=(-r alice@example.gov.uk -r sam@example.gov.uk -r dana@example.gov.uk)
read -r gpg_wall gpg_rss < <(measure gpg gpg --batch --yes --trust-model always "${recipients[@]}" --output "$tmp/gpg.pgp" --encrypt "$input")
rm -f "$tmp/gpg.pgp"
read -r gpgz_wall gpgz_rss < <(measure gpgz gpg --batch --yes --trust-model always -z 0 "${recipients[@]}" --output "$tmp/gpg.pgp" --encrypt "$input")
rm -f "$tmp/gpg.pgp"
read -r reg_wall reg_rss < <(measure register "$reg_bin" evidence add --dir "$reg" --as alice INC-2026-0001 "$input" --description 'bench image')
"$reg_bin" check "$reg" 2>/dev/null >/dev/null || { echo "register check failed on the benchmark's evidence" >&2; exit 1; }
rm -f "$reg"/cases/2026/INC-2026-0001/evidence/*.pgp

awk -v mb="$size_mb" -v gw="$gpg_wall" -v gr="$gpg_rss" -v zw="$gpgz_wall" -v zr="$gpgz_rss" -v rw="$reg_wall" -v rr="$reg_rss" 'BEGIN {
	printf "evidence: encrypt %d MB of random bytes to 3 recipients (AES-256)\n", mb
	printf "  %-34s %8.2f s  %7.1f MB max RSS\n", "gpg --encrypt (default, zlib)", gw, gr / 1024
	printf "  %-34s %8.2f s  %7.1f MB max RSS\n", "gpg --encrypt -z 0 (no compression)", zw, zr / 1024
	printf "  %-34s %8.2f s  %7.1f MB max RSS\n", "register evidence add", rw, rr / 1024
	printf "  ratio register/gpg: %.2fx (default gpg), %.2fx (gpg -z 0); target <= 1.5x\n", rw / gw, rw / zw
	printf "  register peak memory: %.1f MB; target < 64 MB\n", rr / 1024
	bad = (rw > 1.5 * gw) || (rr >= 64 * 1024)
	printf "  %s\n", bad ? "FAIL: target missed" : "ok: within target"
}'
