#!/usr/bin/env bash
# register check on a 10,000-case register: wall time and peak memory
# (targets: under 1 s and under 300 MB on the 2-core build machine),
# cold (no parse cache: the first run after a clone or a new build) and
# warm (every later run: only changed files are parsed).
#
# The register is `register demo --cases 10000` when the binary has that
# verb, else the synthetic register of the register package's
# BenchmarkLoadCheck (realistic cases of about 2.4 KB, 250 minutes).
# Set BENCH_DIR to keep and reuse it between runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x bin/register ] || go build -o bin/register ./cmd/register
dir=${BENCH_DIR:-$(mktemp -d)}
[ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$dir"' EXIT
reg=$dir/check-10000
if [ ! -f "$reg/register.yaml" ]; then
	if bin/register demo --help >/dev/null 2>&1; then
		echo "generating $reg with register demo --cases 10000"
		bin/register demo "$reg" --cases 10000 --seed 1 >/dev/null
	else
		echo "generating $reg with BenchmarkLoadCheck's generator"
		REGISTER_BENCH_DIR=$reg go test ./register -run '^$' -bench '^BenchmarkLoadCheck$' -benchtime 1x >/dev/null
	fi
fi
# The register was perhaps just written: let the kernel write it out
# first, so the runs below time register check, not the disk's flush.
sync
echo "$(find "$reg/cases" -name case.md | wc -l) cases, $(find "$reg/cases" -name case.md -printf '%s\n' | awk '{s+=$1} END {printf "%.1f MB", s/1048576}') of case files"
# measure: one timed run of register check; sets wall, cpu and rss.
measure() {
	/usr/bin/time -v -o "$dir/time.txt" bin/register check "$reg" >/dev/null 2>&1 || true
	out=$(cat "$dir/time.txt")
	wall=$(echo "$out" | awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2, t, ":"); s=0; for (j=1; j<=n; j++) s=s*60+t[j]; print s}')
	rss=$(echo "$out" | awk -F': ' '/Maximum resident set size/ {print int($2/1024)}')
	cpu=$(echo "$out" | awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u+s}')
}
verdict() { awk -v v="$1" -v t="$2" 'BEGIN {print (v < t ? "ok" : "OVER TARGET")}'; }
cache=$reg/.git/register/parse-cache-v1
bin/register check "$reg" >/dev/null 2>&1 || true # warm the page cache

# Cold: no parse cache (a fresh clone, or the first run of a new build of
# register): every file's YAML is parsed, and the cache is written.
best_cold=999 cold_rss=0
for i in 1 2 3; do
	rm -f "$cache"
	measure
	echo "cold run $i: ${wall} s wall, ${cpu} s CPU, ${rss} MB max RSS"
	best_cold=$(awk -v a="$wall" -v b="$best_cold" 'BEGIN {print (a < b ? a : b)}')
	cold_rss=$(( rss > cold_rss ? rss : cold_rss ))
done
# Warm: every later run, which parses only the files that changed.
best_wall=999 best_rss=0
for i in 1 2 3 4 5; do
	measure
	echo "warm run $i: ${wall} s wall, ${cpu} s CPU, ${rss} MB max RSS"
	best_wall=$(awk -v a="$wall" -v b="$best_wall" 'BEGIN {print (a < b ? a : b)}')
	best_rss=$(( rss > best_rss ? rss : best_rss ))
done
echo "register check, 10,000 cases, parse cache warm: best wall ${best_wall} s (target < 1 s: $(verdict "$best_wall" 1)); max RSS ${best_rss} MB (target < 300 MB: $(verdict "$best_rss" 300))"
echo "register check, 10,000 cases, no parse cache:   best wall ${best_cold} s (target < 1 s: $(verdict "$best_cold" 1)); max RSS ${cold_rss} MB (target < 300 MB: $(verdict "$cold_rss" 300)); load average $(cut -d' ' -f1-3 /proc/loadavg)"
