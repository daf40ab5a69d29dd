#!/usr/bin/env bash
# t0130-fuzz: a short coverage-guided fuzzing campaign (AFL++) of every
# reader of untrusted input, seeded with real kernel objects: the test
# kernel's binfmt_misc.ko (also xz-compressed) and Module.symvers, and
# binfmt_misc.o before and after patches/010-module-binfmt-misc.patch as
# kpatch-build compiles them, with the livepatch module before
# create-klp-module (kpatch-build -d).  The tools are built with
# afl-clang-fast, AddressSanitizer and UndefinedBehaviorSanitizer (make
# afl-tools), each run in one process for input after input
# (test/fuzz/persist.c); test/fuzz/campaign.sh runs each target for
# KPNG_FUZZ_SECONDS (default 60) and prints executions, speed, edges,
# bitmap share, stability, crashes and hangs, and a total; any crash or
# hang fails.  `make fuzz FUZZ_SECONDS=N [FUZZ_EXECS=M]` runs this file
# with N (and KPNG_FUZZ_EXECS=M: each target stops after about M
# executions); doc/fuzzing.md has the long campaign's figures.
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kpatch-build.sh
. "$BENCH_ROOT/lib/kpatch-build.sh"

TOP=$(cd "$BENCH_ROOT/../.." && pwd)
AFL=$TOP/build-afl
SECS=${KPNG_FUZZ_SECONDS:-60}

afl_tools() {
	make -s -C "$TOP" afl-tools >"$SCRATCH/afl-build.log" 2>&1 ||
		{ cat "$SCRATCH/afl-build.log"; die "make afl-tools failed"; }
	[ -x "$AFL/create-diff-object" ] && [ -x "$AFL/test/kelf-dump" ]
}

seeds() {
	local s=$SCRATCH/seeds dbg
	mkdir -p "$s"
	kpb seed -d -n seed "$PATCHES/010-module-binfmt-misc.patch" ||
		{ cat "$SCRATCH/seed.log"; die "kpatch-build -d failed"; }
	dbg=$(sed -n 's/^kpatch-build: debug directory (intermediates, commands.log, logs): //p' "$SCRATCH/seed.log")
	[ -d "$dbg" ] || die "no debug directory in the output"
	cp "$dbg/orig/fs/binfmt_misc.o" "$s/orig.o"
	cp "$dbg/patched/fs/binfmt_misc.o" "$s/patched.o"
	cp "$dbg/module/livepatch-seed.ko" "$s/prelink.ko"
	rm -rf "$dbg"
	cp "$KERNEL_BUILD/fs/binfmt_misc.ko" "$s/target.ko"
	# As kbuild's modules_install compresses (scripts/Makefile.modinst).
	xz -k -c --check=crc32 --lzma2=dict=1MiB "$s/target.ko" >"$s/target.ko.xz"
	# The lines of the symbols the module uses, and 100 more: the parser's
	# paths without a tree's thousands of lines per run.
	{
		nm -u "$s/orig.o" "$s/patched.o" | awk 'NF == 2 { print $2 }' |
			awk 'NR == FNR { used[$1] = 1; next } $2 in used' - "$KERNEL_BUILD/Module.symvers"
		head -n 100 "$KERNEL_BUILD/Module.symvers"
	} | sort -u >"$s/symvers"
	[ -s "$s/symvers" ]
	# Each seed is valid: the tools accept them as they are.
	"$AFL/test/kelf-dump" "$s/orig.o" >/dev/null
	"$AFL/test/kelf-dump" "$s/target.ko.xz" >/dev/null
	"$AFL/create-diff-object" -n binfmt_misc "$s/orig.o" "$s/patched.o" "$s/target.ko" \
		"$s/symvers" "$SCRATCH/diff.o" >/dev/null
	"$AFL/create-klp-module" "$s/prelink.ko" "$SCRATCH/klp.ko" >/dev/null
	"$AFL/check-target" -a -n binfmt_misc "$s/orig.o" "$s/target.ko" >/dev/null
}

campaign() {
	bash "$TOP/test/fuzz/campaign.sh" "$AFL" "$SCRATCH/seeds" "$SCRATCH/fuzz" "$SECS" \
		>"$SCRATCH/campaign.out" 2>"$SCRATCH/campaign.err" || {
		cat "$SCRATCH/campaign.out" "$SCRATCH/campaign.err"
		ls "$SCRATCH/fuzz/found" 2>/dev/null
		die "the campaign found inputs that crash or hang a tool (above)"
	}
	sed 's/^/  /' "$SCRATCH/campaign.out"
	# Every target ran and executed something.
	[ "$(awk 'NR > 1 && $1 != "total" && $2 > 0' "$SCRATCH/campaign.out" | wc -l)" -eq 8 ]
}

mkdir -p "$SCRATCH"
check "build the tools with afl-clang-fast, ASan and UBSan" afl_tools
check "seeds: binfmt_misc.o before and after a patch, the module, .ko.xz, Module.symvers, a livepatch before create-klp-module" seeds
check "$SECS s per target: no crash, no hang" campaign
test_done
