#!/usr/bin/env bash
# bench/search.sh: issue 12's search targets, measured on a generated
# capsule (10,000 articles unless N says otherwise).
#
# Builds the server and the tools, generates the capsule as bench/run.sh
# does (5-15 KB articles, 300 tags; the two scripts share SCRATCH), starts
# Broadside with an empty state folder and prints:
#   - how long the search index takes to build in the background, and how
#     long the server took to serve its index meanwhile (readiness must
#     not wait for the build);
#   - for each query shape, p50 and p99 latency and req/s with C clients
#     (a full TLS handshake per request, as bench/gemload does), REPS
#     runs each, interleaved, medians and the range of p99s.
#
#   bench/search.sh                       # about 5 minutes
#   N=1000 DUR=3s REPS=1 bench/search.sh  # a quick look
#
# Knobs: N=10000 C=8 DUR=8s REPS=3 SCRATCH=/tmp/broadside-bench
#        SITE_LANG=en (the site's lang, which articles without one get)
#        QUERIES (one query per line, as a reader types it)
# Everything listens on loopback; the server is stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10000}
C=${C:-8}
DUR=${DUR:-8s}
REPS=${REPS:-3}
SCRATCH=${SCRATCH:-/tmp/broadside-bench}
SITE_LANG=${SITE_LANG:-en}
# The generated capsule's vocabulary is about 100 words: "election" is in
# every article, "witness ledger" in a few hundred; tag:bulletin is on
# about a fifth of the articles, lang:en on all of them. The last query is
# a hostile one: the most words a query may have (16), each in every
# article.
QUERIES=${QUERIES:-'election
protest -archive
tag:budget witness
"court campaign"
witness ledger
zqxj
tag:bulletin
lang:en
press freedom censorship archive mirror network reader writer bulletin journalist source leak document court ruling parliament'}
BIN=$SCRATCH/bin
STATE=$SCRATCH/search-state
CAPSULE=$SCRATCH/c$N
NAME=search$N
mkdir -p "$BIN"
log() { printf '%s\n' "$*" >&2; }

log "== build"
go build -o "$BIN/broadside" ./cmd/broadside
go build -o "$BIN/capsulegen" ./internal/tools/capsulegen
for t in gemload scale; do (cd "bench/$t" && go build -o "$BIN/$t" .); done

if [ ! -e "$CAPSULE/.complete" ]; then
	log "== generating $N articles in $CAPSULE"
	rm -rf "$CAPSULE"
	"$BIN/capsulegen" -n "$N" -min 5000 -max 15000 -tags 300 "$CAPSULE"
	touch "$CAPSULE/.complete"
fi

PORT=19800
while ss -Hltn "sport = :$PORT" | grep -q .; do PORT=$((PORT + 1)); done
rm -rf "$STATE"
# shellcheck source=bench/lib.sh
. bench/lib.sh
config "$NAME" "$CAPSULE" "$PORT" "$STATE" "$SITE_LANG"

SERVER=
stop() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null; SERVER=; }
trap stop EXIT
trap 'exit 130' INT TERM

LOG=$SCRATCH/$NAME.log
t0=$(date +%s%N)
"$BIN/broadside" serve -config "$SCRATCH/$NAME.toml" >"$LOG" 2>&1 &
SERVER=$!
ready=$("$BIN/scale" ready -addr "127.0.0.1:$PORT" -since "$t0" -timeout 300s) ||
	{ log "the server did not come up: $(tail -n 3 "$LOG")"; exit 1; }
log "  index served after ${ready#ready_ms=} ms"
while ! grep -q 'search index updated' "$LOG"; do
	kill -0 "$SERVER" 2>/dev/null || { log "the server stopped: $(tail -n 3 "$LOG")"; exit 1; }
	sleep 0.2
done
build_ms=$((($(date +%s%N) - t0) / 1000000))
rss=$(awk '/^VmHWM/ {printf "%.0f", $2/1024}' "/proc/$SERVER/status")
log "  search index built after ${build_ms} ms (peak RSS so far ${rss} MB)"
sleep 2 # let the index's background merges settle

escape() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
declare -A RUNS
mapfile -t QS <<<"$QUERIES"
for rep in $(seq 1 "$REPS"); do
	for q in "${QS[@]}"; do
		[ -n "$q" ] || continue
		line=$("$BIN/gemload" -url "gemini://localhost:$PORT/search?$(escape "$q")" -addr "127.0.0.1:$PORT" \
			-insecure -c "$C" -d "$DUR" 2>&1 | grep '^RESULT') || { log "gemload failed for $q"; exit 1; }
		grep -q ' err=0 ' <<<"$line" || log "  errors for $q: $line"
		RUNS[$q]+="$(sed -E 's/.* rps=([0-9.]+) .* p50=([0-9.]+) .* p99=([0-9.]+) .*/\1 \2 \3/' <<<"$line")"$'\n'
		log "  run $rep: $q: $(sed -E 's/.* rps=([0-9.]+) .* p50=([0-9.]+) .* p99=([0-9.]+) .*/req\/s \1, p50 \2 ms, p99 \3 ms/' <<<"$line")"
	done
done

declare -A RPS P50 P99
for q in "${QS[@]}"; do
	[ -n "$q" ] || continue
	stats=$(printf '%s' "${RUNS[$q]}" | awk '
		{ rps[NR] = $1; p50[NR] = $2; p99[NR] = $3 }
		function median(a, n,   i, j, t) {
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		END {
			lo = hi = p99[1]
			for (i = 2; i <= NR; i++) { if (p99[i] < lo) lo = p99[i]; if (p99[i] > hi) hi = p99[i] }
			printf "%.0f %.1f %.1f(%.1f-%.1f)\n", median(rps, NR), median(p50, NR), median(p99, NR), lo, hi
		}')
	read -r rps p50 p99 <<<"$stats"
	RPS[$q]=$rps P50[$q]=$p50 P99[$q]=$p99
done
base=${BASELINE:-zqxj}
echo "search on $N articles: index built ${build_ms} ms after start (index served after ${ready#ready_ms=} ms), peak RSS ${rss} MB"
echo "queries: $C clients, $DUR per run, $REPS runs, medians (p99 range); cost = req/s of \`$base\` (no match: the handshake and the page) / req/s of the query"
printf '| %s | %s | %s | %s | %s |\n' query "p99 ms" "p50 ms" "req/s" "cost"
printf '|---|---|---|---|---|\n'
for q in "${QS[@]}"; do
	[ -n "$q" ] || continue
	printf '| `%s` | %s | %s | %s | %s |\n' "$q" "${P99[$q]/(/ (}" "${P50[$q]}" "${RPS[$q]}" \
		"$(awk -v b="${RPS[$base]:-0}" -v r="${RPS[$q]}" 'BEGIN { if (b > 0 && r > 0) printf "%.2fx", b / r; else print "-" }')"
done
