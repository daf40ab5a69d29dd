# shellcheck shell=bash
#
# util.sh - messages, stage timing and command running for kpatch-build.

# shellcheck disable=SC2034 # the run's start, read by kpatch-build
KPB_T0=$(date +%s.%N)

# now: seconds since the epoch, with a fraction.
now() {
	date +%s.%N
}

# elapsed T0: "12.3 s" since T0.
elapsed() {
	awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'
}

# size_kb FILE: its size in KB (1024 bytes), rounded up, and " KB".
size_kb() {
	echo "$((($(stat -c %s "$1") + 1023) / 1024)) KB"
}

# say MSG...: a progress line on stderr.
say() {
	echo "kpatch-build: $*" >&2
}

# die MSG...: an error line on stderr; exit 1 (through the EXIT trap).
die() {
	echo "kpatch-build: error: $*" >&2
	exit 1
}

# refuse MSG...: the change cannot be livepatched; exit 2.
refuse() {
	echo "kpatch-build: refused: $*" >&2
	exit 2
}

# on_error STATUS FILE LINE COMMAND: the ERR trap of the drivers (with
# errtrace): a command whose failure nothing handles ends the run, and
# says which, instead of exiting without a word.  In a subshell (a
# command substitution) it says nothing: the command around it fails in
# turn and is named.  The name of the driver is KPB_PROG.
on_error() {
	[ "$BASH_SUBSHELL" -eq 0 ] || return 0
	echo "${KPB_PROG:-kpatch-build}: error: internal: $2:$3: '$4' failed (exit status $1); the run stops here" >&2
}

# stage NAME: start a stage's clock.
stage() {
	KPB_STAGE=$1
	KPB_STAGE_T0=$(now)
}

# stage_done [DETAIL]: the stage's line, with its elapsed time.
stage_done() {
	say "stage $KPB_STAGE: $(elapsed "$KPB_STAGE_T0")${1:+, $1}"
}

# log_cmd CMD...: append the exact command to the scratch directory's log.
log_cmd() {
	[ -n "${KPB_CMDLOG:-}" ] || return 0
	printf '%q ' "$@" >>"$KPB_CMDLOG"
	echo >>"$KPB_CMDLOG"
}

# run_logged LOG CMD...: run CMD in its own session (so a signal to
# kpatch-build can stop all of it) with output to LOG; its status.  The
# wait is what a trapped signal interrupts.
run_logged() {
	local log=$1 rc=0
	shift
	log_cmd "$@"
	setsid "$@" >>"$log" 2>&1 </dev/null &
	KPB_CHILD=$!
	wait "$KPB_CHILD" || rc=$?
	KPB_CHILD=
	return "$rc"
}

# stop_child: end the running command's session, if any.
stop_child() {
	if [ -n "${KPB_CHILD:-}" ]; then
		kill -TERM -- "-$KPB_CHILD" 2>/dev/null || true
		wait "$KPB_CHILD" 2>/dev/null || true
		KPB_CHILD=
	fi
}

# tail_log LOG: the end of a failed command's log, indented.
tail_log() {
	tail -n 25 "$1" | indent >&2
}

# indent: standard input, indented, for quoting a tool's output.
indent() {
	sed 's/^/    /'
}

# distcc_setup CROSS: with DISTCC_HOSTS set and no CC, compile through
# distcc (CC="distcc CROSSgcc", exported for make and kpatch-build).
# KPB_DISTCC_JOBS: when CC runs distcc, the compiles its hosts take at
# once (distcc -j: each host's limit, summed), else empty.
distcc_setup() {
	local w
	KPB_DISTCC_JOBS=
	if [ -z "${CC:-}" ] && [ -n "${DISTCC_HOSTS:-}" ] && command -v distcc >/dev/null; then
		export CC="distcc ${1}gcc"
	fi
	for w in ${CC:-}; do
		[ "${w##*/}" = distcc ] || continue
		KPB_DISTCC_JOBS=$(distcc -j 2>/dev/null) || KPB_DISTCC_JOBS=
		[[ $KPB_DISTCC_JOBS =~ ^[1-9][0-9]*$ ]] || KPB_DISTCC_JOBS=
		break
	done
}
