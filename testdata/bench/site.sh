#!/usr/bin/env bash
# site.sh: the site benchmark (DESIGN.md "Performance"). On a register of
# 10,000 cases (register demo --cases 10000 when the demo generator has
# it, else a synthetic one written here), side by side in the same run:
#   Hugo (Debian's hugo) rendering the same 10,000 case files once with a
#   minimal layout, against our full build of every audience from
#   nothing: wall time ratio <= 1.0, our peak RSS <= half of Hugo's;
#   then a rebuild after one case edit: under a tenth of our full build.
# Usage: bash testdata/bench/site.sh [CASES]   (register must be on PATH)
set -euo pipefail
n="${1:-10000}"
rounds="${ROUNDS:-2}"
command -v register >/dev/null || { echo "site.sh: register is not on PATH (make build)"; exit 1; }
command -v hugo >/dev/null || { echo "site.sh: SKIP: hugo is not installed (apt-get install hugo)"; exit 0; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
reg="$tmp/reg"

if register demo --help 2>/dev/null | grep -q -- '--cases'; then
	register demo "$reg" --cases "$n" --seed 1 >/dev/null
else
	echo "(register demo --cases is not available yet: writing a synthetic register)"
	mkdir -p "$reg"
	awk -v N="$n" -v DIR="$reg" '
	BEGIN {
		srand(1)
		split("reported triaged investigating resolved reviewed closed", st, " ")
		split("event weakness incident", cat, " ")
		split("theft-or-loss physical-security malware unsolicited-mail unauthorised-disclosure system-malfunction password-exposure", ty, " ")
		split("confidentiality integrity availability", im, " ")
		print "name: Benchmark register\norganisation: Example Council" > (DIR "/register.yaml")
		print "people:\n  - id: alice\n    name: Alice Analyst\n    email: alice@example.gov.uk\n    roles: [business-it]\n  - id: sam\n    name: Sam Simo\n    email: sam@example.gov.uk\n    roles: [simo]" > (DIR "/people.yaml")
		for (i = 1; i <= N; i++) {
			y = 2022 + int((i - 1) * 5 / N)
			ids[i] = sprintf("INC-%d-%04d", y, i); yy[i] = y
			dirs = dirs " " DIR "/cases/" y "/" ids[i]
			if (length(dirs) > 60000) { system("mkdir -p" dirs); dirs = "" }
		}
		if (dirs != "") system("mkdir -p" dirs)
		for (i = 1; i <= N; i++) {
			file = DIR "/cases/" yy[i] "/" ids[i] "/case.md"
			s = st[1 + int(rand() * 6)]
			pd = rand() < 0.3 ? "true" : "false"
			printf "---\nid: %s\ntitle: Case %d %s reported by a service\nstatus: %s\nreported_at: %d-%02d-%02dT%02d:15:00Z\nreported_by: a member of staff\n", ids[i], i, ty[1 + int(rand() * 7)], s, yy[i], 1 + int(rand() * 12), 1 + int(rand() * 28), 8 + int(rand() * 9) > file
			if (s != "reported")
				printf "category: %s\ntypes: [%s]\nimpact: [%s]\ninvestigator: %s\n", cat[1 + int(rand() * 3)], ty[1 + int(rand() * 7)], im[1 + int(rand() * 3)], (pd == "true" ? "sam" : "alice") > file
			printf "personal_data: %s\nupdates:\n  - at: %d-12-01T10:00:00Z\n    by: alice\n    to: reporter\n    note: Acknowledged and logged.\n---\n", pd, yy[i] > file
			printf "## What happened\n\nA member of staff reported **case %d**. The service desk logged the call and\nasked for the error message, which read `ERR_%d: access denied`.\n\n- The user could not open the shared drive.\n- The [knowledge base](https://intranet.example.gov.uk/kb/%d) was checked.\n\nInvestigation notes follow. The analyst checked the logs of the file server\nand the proxy, and found nothing that suggests data left the council.\n", i, i, i > file
			close(file)
		}
	}' </dev/null
	mkdir -p "$reg/minutes"
fi
# Let the kernel write the new register out before anything is timed.
sync
cases=$(find "$reg/cases" -name case.md | wc -l)

# Hugo's site: the same case files as content, a minimal layout.
hs="$tmp/hugo"
mkdir -p "$hs/content/cases" "$hs/layouts/_default"
find "$reg/cases" -name case.md | while read -r f; do
	cp "$f" "$hs/content/cases/$(basename "$(dirname "$f")").md"
done
cat >"$hs/hugo.toml" <<'TOML'
baseURL = "http://example.invalid/"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
TOML
echo '<!DOCTYPE html><html lang="en"><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1><p>{{ .Params.status }}</p>{{ .Content }}</body></html>' >"$hs/layouts/_default/single.html"
echo '<!DOCTYPE html><html lang="en"><head><title>{{ .Title }}</title></head><body><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>' >"$hs/layouts/_default/list.html"

# measure NAME CMD...: prints "seconds kilobytes" of one run.
measure() {
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >/dev/null 2>&1
	cat "$tmp/time"
}
best() { sort -n | head -1; }

: >"$tmp/hugo.t"; : >"$tmp/ours.t"; : >"$tmp/re.t"
for r in $(seq "$rounds"); do
	# A full build from nothing: no site, no site cache (beside the
	# output, or in .git/register/site of a Git register). What register
	# works out from the history stays warm — the index
	# (.git/register/index-v1.gob) and the case timelines and audit at
	# HEAD (.git/register/site-input-v3.bin): the history is the history
	# benchmark's subject, and Hugo reads no history. The line "full
	# build, history audit included" below measures a build without the
	# second, for the record.
	rm -rf "$tmp/hugo-out" "$tmp/public" "$tmp/.public.cache" "$reg/.git/register/site"
	measure hugo --quiet -s "$hs" -d "$tmp/hugo-out" >>"$tmp/hugo.t"
	if [ -d "$reg/.git" ] && [ "$r" = 1 ]; then
		register audit "$reg" >/dev/null 2>&1 || true
		rm -f "$reg/.git/register/site-input-v3.bin"
		measure register build "$reg" --out "$tmp/public" >"$tmp/audit.t"
		rm -rf "$tmp/public" "$reg/.git/register/site"
	fi
	measure register build "$reg" --out "$tmp/public" >>"$tmp/ours.t"
	f=$(find "$reg/cases" -name case.md | sort | sed -n "$((cases / 2 + r))p")
	printf '\nEdited in round %d.\n' "$r" >>"$f"
	REGISTER_TRACE=1 register build "$reg" --out "$tmp/public" 2>&1 >/dev/null | sed 's/^/  (trace, not timed) /' >&2 || true
	printf '\nEdited again in round %d.\n' "$r" >>"$f"
	measure register build "$reg" --out "$tmp/public" >>"$tmp/re.t"
done
# The same edit under register serve, which keeps what a build loaded
# for the next: the time of each rebuild as serve reports it, and the
# time from the edit until the preview has it (version.txt changes; this
# includes noticing the edit: serve looks every 200 ms).
serve_log="$tmp/serve.log"
register serve "$reg" --out "$tmp/public" --addr 127.0.0.1:0 >"$tmp/serve.out" 2>"$serve_log" &
serve_pid=$!
# (|| true: under set -e a failing command in the trap, such as killing
# the serve the script has stopped already, would fail the script.)
trap 'kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
# The loops below wait without starting a process (read from a pipe that
# never speaks, with a timeout): a loop of sleep and cat took enough of
# the two processors to slow the rebuilds it timed.
exec 9<> <(:)
pause() { read -r -t "$1" -u 9 || true; }
built() { # the number of builds serve has logged
	local n=0 line
	while IFS= read -r line; do [[ $line == "register: built "* ]] && n=$((n + 1)); done <"$serve_log"
	echo "$n"
}
wait_built() { # wait_built N: until serve has built N times
	for _ in $(seq 1200); do [ "$(built)" -ge "$1" ] && return 0; pause 0.05; done
	echo "site.sh: register serve did not rebuild:"; cat "$serve_log"; exit 1
}
wait_built 1
: >"$tmp/serve.t"; : >"$tmp/seen.t"
f=$(find "$reg/cases" -name case.md | sort | sed -n "$((cases / 3))p")
for r in $(seq 5); do
	n=$(built)
	read -r v <"$tmp/public/itparg/version.txt"
	start=$EPOCHREALTIME
	printf '\nEdited under serve, %d.\n' "$r" >>"$f"
	while :; do # (the file is missing for a moment while serve swaps the site in)
		read -r now <"$tmp/public/itparg/version.txt" 2>/dev/null || now=$v
		[ "$now" != "$v" ] && break
		pause 0.02
	done
	awk -v a="$EPOCHREALTIME" -v b="$start" 'BEGIN {printf "%.3f\n", a - b}' >>"$tmp/seen.t"
	wait_built $((n + 1))
	grep '^register: built ' "$serve_log" | tail -1 | sed 's/.* in \([0-9.]*\)s$/\1/' >>"$tmp/serve.t"
	pause 1
done
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
st=$(median <"$tmp/serve.t"); sb=$(sort -n "$tmp/serve.t" | head -1); seen=$(median <"$tmp/seen.t")

read -r ht hm < <(best <"$tmp/hugo.t")
read -r ot om < <(best <"$tmp/ours.t")
read -r rt rm_ < <(best <"$tmp/re.t")
hm_peak=$(sort -k2 -n "$tmp/hugo.t" | head -1 | cut -d' ' -f2)
om_peak=$(sort -k2 -n "$tmp/ours.t" | tail -1 | cut -d' ' -f2)
audiences=$(ls "$tmp/public" | wc -l)
pages=$(find "$tmp/public" -name '*.html' | wc -l)
read -r at am < <(cat "$tmp/audit.t" 2>/dev/null) || true
awk -v at="${at:-}" -v am="${am:-0}" -v c="$cases" -v a="$audiences" -v p="$pages" -v ht="$ht" -v hm="$hm_peak" -v ot="$ot" -v om="$om_peak" -v rt="$rt" -v rounds="$rounds" -v st="$st" -v sb="$sb" -v seen="$seen" 'BEGIN {
	printf "site: %d cases, %d audiences, %d pages; best of %d rounds, side by side\n", c, a, p, rounds
	printf "  hugo full build      %6.2f s  %6.0f MiB peak\n", ht, hm / 1024
	printf "  register full build  %6.2f s  %6.0f MiB peak   time ratio %.2f (<= 1.00)  memory ratio %.2f (<= 0.50)\n", ot, om / 1024, ot / ht, om / hm
	printf "  rebuild, one edit, register build (a new process)  %5.2f s   ratio to full build %.3f (< 0.100: %s)\n", rt, rt / ot, rt / ot < 0.1 ? "met" : "MISSED"
	printf "  rebuild, one edit, register serve (median of 5)    %5.2f s   ratio to full build %.3f (< 0.100: %s); best %.2f s\n", st, st / ot, st / ot < 0.1 ? "met" : "MISSED", sb
	printf "  register serve, from the edit to the preview (median of 5): %.2f s (no target)\n", seen
	if (at != "") printf "  full build, history audit included: %.2f s, %.0f MiB peak (no target)\n", at, am / 1024
	ok = (ot / ht <= 1.0) && (om / hm <= 0.5) && (rt / ot < 0.1) && (st / ot < 0.1)
	print ok ? "  PASS" : "  FAIL: a target is missed"
}'
