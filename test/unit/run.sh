#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Run every test/unit/tNNNN-*.sh against the tools in BUILD_DIR and print
# one line per check, "ok N - tNNNN-name: description" or "not ok ...",
# numbered across the suite, then exactly one summary line:
#
#	N passed, N failed
#
# Exit status 0 when nothing failed.  A test file that stops before
# test_done counts as one more failure.  Test files run concurrently
# (KPATCH_UNIT_JOBS, default the number of CPUs); their output is printed
# in file order.
#
# Usage: test/unit/run.sh BUILD_DIR [tNNNN-name.sh...]
set -o errexit -o errtrace -o nounset -o pipefail
trap 'echo "run.sh: line $LINENO: $BASH_COMMAND failed" >&2' ERR

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-build}
shift || true
case $build in
/*) ;;
*) build=$src/$build ;;
esac

if [ "$#" -gt 0 ]; then
	files=("$@")
else
	files=("$here"/t[0-9][0-9][0-9][0-9]-*.sh)
fi
jobs=${KPATCH_UNIT_JOBS:-$(nproc 2>/dev/null || echo 2)}

# Tools built with the sanitizers (make asan-tools): a report is an exit
# status no check expects, leaks included; valgrind checks step aside.
if [ -f "$build/sanitized" ]; then
	export KPATCH_UNIT_SANITIZED=1
	export ASAN_OPTIONS=exitcode=99:detect_leaks=1
	export UBSAN_OPTIONS=exitcode=98:print_stacktrace=1:halt_on_error=1
fi

outdir=$(mktemp -d "${TMPDIR:-/tmp}/kpatch-unit-run.XXXXXX")
cleanup() {
	rm -rf "$outdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$(date +%s.%N)

# Compile the fixtures once for every test file (see fixtures.sh); a
# failure here is reported by the test files, which then compile their own.
# shellcheck source=fixtures.sh
. "$here/fixtures.sh"
# (A run.sh started by a test reuses its caller's.)
if [ ! -e "${KPATCH_UNIT_FIXTURES:-/nonexistent}/.done" ]; then
	KPATCH_UNIT_FIXTURES=$outdir/fixtures
	export KPATCH_UNIT_FIXTURES
	compile_fixtures "$KPATCH_UNIT_FIXTURES" "$jobs" 2>/dev/null || true
fi

# Start every file, at most $jobs at a time, the last first (the slow,
# whole-object files are numbered last); each writes $outdir/<n>.out and
# its exit status to $outdir/<n>.rc.
running=0
for ((i = ${#files[@]} - 1; i >= 0; i--)); do
	if [ "$running" -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	(
		rc=0
		KPATCH_UNIT_BUILD=$build bash "${files[$i]}" >"$outdir/$i.out" 2>&1 || rc=$?
		echo "$rc" >"$outdir/$i.rc"
	) &
	running=$((running + 1))
done
wait

passed=0
failed=0
skipped=0
n=0
for i in "${!files[@]}"; do
	name=${files[$i]##*/}
	name=${name%.sh}
	plan=false
	while IFS= read -r line; do
		case $line in
		"ok "*|"not ok "*)
			n=$((n + 1))
			result=${line%% [0-9]*}
			desc=${line#* [0-9]* - }
			echo "$result $n - $name: $desc"
			if [ "$result" = "not ok" ]; then
				failed=$((failed + 1))
			elif [[ $desc == *"# skip "* ]]; then
				skipped=$((skipped + 1))
			else
				passed=$((passed + 1))
			fi
			;;
		1..*)
			plan=true
			;;
		*)
			echo "$line"
			;;
		esac
	done <"$outdir/$i.out"
	rc=$(cat "$outdir/$i.rc" 2>/dev/null || echo unknown)
	if ! "$plan"; then
		n=$((n + 1))
		failed=$((failed + 1))
		echo "not ok $n - $name: stopped before test_done (exit status $rc)"
	fi
done

end=$(date +%s.%N)
[ "$skipped" -eq 0 ] || echo "# $skipped skipped"
awk -v s="$start" -v e="$end" -v f="${#files[@]}" \
	'BEGIN { printf "# %d test files in %.1f s\n", f, e - s }'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit 1
