#!/usr/bin/env bash
# bench/run.sh: what issue 11 asks of Broadside on large capsules, measured.
#
# Builds the server and the tools, generates capsules of 100, 10,000 and
# 100,000 articles (5-15 KB, 300 tags; the largest is about 1.2 GB), and
# prints:
#   - the cost of a request for the index, a tag page, the feed and a
#     cached article on each capsule: req/s and p99 from bench/gemload, and
#     the server's CPU per request from /proc, with the ratio to the
#     100-article capsule; next to bench/tlsfloor and, when installed,
#     Molly Brown and gophernicus serving an 8 KB page, tlsfloor serving
#     as many bytes as the article's response, with and without asking
#     for a client certificate (interleaved runs,
#     REPS repetitions, medians);
#   - ready time (the index served) from a cold start and from a restart
#     with the metadata index in the state folder, RSS when ready and after
#     a crawl of 3,000 random articles, and how soon an edit shows on the
#     index;
#   - how many reloads a git pull of 1,000 new files makes.
#
#   bench/run.sh                          # about 10 minutes
#   SIZES="100 10000" DUR=3s REPS=1 bench/run.sh   # a quick look
#
# Knobs: SIZES="100 10000 100000" DUR=5s REPS=3 C=8 CRAWL=3000 EDITS=5
#        SCRATCH=/tmp/broadside-bench KEEP=0 (1 keeps the capsules)
#        QUIET=10 (seconds to wait for an idle machine before each run)
# Everything listens on loopback; every server is stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SIZES=${SIZES:-"100 10000 100000"}
DUR=${DUR:-5s}
REPS=${REPS:-3}
C=${C:-8}
CRAWL=${CRAWL:-3000}
EDITS=${EDITS:-5}
SCRATCH=${SCRATCH:-/tmp/broadside-bench}
KEEP=${KEEP:-0}
QUIET=${QUIET:-10}
SEARCH_WAIT=${SEARCH_WAIT:-1200}
HZ=$(getconf CLK_TCK)
NCPU=$(nproc)
BIN=$SCRATCH/bin
mkdir -p "$BIN"
declare -A PID PORT
ORDER=()

log() { printf '%s\n' "$*" >&2; }

cleanup() {
	local n
	for n in "${!PID[@]}"; do stop_one "$n"; done
	if [ "$KEEP" != 1 ]; then
		for n in $SIZES; do rm -rf "$SCRATCH/c$n"; done
		rm -rf "$SCRATCH/git"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------- tools ----------
log "== build"
go build -o "$BIN/broadside" ./cmd/broadside
go build -o "$BIN/capsulegen" ./internal/tools/capsulegen
for t in gemload tlsfloor scale; do (cd "bench/$t" && go build -o "$BIN/$t" .); done

# ---------- helpers ----------
port_busy() { ss -Hltn "sport = :$1" | grep -q .; }
pick_port() {
	local p=$1
	for _ in $(seq 0 50); do port_busy "$p" || { echo "$p"; return; }; p=$((p + 1)); done
	log "no free port near $1"; return 1
}
tree_pids() {
	local c
	echo "$1"
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do tree_pids "$c"; done
}
jiffies() { # CPU of a process tree, reaped children included
	local p t=0 v
	for p in $(tree_pids "$1"); do
		v=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12+$13+$14+$15}') || v=0
		t=$((t + ${v:-0}))
	done
	echo "$t"
}
machine_busy() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }
wait_quiet() {
	local a b
	for _ in $(seq 1 $((QUIET * 2))); do
		a=$(machine_busy); sleep 0.5; b=$(machine_busy)
		[ $(((b - a) * 100 / (HZ * NCPU / 2))) -lt 10 ] && return 0
	done
	log "  (the machine stayed busy for ${QUIET} s; measuring anyway, see bg%)"
	return 0
}
mem() { awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {printf "%.0f %.0f", r/1024, h/1024}' "/proc/$1/status"; }
stop_one() {
	local name=$1 p q pids
	p=${PID[$name]:-}
	[ -n "$p" ] || return 0
	pids=$(tree_pids "$p")
	kill "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	for q in $pids; do [ "$q" != "$p" ] && kill -0 "$q" 2>/dev/null && kill "$q" 2>/dev/null || true; done
	unset "PID[$name]"
}
now_ns() { date +%s%N; }

# ---------- capsules ----------
for n in $SIZES; do
	if [ ! -e "$SCRATCH/c$n/.complete" ]; then
		if [ "$n" -ge 50000 ]; then
			need=$((n * 13 / 1000)) # MB, about
			avail=$(df -Pm "$SCRATCH" | awk 'NR==2 {print $4}')
			[ "$avail" -gt $((need * 2)) ] || { log "not enough room in $SCRATCH for $n articles (${need} MB)"; exit 1; }
		fi
		log "== generating $n articles in $SCRATCH/c$n"
		rm -rf "$SCRATCH/c$n"
		"$BIN/capsulegen" -n "$n" -min 5000 -max 15000 -tags 300 "$SCRATCH/c$n"
		touch "$SCRATCH/c$n/.complete"
	fi
done

# shellcheck source=bench/lib.sh
. bench/lib.sh

# start_broadside name: starts the server of config name on PORT[name],
# sets PID[name], and READY to the ms it took to serve its index.
start_broadside() {
	local name=$1 t0 out
	t0=$(now_ns)
	"$BIN/broadside" serve -config "$SCRATCH/$name.toml" >"$SCRATCH/$name.log" 2>&1 &
	PID[$name]=$!
	out=$("$BIN/scale" ready -addr "127.0.0.1:${PORT[$name]}" -since "$t0" -timeout 300s) ||
		{ log "$name did not come up: $(tail -n 3 "$SCRATCH/$name.log")"; exit 1; }
	READY=$(sed 's/ready_ms=//' <<<"$out")
}

# wait_log name pattern seconds: waits until the server's log has a line
# matching pattern; prints the seconds waited ("timeout" when it did not).
wait_log() {
	local t0=$SECONDS
	while ! grep -q "$2" "$SCRATCH/$1.log"; do
		[ $((SECONDS - t0)) -ge "$3" ] && { echo timeout; return 0; }
		sleep 0.5
	done
	echo $((SECONDS - t0))
}
# wait_search name: the seconds until the search index is in step with
# the capsule (its build on a cold start), up to SEARCH_WAIT.
wait_search() { wait_log "$1" 'search index updated' "$SEARCH_WAIT"; }

# ---------- start, memory ----------
declare -A COLD WARM RSSREADY HWMREADY SEARCH
for n in $SIZES; do
	name=b$n
	PORT[$name]=$(pick_port $((19700 + ${#ORDER[@]} * 3)))
	rm -rf "$SCRATCH/state$n"
	config "$name" "$SCRATCH/c$n" "${PORT[$name]}" "$SCRATCH/state$n"
	wait_quiet
	log "== $n articles: cold start"
	start_broadside "$name"
	COLD[$n]=$READY
	# The search index is built in the background after the server is
	# ready; wait for it, so that the warm restart finds it complete and
	# no later measurement pays for it.
	SEARCH[$n]=$(wait_search "$name")
	log "  ready in ${COLD[$n]} ms; search index built in ${SEARCH[$n]} s"
	stop_one "$name"
	wait_quiet
	log "== $n articles: restart with the index"
	start_broadside "$name"
	WARM[$n]=$READY
	read -r RSSREADY[$n] HWMREADY[$n] <<<"$(mem "${PID[$name]}")"
	wait_search "$name" >/dev/null
	wait_log "$name" 'pages built ahead of readers' 120 >/dev/null
	ORDER+=("$name")
done

# ---------- anchors ----------
base0=b${SIZES%% *}
ANCHOR=$SCRATCH/anchor
mkdir -p "$ANCHOR"
[ -s "$SCRATCH/ecdsa.crt" ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
	-subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	-keyout "$SCRATCH/ecdsa.key" -out "$SCRATCH/ecdsa.crt" 2>/dev/null
chmod 644 "$SCRATCH/ecdsa.key"
head -c 8192 "$SCRATCH/c${SIZES%% *}/posts/"*/000000.md >"$ANCHOR/anchor.gmi"
chmod -R a+rX "$ANCHOR"
ANCHORS=()
PORT[tlsfloor]=$(pick_port 19770)
# The newest article, the same path in every generated capsule, and the
# size of its response: tlsfloor serves that many bytes, so that the
# article's row and tlsfloor's differ only in what the server does.
ARTICLE=$(cd "$SCRATCH/c${SIZES%% *}" && ls -d posts/*/000000.md | sed 's/^/\//; s/\.md$/.gmi/')
ARTBYTES=$(printf 'gemini://localhost:%s%s\r\n' "${PORT[$base0]}" "$ARTICLE" |
	timeout 10 openssl s_client -quiet -connect "127.0.0.1:${PORT[$base0]}" -servername localhost 2>/dev/null | wc -c)
[ "$ARTBYTES" -gt 16 ] || { log "could not fetch $ARTICLE"; exit 1; }
"$BIN/tlsfloor" -addr "127.0.0.1:${PORT[tlsfloor]}" -key ecdsa-p256 -body $((ARTBYTES - 16)) >"$SCRATCH/tlsfloor.log" 2>&1 &
PID[tlsfloor]=$!
ANCHORS+=(tlsfloor)
# The same, asking for a client certificate in the handshake as Broadside
# does (Gemini's client certificates, Titan): one more handshake message.
PORT[tlsfloor_cr]=$(pick_port 19775)
"$BIN/tlsfloor" -addr "127.0.0.1:${PORT[tlsfloor_cr]}" -key ecdsa-p256 -body $((ARTBYTES - 16)) -request-client-cert >"$SCRATCH/tlsfloor_cr.log" 2>&1 &
PID[tlsfloor_cr]=$!
ANCHORS+=(tlsfloor_cr)
if command -v molly-brown >/dev/null; then
	PORT[molly]=$(pick_port 19780)
	cat >"$SCRATCH/molly.conf" <<-EOF
		Port = ${PORT[molly]}
		Hostname = "localhost"
		CertPath = "$SCRATCH/ecdsa.crt"
		KeyPath = "$SCRATCH/ecdsa.key"
		DocBase = "$ANCHOR/"
		AccessLog = "$SCRATCH/molly-access.log"
		ErrorLog = "$SCRATCH/molly-error.log"
	EOF
	molly-brown -c "$SCRATCH/molly.conf" >"$SCRATCH/molly.log" 2>&1 &
	PID[molly]=$!
	ANCHORS+=(molly)
else
	log "molly-brown not installed: left out"
fi
if command -v gophernicus >/dev/null && command -v socat >/dev/null && id _gophernicus >/dev/null 2>&1; then
	PORT[gophernicus]=$(pick_port 19790)
	unshare --ipc socat "TCP-LISTEN:${PORT[gophernicus]},bind=127.0.0.1,reuseaddr,fork,backlog=128" \
		"EXEC:/usr/sbin/gophernicus -h 127.0.0.1 -p ${PORT[gophernicus]} -r $ANCHOR -ns -i 0 -k 0,nofork,su=_gophernicus" \
		>"$SCRATCH/gophernicus.log" 2>&1 &
	PID[gophernicus]=$!
	ANCHORS+=(gophernicus)
else
	log "gophernicus (and socat) not installed: left out"
fi
sleep 1

url_of() { # target page -> url
	case $1 in
	tlsfloor | tlsfloor_cr | molly) echo "gemini://localhost:${PORT[$1]}/anchor.gmi" ;;
	gophernicus) echo "gopher://127.0.0.1:${PORT[$1]}/0/anchor.gmi" ;;
	*) case $2 in
		index) echo "gemini://localhost:${PORT[$1]}/" ;;
		tag) echo "gemini://localhost:${PORT[$1]}/tags/bulletin/" ;;
		feed) echo "gemini://localhost:${PORT[$1]}/atom.xml" ;;
		article) echo "gemini://localhost:${PORT[$1]}$ARTICLE" ;;
		esac ;;
	esac
}

# ---------- per request ----------
RUNS=$SCRATCH/runs.tsv
printf 'rep\ttarget\tpage\trps\tp99\tok\terr\tsrv_us\tbg\n' >"$RUNS"
one_run() { # target page rep
	local t=$1 page=$2 rep=$3 s0 s1 m0 m1 out res
	wait_quiet
	s0=$(jiffies "${PID[$t]}"); m0=$(machine_busy)
	out=$("$BIN/gemload" -url "$(url_of "$t" "$page")" -addr "127.0.0.1:${PORT[$t]}" -insecure -c "$C" -d "$DUR" 2>&1) ||
		{ log "gemload failed on $t $page: $out"; return 0; }
	s1=$(jiffies "${PID[$t]}"); m1=$(machine_busy)
	res=$(grep '^RESULT' <<<"$out")
	awk -v rep="$rep" -v t="$t" -v page="$page" -v sj=$((s1 - s0)) -v mj=$((m1 - m0)) -v hz="$HZ" -v ncpu="$NCPU" '{
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		n = v["ok"] + v["err"]; if (n < 1) n = 1
		srv = sj * 1e6 / hz / n
		bg = (mj / hz - sj / hz - v["client_cpu_us_per_req"] * n / 1e6) / (v["secs"] * ncpu) * 100
		if (bg < 0) bg = 0
		printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%.0f\n", rep, t, page, v["rps"], v["p99"], v["ok"], v["err"], srv, bg
	}' <<<"$res" >>"$RUNS"
	log "  $(tail -n 1 "$RUNS")"
}
log "== per request: $REPS x $DUR, c=$C, interleaved"
for rep in $(seq 1 "$REPS"); do
	for page in index tag feed article; do
		for t in "${ORDER[@]}"; do one_run "$t" "$page" "$rep"; done
	done
	for t in "${ANCHORS[@]}"; do one_run "$t" anchor "$rep"; done
done

# ---------- crawl, edits ----------
declare -A RSSCRAWL HWMCRAWL EDIT
for n in $SIZES; do
	name=b$n
	log "== $n articles: crawl of $CRAWL random articles, then $EDITS edits"
	"$BIN/scale" crawl -addr "127.0.0.1:${PORT[$name]}" -capsule "$SCRATCH/c$n" -n "$CRAWL" -c 4 >&2
	read -r RSSCRAWL[$n] HWMCRAWL[$n] <<<"$(mem "${PID[$name]}")"
	wait_quiet
	EDIT[$n]=$("$BIN/scale" edit -addr "127.0.0.1:${PORT[$name]}" -capsule "$SCRATCH/c$n" -n "$EDITS")
done
for n in "${ORDER[@]}" "${ANCHORS[@]}"; do stop_one "$n"; done

# ---------- git pull ----------
log "== git pull of 1,000 new files"
GIT=$SCRATCH/git
rm -rf "$GIT"
mkdir -p "$GIT"
git -c init.defaultBranch=main init -q --bare "$GIT/origin.git"
git -c init.defaultBranch=main clone -q "$GIT/origin.git" "$GIT/author" 2>/dev/null
cp -r "$SCRATCH/c${SIZES%% *}/." "$GIT/author/"
rm -f "$GIT/author/.complete"
git -C "$GIT/author" add -A
git -C "$GIT/author" -c user.name=bench -c user.email=bench@localhost commit -qm base
git -C "$GIT/author" push -q origin HEAD:main
git clone -q "$GIT/origin.git" "$GIT/served"
"$BIN/capsulegen" -n 1000 -min 5000 -max 15000 -tags 300 "$GIT/pull"
mkdir -p "$GIT/author/pulled"
cp -r "$GIT/pull/posts" "$GIT/author/pulled/"
LAST=$(cd "$GIT/author" && ls -d pulled/posts/*/000999.md | sed 's/^/\//; s/\.md$/.gmi/')
git -C "$GIT/author" add -A
git -C "$GIT/author" -c user.name=bench -c user.email=bench@localhost commit -qm "1,000 articles"
git -C "$GIT/author" push -q origin HEAD:main
PORT[gitpull]=$(pick_port 19760)
config gitpull "$GIT/served" "${PORT[gitpull]}" "$GIT/state"
start_broadside gitpull
sleep 2
before=$(grep -cE 'msg="capsule (loaded|updated)"' "$SCRATCH/gitpull.log" || true)
t0=$(now_ns)
git -C "$GIT/served" pull -q origin main
PULLED=$("$BIN/scale" ready -addr "127.0.0.1:${PORT[gitpull]}" -path "$LAST" -since "$t0" -timeout 60s | sed 's/ready_ms=//')
sleep 2
after=$(grep -cE 'msg="capsule (loaded|updated)"' "$SCRATCH/gitpull.log" || true)
stop_one gitpull

# ---------- report ----------
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "-"}'; }
col() { awk -F'\t' -v t="$1" -v p="$2" -v c="$3" 'NR>1 && $2==t && $3==p {print $c}' "$RUNS" | median; }
echo
echo "Broadside on generated capsules (5-15 KB articles, 300 tags); $(date -u +%Y-%m-%d), $(nproc) CPUs,"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). Per request: medians of $REPS interleaved"
echo "runs of $DUR at $C connections, no TLS resumption; srv us/req is the server's CPU per request;"
echo "ratios are to the 100-article capsule (or the first size measured); bg% is the share of the"
echo "machine others used during the runs (median)."
echo
printf '%-9s %-10s %8s %8s %11s %9s %9s %5s\n' page capsule req/s p99_ms srv_us/req x_srv x_req/s bg%
base=b${SIZES%% *}
for page in index tag feed article; do
	for t in "${ORDER[@]}"; do
		rps=$(col "$t" "$page" 4); p99=$(col "$t" "$page" 5); srv=$(col "$t" "$page" 8); bg=$(col "$t" "$page" 9)
		brps=$(col "$base" "$page" 4); bsrv=$(col "$base" "$page" 8)
		printf '%-9s %-10s %8s %8s %11s %9s %9s %5s\n' "$page" "${t#b}" "$rps" "$p99" "$srv" \
			"$(awk -v a="$srv" -v b="$bsrv" 'BEGIN {printf (b > 0 ? "%.2f" : "-"), a / b}')" \
			"$(awk -v a="$rps" -v b="$brps" 'BEGIN {printf (b > 0 ? "%.2f" : "-"), a / b}')" "$bg"
	done
done
for t in "${ANCHORS[@]}"; do
	label="8KB page"
	case $t in tlsfloor*) label="${ARTBYTES}B" ;; esac
	printf '%-9s %-10s %8s %8s %11s %9s %9s %5s\n' "$label" "$t" "$(col "$t" anchor 4)" "$(col "$t" anchor 5)" "$(col "$t" anchor 8)" - - "$(col "$t" anchor 9)"
done
echo
# Article against tlsfloor: the ratio within each repetition (they ran
# seconds apart), then the median, which the machine's noise moves less
# than a ratio of medians.
paired() { # target floor column
	awk -F'\t' -v t="$1" -v f="$2" -v c="$3" 'NR > 1 && $2 == t && $3 == "article" {a[$1] = $c}
		NR > 1 && $2 == f && $3 == "anchor" {b[$1] = $c}
		END {for (r in a) if (b[r] > 0) print a[r] / b[r]}' "$RUNS" | median
}
for f in tlsfloor tlsfloor_cr; do
	for t in "${ORDER[@]}"; do
		printf 'article on %s articles vs %s: CPU per request %.3fx, req/s %.3fx (medians of per-repetition ratios)\n' \
			"${t#b}" "$f" "$(paired "$t" "$f" 8)" "$(paired "$t" "$f" 4)"
	done
done
echo
printf '%-10s %9s %9s %13s %14s %14s %13s %13s\n' capsule cold_ms warm_ms rss_ready_mb peak_ready_mb rss_crawl_mb edit_ms_med edit_ms_max
for n in $SIZES; do
	med=$(sed -n 's/.*shown_ms_median=\([0-9]*\).*/\1/p' <<<"${EDIT[$n]}")
	mx=$(sed -n 's/.*shown_ms_max=\([0-9]*\).*/\1/p' <<<"${EDIT[$n]}")
	printf '%-10s %9s %9s %13s %14s %14s %13s %13s\n' "$n" "${COLD[$n]}" "${WARM[$n]}" "${RSSREADY[$n]}" "${HWMREADY[$n]}" "${RSSCRAWL[$n]}" "$med" "$mx"
done
echo
echo "git pull of 1,000 new articles into the ${SIZES%% *}-article capsule: $((after - before)) reload(s); the last one served ${PULLED} ms after the pull began"
echo "(raw runs: $RUNS; server logs: $SCRATCH/*.log)"
