#!/usr/bin/env bash
# t0120-decode-sweep: the instruction decoder (arch/x86_64/decode.c) knows
# every instruction of every function of the test kernel's vmlinux and of
# Debian's 6.12 cloud vmlinux (lib/debian.sh), decoding each function from
# its start: no instruction it cannot decode.  And every relocation in the
# code of kpatch-build's object tree of the test kernel and of Debian's
# modules lands exactly on a field the decoder reports (the displacement or
# branch displacement, or the immediate, of the width the relocation
# writes), an independent check of where it puts each field: the
# assembler placed those relocations.  Prints the counts and the times.
# test/tools/insn-dump does the decoding; nothing boots.
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kernel-fsections.sh
. "$BENCH_ROOT/lib/kernel-fsections.sh"
# shellcheck source=lib/debian.sh
. "$BENCH_ROOT/lib/debian.sh"

TOOLS=${KPNG_BUILD:-$BENCH_ROOT/../../build}
kernel_ensure_fsections
debian_ensure

# sweep WHAT FILE...: insn-dump --sweep over FILEs; prints its FAIL lines
# (the first undecodable instructions and misplaced relocations of each
# file) and one line of totals, and fails on any.
sweep() {
	local what=$1 rc=0 start
	shift
	start=$(now)
	"$TOOLS/test/insn-dump" --sweep "$@" >sweep.txt || rc=$?
	grep '^FAIL ' sweep.txt | head -n 20 || true
	if [ "$#" -gt 1 ]; then
		total=$(grep '^total: ' sweep.txt)
		total=${total#total: }
	else
		total=$(tail -n 1 sweep.txt)
		total=${total##*: }
	fi
	echo "$what: $total ($(elapsed "$start"))"
	[ "$rc" -eq 0 ]
	case $total in
	*" undecodable=0 "*" off-field=0") ;;
	*) die "$what: undecodable instructions or misplaced relocations (above)" ;;
	esac
}

test_vmlinux() {
	sweep "test kernel vmlinux" "$KERNEL_BUILD/vmlinux"
}

debian_vmlinux() {
	sweep "Debian's vmlinux" "$DEBIAN_VMLINUX"
}

# kpatch-build's objects, 64-bit only (arch/x86/realmode/rm/ is 32-bit).
fsections_objects() {
	find "$KERNEL_FSECTIONS" -name '*.o' -type f ! -name '*.mod.o' | sort >all.txt
	tr '\n' '\0' <all.txt | xargs -0 readelf -h 2>/dev/null |
		awk '/^File: / { f = substr($0, 7) }
		     /^  Class: *ELF64/ { print f }' >objects.txt
	mapfile -t objects <objects.txt
	[ "${#objects[@]}" -gt 500 ]
	sweep "kpatch-build's objects of the test kernel" "${objects[@]}"
}

debian_modules() {
	find "$DEBIAN_MODULES" -name '*.ko.xz' | sort >modules.txt
	mapfile -t modules <modules.txt
	[ "${#modules[@]}" -gt 500 ]
	sweep "Debian's modules" "${modules[@]}"
}

check 'every function of the test kernel'"'"'s vmlinux decodes' test_vmlinux
test_story
check 'every function of Debian'"'"'s vmlinux decodes' debian_vmlinux
test_story
check 'every relocation in the code of kpatch-build'"'"'s objects is on a decoded field' fsections_objects
test_story
check 'every relocation in the code of Debian'"'"'s modules is on a decoded field' debian_modules
if [ "$test_failed" -eq 0 ]; then
	sed -n 's/^\(.*: \(files\|functions\)=.*)\)$/#   \1/p' "$TEST_DIR"/check-*.log
fi
test_done
