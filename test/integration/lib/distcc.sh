# shellcheck shell=bash
#
# distcc.sh - distccd servers on loopback, for the tests and the bench
# that compile through distcc.
#
#	distccd_start DIR	two servers on 127.0.0.1, each on a port of
#				its own (DISTCC_PORTS), 2 jobs each, logging
#				to DIR/PORT.log; exports DISTCC_HOSTS (both,
#				/2), DISTCC_FALLBACK=0 (a compile no server
#				takes fails) and DISTCC_DIR (DIR/client)
#	distccd_stop		stop them (for an EXIT trap too)
#
# As root distccd runs its compiles as the distccd user: DIR is made
# writable by all.

DISTCCD_PIDS=()
# Above the usual 3632, apart per process.
DISTCC_PORTS=($((40000 + $$ % 10000)) $((50000 + $$ % 10000)))

distccd_start() {
	local dir=$1 p
	mkdir -p "$dir/client"
	chmod 1777 "$dir"
	for p in "${DISTCC_PORTS[@]}"; do
		distccd --daemon --no-detach --listen 127.0.0.1 --port "$p" --allow 127.0.0.1 \
			--jobs 2 --log-level info --log-file "$dir/$p.log" &
		DISTCCD_PIDS+=($!)
	done
	export DISTCC_HOSTS="127.0.0.1:${DISTCC_PORTS[0]}/2 127.0.0.1:${DISTCC_PORTS[1]}/2"
	export DISTCC_FALLBACK=0 DISTCC_DIR=$dir/client
	# Listening before the first compile.
	for p in "${DISTCCD_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null || die "distccd did not start (log: $dir)"
	done
	sleep 1
}

distccd_stop() {
	local p
	for p in "${DISTCCD_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	DISTCCD_PIDS=()
}
