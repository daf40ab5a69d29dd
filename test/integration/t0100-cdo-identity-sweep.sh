#!/usr/bin/env bash
# t0100-cdo-identity-sweep: every object of the test kernel built with
# -ffunction-sections -fdata-sections, diffed against itself, is "no
# change" (exit 3, nothing on stdout, one line on stderr) and never a
# crash; prints the count and the time, and the time and peak memory on
# the largest object (vmlinux.o).
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kernel-fsections.sh
. "$BENCH_ROOT/lib/kernel-fsections.sh"

TOOLS=${KPNG_BUILD:-$BENCH_ROOT/../../build}
# Like the test kernel itself, built before the checks (once, then cached).
kernel_ensure_fsections

list_objects() {
	find "$KERNEL_FSECTIONS" -name '*.o' -type f ! -name '*.mod.o' | sort >all.txt
	tr '\n' '\0' <all.txt | xargs -0 readelf -h 2>/dev/null |
		awk '/^File: / { f = substr($0, 7) }
		     /^  Class: *ELF64/ { print f }' >objects.txt
	echo "$(wc -l <objects.txt) 64-bit objects in $KERNEL_FSECTIONS"
	grep -qx "$KERNEL_FSECTIONS/vmlinux.o" objects.txt
}

sweep() {
	local f rc n=0 bad=0 start
	start=$(now)
	while IFS= read -r f; do
		n=$((n + 1))
		rc=0
		"$TOOLS/create-diff-object" "$f" "$f" "$f" /dev/null out.o \
			>out.txt 2>err.txt || rc=$?
		if [ "$rc" -ne 3 ] || [ -s out.txt ] || [ -e out.o ] ||
		   [ "$(cat err.txt)" != "create-diff-object: no changed functions in $f" ]; then
			echo "$f: exit status $rc"
			cat out.txt err.txt
			bad=$((bad + 1))
			rm -f out.o
		fi
	done <objects.txt
	echo "identity sweep: $n objects, $bad not \"no change\", $(elapsed "$start")"
	[ "$bad" -eq 0 ]
}

largest() {
	local rc=0
	"$TOOLS/create-diff-object" --stats "$KERNEL_FSECTIONS/vmlinux.o" \
		"$KERNEL_FSECTIONS/vmlinux.o" "$KERNEL_FSECTIONS/vmlinux.o" /dev/null \
		out.o 2>err.txt || rc=$?
	[ "$rc" -eq 3 ]
	echo "largest object, vmlinux.o: $(tail -n 1 err.txt)"
}

check 'list the objects built with -ffunction-sections -fdata-sections' list_objects
check 'every object diffed against itself is "no change"' sweep
check 'time and memory on the largest object' largest
if [ "$test_failed" -eq 0 ]; then
	sed 's/^/#   /' "$TEST_DIR/check-1.log" "$TEST_DIR/check-2.log" "$TEST_DIR/check-3.log"
fi
test_done
