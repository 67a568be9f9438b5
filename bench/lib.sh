# bench/lib.sh: what bench/run.sh and bench/search.sh share; sourced.

# config name capsule port state [lang]: writes $SCRATCH/name.toml, a
# server for the capsule on 127.0.0.1:port (Gemini only, no rate limits,
# debug log), in the site language lang when given.
config() {
	cat >"$SCRATCH/$1.toml" <<-EOF
		title = "Bench $1"
		hostname = "localhost"
		${5:+lang = \"$5\"}
		capsule = "$2"
		state = "$4"
		[gemini]
		listen = "127.0.0.1:$3"
		certs = "$SCRATCH/certs"
		[gopher]
		listen = ""
		[limits]
		rate = 0
		per_address = 0
		[log]
		level = "debug"
	EOF
}
