# shellcheck shell=bash
#
# common.sh - diagnostics and small helpers shared by the VM test bench
# (build-kernel.sh, run.sh, the tNNNN test files and scripts/demo.sh).
#
# Sourced, never run.  The sourcing script sets strict mode itself
# (set -o errexit -o errtrace -o nounset -o pipefail) and calls
# bench_strict_mode to install the ERR trap.  Every message goes to stderr
# prefixed with the program name ($PROG, default: the script's file name),
# so stdout stays free for a command's result (build-kernel.sh prints a
# path there, run.sh its TAP-like lines).

# shellcheck disable=SC2034 # for the sourcing scripts and libraries
BENCH_ROOT=$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)
PROG=${PROG:-${0##*/}}
# Tools' messages (make, gcc, tar) in a fixed language, so logs compare.
export LC_ALL=C

# bench_results_default: where results go without KPNG_RESULTS: one
# directory per checkout (/tmp/kpng-results/CHECKOUT), so test runs of two
# checkouts on one machine never empty each other's.
bench_results_default() {
	local top
	top=$(cd "$BENCH_ROOT/../.." && pwd)
	echo "/tmp/kpng-results/${top##*/}"
}

status() {
	echo "$PROG: $*" >&2
}

warn() {
	echo "$PROG: warning: $*" >&2
}

die() {
	echo "$PROG: error: $*" >&2
	exit 1
}

# bench_strict_mode: print file:line and the command whenever a command
# fails outside a condition, before errexit ends the script.  A function
# that ends with `return N` has said why itself: no second message.
bench_strict_mode() {
	trap 'bench_err_trap "$?" "${BASH_SOURCE[0]:-$0}" "$LINENO" "$BASH_COMMAND"' ERR
}

bench_err_trap() {
	case $4 in
	return*) return 0 ;;
	esac
	echo "$PROG: error: $2:$3: '$4' failed with exit status $1" >&2
}

# now: seconds since the epoch, with a fraction.
now() {
	date +%s.%N
}

# elapsed START: seconds since START (a `now` value), rounded, e.g. "12 s".
elapsed() {
	awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f s", e - s }'
}

# show_tail FILE [N]: the last N (default 40) lines of FILE on stderr,
# indented, with a header naming the file.
show_tail() {
	local file=$1 n=${2:-40}
	echo "$PROG: last $n lines of $file:" >&2
	tail -n "$n" "$file" | sed -e 's/^/    /' >&2
}

# cache_fill DIR WHAT FILL...: unless DIR/stamp exists, run FILL... with
# the lock file DIR.lock held; a concurrent run waits for it, then finds
# the stamp.  FILL writes DIR/stamp last (its presence means "complete").
cache_fill() {
	local dir=$1 what=$2 lockfd
	shift 2
	[ -f "$dir/stamp" ] && return 0
	mkdir -p "${dir%/*}"
	exec {lockfd}>"$dir.lock"
	if ! flock -n "$lockfd"; then
		status "$what: waiting for another fill of $dir (lock $dir.lock)"
		flock "$lockfd"
	fi
	[ -f "$dir/stamp" ] || "$@"
	exec {lockfd}>&-
}

# build_modules DIR AGAINST MAKE... -- SOURCE.c...: build each SOURCE as an
# out-of-tree module DIR/NAME.ko with `MAKE... M=DIR modules`; the output
# goes to DIR/build.log, shown on failure, which names AGAINST (the kernel).
build_modules() {
	local dir=$1 against=$2 src objs=() rc=0 make=()
	shift 2
	while [ "$1" != -- ]; do
		make+=("$1")
		shift
	done
	shift
	mkdir -p "$dir"
	for src in "$@"; do
		cp "$src" "$dir/"
		src=${src##*/}
		objs+=("${src%.c}.o")
	done
	echo "obj-m := ${objs[*]}" >"$dir/Kbuild"
	"${make[@]}" M="$dir" modules >"$dir/build.log" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		show_tail "$dir/build.log" 40
		die "building the module(s) ${objs[*]} in $dir against $against failed (exit status $rc); log: $dir/build.log"
	fi
}
