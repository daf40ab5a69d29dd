#!/usr/bin/env bash
# Run the VM test suite: build (or reuse) the test kernel for ARCH, then
# every test/integration/tNNNN-*.sh in order, one at a time (each boots
# qemu under TCG).  Prints each file's "# ..." lines, then
#
#	ok N - tNNNN-name
#	not ok N - tNNNN-name
#
# per file, and ends with exactly one line `N passed, N failed`; exits
# non-zero when anything failed.  If the kernel cannot be built, every
# test counts as failed.  Console logs and check logs stay in
# $KPNG_RESULTS (default /tmp/kpng-results/CHECKOUT, the checkout's
# directory name)/tNNNN-name/.
#
# Without tNNNN-name.sh arguments, the files are those that apply to ARCH
# (ARCH_TESTS of lib/arch.sh: all of them on x86_64); the others are
# named in a "# ARCH: not applicable" line.
#
# Usage: test/integration/run.sh [ARCH] [tNNNN-name.sh...]
# shellcheck source-path=SCRIPTDIR
set -o errexit -o errtrace -o nounset -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/common.sh
. "$here/lib/common.sh"
# shellcheck source=lib/arch.sh
. "$here/lib/arch.sh"
bench_strict_mode

# run_child COMMAND...: run COMMAND in the background and wait for it, so
# that an INT or TERM of run.sh reaches it at once (stop_child).
child=
run_child() {
	local rc=0
	"$@" &
	child=$!
	wait "$child" || rc=$?
	child=
	return "$rc"
}
stop_child() {
	if [ -n "$child" ]; then
		kill -TERM "$child" 2>/dev/null || true
		wait "$child" 2>/dev/null || true
	fi
}
trap 'stop_child; exit 130' INT
trap 'stop_child; exit 143' TERM

arch=${1:-x86_64}
shift || true
arch_setup "$arch"
if [ "$#" -gt 0 ]; then
	files=("$@")
else
	# The files that apply to the arch (lib/arch.sh), said by name when
	# that is not all of them.
	files=()
	for glob in "${ARCH_TESTS[@]}"; do
		for file in "$here"/$glob; do
			[ -f "$file" ] || die "ARCH_TESTS of $arch (lib/arch.sh): no test file $file"
			files+=("$file")
		done
	done
	skipped=()
	for file in "$here"/t[0-9][0-9][0-9][0-9]-*.sh; do
		case " ${files[*]} " in
		*" $file "*) ;;
		*) skipped+=("${file##*/}") ;;
		esac
	done
	if [ "${#skipped[@]}" -ne 0 ]; then
		echo "# $arch: running ${#files[@]} test files: ${files[*]##*/}"
		echo "# $arch: not applicable, not run: ${skipped[*]}"
		echo "#   ($ARCH_TESTS_NOTE)"
	fi
fi
KPNG_RESULTS=${KPNG_RESULTS:-$(bench_results_default)}
export KPNG_RESULTS

t0=$(now)
kernel_ok=true
kernel_rc=0
run_child "$here/build-kernel.sh" "$arch" >/dev/null || kernel_rc=$?
if [ "$kernel_rc" -ne 0 ]; then
	warn "the test kernel could not be built (exit status $kernel_rc): every test fails"
	kernel_ok=false
fi

passed=0
failed=0
n=0
for file in "${files[@]}"; do
	name=${file##*/}
	name=${name%.sh}
	n=$((n + 1))
	rc=0
	t=$(now)
	if "$kernel_ok"; then
		run_child bash "$file" "$arch" || rc=$?
	else
		echo "# $name: not run, no test kernel"
		rc=1
	fi
	echo "# $name: $(elapsed "$t")"
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok $n - $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name"
	fi
done

echo "# ${#files[@]} test files in $(elapsed "$t0"); logs in $KPNG_RESULTS"
echo "$passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then
	exit 1
fi
