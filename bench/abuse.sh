#!/usr/bin/env bash
# bench/abuse.sh: attack a local Broadside the way issue 10 did, and print
# what the server answered and how much memory it used.
#
# It builds the server and the two clients (bench/gemload, bench/abuse),
# makes a temporary capsule and config, starts the server on free loopback
# ports with the default limits, runs each attack with a time bound, and
# stops the server by its PID at the end. Everything stays on loopback;
# 127.0.0.2 and up are other "clients" (Linux routes all of 127/8 to lo).
#
#   bench/abuse.sh                 # about two minutes
#   SLOW_READERS=10 bench/abuse.sh # fewer stalled readers of the 44 MB file
#
# The hostile-file and FIFO steps exercise the capsule loader; what they
# show depends on the loader's own limits.
set -euo pipefail
cd "$(dirname "$0")/.."
SLOW_READERS=${SLOW_READERS:-40}
WORK=$(mktemp -d /tmp/broadside-abuse.XXXXXX)
PID=
cleanup() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$PID" 2>/dev/null || true
	fi
	jobs -p | xargs -r kill 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

say() { printf '\n== %s\n' "$*"; }
rss() { # resident and peak memory of the server, in MB
	awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {printf "server RSS %.0f MB (peak %.0f MB)\n", r/1024, h/1024}' "/proc/$PID/status"
}
log_since() { tail -c +"$1" "$WORK/server.log"; }

say "build"
go build -o "$WORK/broadside" ./cmd/broadside
(cd bench/gemload && go build -o "$WORK/gemload" .)
(cd bench/abuse && go build -o "$WORK/abuse" .)
G="$WORK/gemload"
A="$WORK/abuse"

say "capsule and config in $WORK"
cp -r capsule "$WORK/capsule"
# A 44 MB text file (Gopher serves it as text) and a 10 MB binary.
(yes 'The mirrors held. Readers in three countries kept reading the bulletin through the blocks.' || true) |
	head -c $((44 << 20)) >"$WORK/capsule/archive-dump.txt"
head -c $((10 << 20)) /dev/urandom >"$WORK/capsule/scan.bin"
cat >"$WORK/config.toml" <<'EOF'
title = "Abuse test"
hostname = "localhost"
[gemini]
listen = "127.0.0.1:0"
[gopher]
listen = "127.0.0.1:0"
[log]
client_addr = "full"
EOF
echo "limits: the defaults (rate 10/s, burst 60, per_address 16, connections 1024, read 10s, send 30s)"

"$WORK/broadside" serve -config "$WORK/config.toml" 2>"$WORK/server.log" &
PID=$!
for _ in $(seq 100); do
	grep -q 'msg="serving gopher"' "$WORK/server.log" 2>/dev/null && break
	sleep 0.1
done
GEM=$(sed -n 's/.*msg="serving gemini" addr=\([^ ]*\).*/\1/p' "$WORK/server.log")
GOP=$(sed -n 's/.*msg="serving gopher" addr=\([^ ]*\).*/\1/p' "$WORK/server.log")
[ -n "$GEM" ] && [ -n "$GOP" ] || { cat "$WORK/server.log"; exit 1; }
GEMURL="gemini://localhost:${GEM##*:}"
GOPURL="gopher://localhost:${GOP##*:}"
echo "server PID $PID, gemini $GEM, gopher $GOP"
rss

say "1. normal readers"
timeout 30 "$A" get -url "$GEMURL/" -addr "$GEM"
timeout 30 "$A" get -url "$GOPURL/1/" -addr "$GOP"

say "2. idle flood: 1500 silent connections from 127.0.0.2 (per_address 16), a reader from 127.0.0.3 meanwhile"
timeout 60 "$A" idle -addr "$GEM" -src 127.0.0.2 -n 1500 -hold 6s &
bg=$!
sleep 2
timeout 30 "$A" get -url "$GEMURL/" -addr "$GEM" -src 127.0.0.3
timeout 30 "$A" get -url "$GOPURL/1/" -addr "$GOP" -src 127.0.0.3
wait "$bg"
rss

say "3. idle flood from 200 addresses, 8 each: 1600 > connections (1024); a reader meanwhile"
timeout 60 "$A" idle -addr "$GEM" -srcs 200 -n 1600 -hold 6s &
bg=$!
sleep 2.5 # the oldest silent connections are over a second old: evictable
timeout 30 "$A" get -url "$GEMURL/" -addr "$GEM" -src 127.0.0.3
wait "$bg"
rss

say "4. request flood: 32 workers for 5 s from 127.0.0.2, on each protocol; a reader meanwhile"
mark=$(($(stat -c %s "$WORK/server.log") + 1))
timeout 60 "$G" -url "$GEMURL/" -addr "$GEM" -insecure -c 32 -d 5s -src 127.0.0.2 >"$WORK/flood-gemini.txt" &
bg1=$!
timeout 60 "$G" -url "$GOPURL/1/" -addr "$GOP" -c 32 -d 5s -src 127.0.0.2 >"$WORK/flood-gopher.txt" &
bg2=$!
sleep 2
timeout 30 "$A" get -url "$GEMURL/" -addr "$GEM" -src 127.0.0.3
timeout 30 "$A" get -url "$GOPURL/1/" -addr "$GOP" -src 127.0.0.3
wait "$bg1" "$bg2"
echo "-- flooding client, gemini:"; grep -E '^(requests|  |throughput)' "$WORK/flood-gemini.txt"
echo "-- flooding client, gopher:"; grep -E '^(requests|  |throughput)' "$WORK/flood-gopher.txt"
# Refusals are counted, not logged one by one: wait for the next summary.
for _ in $(seq 120); do log_since "$mark" | grep -q 'refused by limits.*rate=' && break; sleep 0.1; done
echo "-- server log:"; log_since "$mark" | grep -E 'refused by limits' | sed 's/^time=[^ ]* //' | head -6
echo "   $(log_since "$mark" | grep -c 'status=44 ') Gemini 44 answers and $(log_since "$mark" | grep -c 'status=slow_down ') Gopher slow-down items logged"
rss

say "5. slow readers: the 10 MB file over Gemini at 200 KB/s (50 s, longer than any fixed deadline); $SLOW_READERS stalled Gopher readers of the 44 MB text"
timeout 90 "$A" slow -url "$GEMURL/scan.bin" -addr "$GEM" -src 127.0.0.4 -n 1 -rate 204800 -for 70s \
	-want $((10 << 20)) &
slowpid=$!
timeout 60 "$A" slow -url "$GOPURL/0/archive-dump.txt" -addr "$GOP" -src 127.0.0.5 -n "$SLOW_READERS" -rate 0 -for 12s &
stalled=$!
sleep 6
echo "after 6 s: $(rss)"
sleep 5
echo "after 11 s: $(rss)"
wait "$stalled" "$slowpid" || true
log_since 1 | grep 'request=/scan.bin\|request=gemini://localhost:[0-9]*/scan.bin' | sed 's/^time=[^ ]* //' | tail -1
log_since 1 | grep 'request=/archive-dump.txt' | sed 's/^time=[^ ]* //' | tail -1
rss

say "6. hostile files dropped into the live capsule"
mark=$(($(stat -c %s "$WORK/server.log") + 1))
mkdir "$WORK/hostile"
python3 - "$WORK/hostile" <<'EOF'
import sys, os
d = sys.argv[1]
def w(name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)
w("2026-01-02-one-line.md", "---\ntitle: One line\n---\n" + "word " * (1 << 20))           # 5 MB, no line break
w("2026-01-03-deep-quotes.md", "---\ntitle: Deep\n---\n" + ">" * 100000 + " deep\n")      # 100,000 nested quotes
w("2026-01-04-deep-lists.md", "---\ntitle: Lists\n---\n" + "".join("  " * i + "- x\n" for i in range(3000)))
w("2026-01-05-links.md", "---\ntitle: Links\n---\n" + "[a](/b) " * 500000 + "\n")         # 500,000 links, one paragraph
w("2026-01-06-frontmatter.md", "---\ntitle: " + "a" * (4 << 20) + "\n---\nbody\n")        # a 4 MB title
EOF
ls -l "$WORK/hostile" | awk 'NR>1 {printf "  %-28s %9d bytes\n", $9, $5}'
start=$(date +%s.%N)
mv "$WORK"/hostile/*.md "$WORK/capsule/posts/"
docs=0
for _ in $(seq 900); do # at most 90 s
	# A full load logs "capsule loaded", a reload of the paths the
	# watcher named "capsule updated".
	docs=$(log_since "$mark" | sed -En 's/.*msg="capsule (loaded|updated)".*documents=([0-9]*).*/\2/p' | tail -1)
	# Nine documents before; the five files make 14 or more (the 9 MB
	# one is over the size limit and may not count as a document).
	[ "${docs:-0}" -ge 14 ] && break
	sleep 0.1
done
echo "reload with all five: documents=${docs:-?} after $(echo "$(date +%s.%N) - $start" | bc | cut -c1-5) s; $(log_since "$mark" | grep -E 'msg="capsule (loaded|updated)"' | tail -1 | sed 's/.*\(duration=[^ ]*\).*/\1/')"
log_since "$mark" | grep -E 'level=(WARN|ERROR)' | sed 's/^time=[^ ]* //' | cut -c1-200 | head -8
rss
for f in "$WORK"/capsule/posts/2026-01-0*.md; do
	sel="/posts/$(basename "${f%.md}").gmi"
	name=$(basename "$f" .md | cut -c12-)
	printf '%-12s gemini: ' "$name"; timeout 40 "$A" get -url "$GEMURL$sel" -addr "$GEM" -src 127.0.0.6 | sed 's/^get: //' | cut -c1-100 || echo "(no answer in 40 s)"
	printf '%-12s gopher: ' "$name"; timeout 40 "$A" get -url "$GOPURL/0$sel" -addr "$GOP" -src 127.0.0.6 | sed 's/^get: //' | cut -c1-100 || echo "(no answer in 40 s)"
done
rss

say "7. a FIFO in the capsule, SIGHUP, then SIGTERM with 300 idle connections"
mkfifo "$WORK/capsule/posts/2026-01-07-pipe.md"
mark=$(($(stat -c %s "$WORK/server.log") + 1))
kill -HUP "$PID"
sleep 2
timeout 30 "$A" get -url "$GEMURL/" -addr "$GEM" -src 127.0.0.7
timeout 30 "$A" idle -addr "$GEM" -src 127.0.0.8 -srcs 20 -n 300 -hold 15s >/dev/null &
bg=$!
sleep 1
echo "before SIGTERM: $(rss)"
t0=$(date +%s.%N)
kill -TERM "$PID"
for _ in $(seq 300); do kill -0 "$PID" 2>/dev/null || break; sleep 0.01; done
if kill -0 "$PID" 2>/dev/null; then
	echo "still running 3 s after SIGTERM"
else
	echo "exited $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5) s after SIGTERM"
fi
log_since "$mark" | grep -E 'configuration reloaded|capsule loaded|shutting down|stopped|still loading' | sed 's/^time=[^ ]* //' | cut -c1-160
wait "$bg" 2>/dev/null || true
