#!/usr/bin/env bash
# campaign.sh - coverage-guided fuzzing (AFL++) of every reader of
# untrusted input, with the tools built by afl-clang-fast with
# AddressSanitizer and UndefinedBehaviorSanitizer (make afl-tools).
#
#	test/fuzz/campaign.sh AFL_BUILD SEEDS OUT SECONDS [TARGET...]
#
# SEEDS holds the inputs the targets start from (test/integration/
# t0130-fuzz.sh makes them from real kernel objects):
#	orig.o patched.o	a module's object before and after a patch, as
#				kpatch-build compiles them (kpatch-build -d)
#	target.ko		that module (binfmt_misc), as create-diff-object's
#				and check-target's TARGET
#	symvers			a Module.symvers
#	prelink.ko		a livepatch module before create-klp-module
#	target.ko.xz		target.ko, xz-compressed
# Each target mutates one input of one tool, the others fixed:
#	elf		kelf-dump (the ELF layer: every tool's reader)
#	xz		kelf-dump of a .ko.xz (the xz reader)
#	cdo-patched	create-diff-object's PATCHED.o
#	cdo-orig	create-diff-object's ORIG.o
#	cdo-target	create-diff-object's TARGET (a module)
#	cdo-symvers	create-diff-object's SYMVERS
#	klp		create-klp-module's IN.ko
#	check-target	check-target's TARGET
# The tools are AFL_BUILD/fuzz/TOOL, the persistent-mode builds
# (test/fuzz/persist.c): one process runs the tool on input after input,
# aborting when a run leaks memory or a file descriptor.
# SECONDS per target, at most; KPNG_FUZZ_EXECS=N stops each target after
# about N executions instead.  Targets run KPNG_FUZZ_JOBS at a time
# (default: as many as there are CPUs).
# Prints one line per target and a total: executions, executions per
# second, edges covered (of the instrumented), the share of AFL's bitmap
# set, stability (the share of edges that are the same on every run of an
# input: below 100 % a run depends on an earlier one), crashes and hangs;
# a crash or a hang that reproduces (10 s) is copied to OUT/found/TARGET-N
# with its command line, and the exit status is 1.
set -o errexit -o errtrace -o nounset -o pipefail
trap 'echo "campaign.sh: line $LINENO: $BASH_COMMAND failed" >&2' ERR

[ "$#" -ge 4 ] || { sed -n 's/^#\t\(test\/fuzz.*\)/usage: \1/p' "$0" >&2; exit 1; }
afl=$(realpath "$1") seeds=$(realpath "$2") out=$3 secs=$4 execs=${KPNG_FUZZ_EXECS:-}
shift 4
all=(elf xz cdo-patched cdo-orig cdo-target cdo-symvers klp check-target)
[ "$#" -gt 0 ] || set -- "${all[@]}"
mkdir -p "$out"
out=$(realpath "$out")
command -v afl-fuzz >/dev/null || { echo "campaign.sh: afl-fuzz missing (Debian package afl++)" >&2; exit 1; }
# The input AFL rewrites and the tools' outputs, every execution: in
# memory (tmpfs) when there is one, not through a disk's journal.
shm=$out
[ -d /dev/shm ] && [ -w /dev/shm ] && shm=/dev/shm
tmp=$(mktemp -d "$shm/kpng-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# target_cmd TARGET: the seed file mutated, then the command (@@ the input).
target_cmd() {
	local d=$seeds t=$tmp/$1/out f=$afl/fuzz
	case $1 in
	elf) echo "orig.o $f/kelf-dump @@" ;;
	xz) echo "target.ko.xz $f/kelf-dump @@" ;;
	cdo-patched) echo "patched.o $f/create-diff-object -n binfmt_misc $d/orig.o @@ $d/target.ko $d/symvers $t.o" ;;
	cdo-orig) echo "orig.o $f/create-diff-object -n binfmt_misc @@ $d/patched.o $d/target.ko $d/symvers $t.o" ;;
	cdo-target) echo "target.ko $f/create-diff-object -n binfmt_misc $d/orig.o $d/patched.o @@ $d/symvers $t.o" ;;
	cdo-symvers) echo "symvers $f/create-diff-object -n binfmt_misc $d/orig.o $d/patched.o $d/target.ko @@ $t.o" ;;
	klp) echo "prelink.ko $f/create-klp-module @@ $t.ko" ;;
	check-target) echo "target.ko $f/check-target -a -n binfmt_misc $d/orig.o @@" ;;
	*) echo "campaign.sh: no target $1 (targets: ${all[*]})" >&2; return 1 ;;
	esac
}

# stat FILE KEY: a value of AFL's fuzzer_stats.
stat() {
	sed -n "s/^$2 *: //p" "$1"
}

run_one() {
	local name=$1 seed cmd dir
	dir=$out/$name
	read -r seed cmd < <(target_cmd "$name")
	rm -rf "$dir" "$dir.in"
	mkdir -p "$dir.in" "$tmp/$name"
	cp "$seeds/$seed" "$dir.in/"
	# The command to rerun an input with, writing beside AFL's files.
	echo "${cmd//$tmp\/$name/$dir}" >"$dir.cmd"
	# Leak detection on: the driver asks LeakSanitizer between runs.
	# No allocation stacks and a smaller quarantine: a fifth faster; a
	# crash found is rerun with the unit suite's ASan build for its stacks.
	# shellcheck disable=SC2086 # cmd is a command line
	AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
	AFL_NO_AFFINITY=1 AFL_QUIET=1 AFL_TMPDIR=$tmp/$name \
	ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=1:malloc_context_size=0:quarantine_size_mb=32 \
	UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1 \
		timeout $((secs + 60)) afl-fuzz -V "$secs" ${execs:+-E "$execs"} -t 2000 -m none \
		-i "$dir.in" -o "$dir" -- $cmd >"$dir.log" 2>&1 || true
}

# Run the targets, a CPU's worth at a time.
jobs=${KPNG_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
running=0
for name in "$@"; do
	target_cmd "$name" >/dev/null
	if [ "$running" -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	run_one "$name" &
	running=$((running + 1))
done
wait

bad=0 total_execs=0 total_crashes=0 total_hangs=0
fmt='%-13s %11s %7s %11s %7s %9s %7s %5s\n'
# shellcheck disable=SC2059 # the format is the table's
printf "$fmt" target executions exec/s edges bitmap stability crashes hangs
for name in "$@"; do
	dir=$out/$name
	st=$dir/default/fuzzer_stats
	if [ ! -f "$st" ]; then
		echo "campaign.sh: $name: afl-fuzz did not run; its log:" >&2
		tail -n 20 "$dir.log" >&2
		bad=1
		continue
	fi
	crashes=$(find "$dir/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
	hangs=0
	cmd=$(cat "$dir.cmd")
	# A hang under load may be a slow run: it counts when it still
	# takes over 10 s alone.
	for f in "$dir"/default/hangs/id:*; do
		[ -e "$f" ] || continue
		rc=0
		# shellcheck disable=SC2086
		timeout 10 ${cmd//@@/$f} >/dev/null 2>&1 || rc=$?
		if [ "$rc" -eq 124 ]; then
			hangs=$((hangs + 1))
			mkdir -p "$out/found"
			cp "$f" "$out/found/$name-hang-$hangs"
		fi
	done
	n=0
	for f in "$dir"/default/crashes/id:*; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		mkdir -p "$out/found"
		cp "$f" "$out/found/$name-crash-$n"
		echo "${cmd//@@/$out/found/$name-crash-$n}" >"$out/found/$name-crash-$n.cmd"
	done
	execs_done=$(stat "$st" execs_done)
	# shellcheck disable=SC2059
	printf "$fmt" "$name" "$execs_done" "$(stat "$st" execs_per_sec)" \
		"$(stat "$st" edges_found)/$(stat "$st" total_edges)" "$(stat "$st" bitmap_cvg)" \
		"$(stat "$st" stability)" "$crashes" "$hangs"
	total_execs=$((total_execs + execs_done))
	total_crashes=$((total_crashes + crashes))
	total_hangs=$((total_hangs + hangs))
	[ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ] || bad=1
done
# shellcheck disable=SC2059
printf "$fmt" total "$total_execs" "" "" "" "" "$total_crashes" "$total_hangs"
if [ "$bad" -ne 0 ] && [ -d "$out/found" ]; then
	echo "campaign.sh: inputs that crash or hang a tool, with their command lines: $out/found/" >&2
fi
exit "$bad"
