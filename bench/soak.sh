#!/usr/bin/env bash
# bench/soak.sh [MINUTES]: hold a local Broadside at 80 % of its measured
# capacity on both protocols at once for MINUTES (default 10, at most 120),
# printing errors, throughput and the server's memory every 30 s.
#
# It builds the server and bench/gemload, serves the sample capsule on
# free loopback ports, measures capacity with both protocols loaded
# together (closed loop, 10 s), then runs Gemini (index page, TLS without
# resumption) and Gopher (root menu) paced at 80 % of what each reached.
# The per-address limits are turned off: the load comes from one address,
# and this measures the server, not its limits. The access log is on, as
# in production, written to a file in the temporary folder. The server is
# stopped by its PID at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-10}
if ! [[ "$MINUTES" =~ ^[0-9]+$ ]] || [ "$MINUTES" -lt 1 ] || [ "$MINUTES" -gt 120 ]; then
	echo "usage: bench/soak.sh [MINUTES 1..120]" >&2
	exit 2
fi
WORK=$(mktemp -d /tmp/broadside-soak.XXXXXX)
PID=
cleanup() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

go build -o "$WORK/broadside" ./cmd/broadside
(cd bench/gemload && go build -o "$WORK/gemload" .)
G="$WORK/gemload"
cp -r capsule "$WORK/capsule"
cat >"$WORK/config.toml" <<'EOF'
title = "Soak test"
hostname = "localhost"
[gemini]
listen = "127.0.0.1:0"
[gopher]
listen = "127.0.0.1:0"
[limits]
rate = 0
per_address = 0
connections = 4096
EOF
"$WORK/broadside" serve -config "$WORK/config.toml" 2>"$WORK/server.log" &
PID=$!
for _ in $(seq 100); do
	grep -q 'msg="serving gopher"' "$WORK/server.log" 2>/dev/null && break
	sleep 0.1
done
GEM=$(sed -n 's/.*msg="serving gemini" addr=\([^ ]*\).*/\1/p' "$WORK/server.log")
GOP=$(sed -n 's/.*msg="serving gopher" addr=\([^ ]*\).*/\1/p' "$WORK/server.log")
[ -n "$GEM" ] && [ -n "$GOP" ] || { echo "cannot find the server's ports"; cat "$WORK/server.log"; exit 1; }
GEMURL="gemini://localhost:${GEM##*:}/"
GOPURL="gopher://localhost:${GOP##*:}/1/"
field() { sed -n "s/.*RESULT.* $1=\([^ ]*\).*/\1/p" "$2"; }
rss() { awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {printf "%.0f %.0f", r/1024, h/1024}' "/proc/$PID/status"; }
load() { cut -d' ' -f1-2 /proc/loadavg; } # 1 and 5 minute load averages

echo "server PID $PID, gemini $GEM, gopher $GOP; $(nproc) CPUs, load $(load)"
echo "measuring capacity: both protocols at once, closed loop, 8 workers each, 10 s"
"$G" -url "$GEMURL" -addr "$GEM" -insecure -c 8 -d 10s >"$WORK/cap-gem.txt" &
a=$!
"$G" -url "$GOPURL" -addr "$GOP" -c 8 -d 10s >"$WORK/cap-gop.txt" &
b=$!
wait "$a" "$b"
capgem=$(field rps "$WORK/cap-gem.txt")
capgop=$(field rps "$WORK/cap-gop.txt")
rategem=$(echo "$capgem * 0.8" | bc)
rategop=$(echo "$capgop * 0.8" | bc)
echo "capacity: gemini $capgem req/s, gopher $capgop req/s (errors $(field err "$WORK/cap-gem.txt") / $(field err "$WORK/cap-gop.txt"))"
echo "soak: $MINUTES min at gemini $rategem req/s and gopher $rategop req/s"
echo "columns: requests answered / failed / not sent (the load generator had no free worker), req/s, p99 latency in ms"
printf '%6s  %-34s  %-34s  %14s  %5s  %s\n' "time" "gemini ok/err/skip rps p99" "gopher ok/err/skip rps p99" "RSS/peak MB" "fds" "load"
end=$(($(date +%s) + MINUTES * 60))
t0=$(date +%s)
totalerr=0
totalskip=0
while [ "$(date +%s)" -lt "$end" ]; do
	d=$((end - $(date +%s)))
	[ "$d" -gt 30 ] && d=30
	"$G" -url "$GEMURL" -addr "$GEM" -insecure -c 256 -rate "$rategem" -d "${d}s" >"$WORK/gem.txt" &
	a=$!
	"$G" -url "$GOPURL" -addr "$GOP" -c 256 -rate "$rategop" -d "${d}s" >"$WORK/gop.txt" &
	b=$!
	wait "$a" "$b"
	ge=$(field err "$WORK/gem.txt")
	pe=$(field err "$WORK/gop.txt")
	totalerr=$((totalerr + ge + pe))
	totalskip=$((totalskip + $(field skipped "$WORK/gem.txt") + $(field skipped "$WORK/gop.txt")))
	printf '%5ss  %-34s  %-34s  %14s  %5s  %s\n' "$(($(date +%s) - t0))" \
		"$(field ok "$WORK/gem.txt")/$ge/$(field skipped "$WORK/gem.txt") $(field rps "$WORK/gem.txt") $(field p99 "$WORK/gem.txt")" \
		"$(field ok "$WORK/gop.txt")/$pe/$(field skipped "$WORK/gop.txt") $(field rps "$WORK/gop.txt") $(field p99 "$WORK/gop.txt")" \
		"$(rss | tr ' ' /)" "$(ls "/proc/$PID/fd" | wc -l)" "$(load)"
	if [ "$ge" -gt 0 ] || [ "$pe" -gt 0 ]; then
		{ grep -hE '^  ' "$WORK/gem.txt" "$WORK/gop.txt" || true; } | sed 's/^/        /'
	fi
done
echo "failed requests in all: $totalerr; not sent for want of a free worker: $totalskip"
echo "access log: $(grep -c 'msg=request' "$WORK/server.log") records; warnings and errors:"
grep -E 'level=(WARN|ERROR)' "$WORK/server.log" | sed 's/^time=[^ ]* //' | cut -c1-150 | sort | uniq -c | head -10 || true
t=$(date +%s.%N)
kill -TERM "$PID"
for _ in $(seq 300); do kill -0 "$PID" 2>/dev/null || break; sleep 0.01; done
echo "server exited $(echo "$(date +%s.%N) - $t" | bc | cut -c1-5) s after SIGTERM"
