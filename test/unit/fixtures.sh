# shellcheck shell=bash
#
# fixtures.sh - how the unit tests compile their fixtures: freestanding C
# files in test/unit/fixtures/, built at test time with the flags a kernel
# build uses.  Sourced by lib.sh (for test files) and run.sh (which builds
# every fixture once per run so the test files can share them).

FIXTURES=$(cd "${BASH_SOURCE[0]%/*}/fixtures" && pwd)

# The code-generation flags of a Linux 6.12 build (the top-level Makefile,
# arch/x86/Makefile, arch/arm64/Makefile), minus include paths: fixtures
# include no headers.
KERNEL_CFLAGS=(-O2 -c -ffunction-sections -fdata-sections -fno-pic
	-fno-asynchronous-unwind-tables -fno-common -nostdinc)
X86_64_CC=(gcc "${KERNEL_CFLAGS[@]}" -mfentry -pg -mrecord-mcount
	-mcmodel=kernel -mno-red-zone)
ARM64_CC=(aarch64-linux-gnu-gcc "${KERNEL_CFLAGS[@]}"
	-fpatchable-function-entry=2 -mcmodel=small -mgeneral-regs-only)
FIXTURE_ARCHES=(x86_64 arm64)

# ALL_FIXTURES: every fixture name (fixtures/NAME.c), sorted.
ALL_FIXTURES=()
for _f in "$FIXTURES"/*.c; do
	_f=${_f##*/}
	ALL_FIXTURES+=("${_f%.c}")
done
unset _f

# kernel_cc ARCH SRC OUT: compile SRC as the kernel would for ARCH.
kernel_cc() {
	case $1 in
	x86_64) "${X86_64_CC[@]}" -o "$3" "$2" ;;
	arm64) "${ARM64_CC[@]}" -o "$3" "$2" ;;
	*) echo "kernel_cc: unknown arch $1" >&2; return 1 ;;
	esac
}

# kernel_ld ARCH ARGS...: run the linker of ARCH.
kernel_ld() {
	case $1 in
	x86_64) shift; ld "$@" ;;
	arm64) shift; aarch64-linux-gnu-ld "$@" ;;
	*) echo "kernel_ld: unknown arch $1" >&2; return 1 ;;
	esac
}

# compile_fixtures DIR [JOBS]: every fixture for every arch into
# DIR/NAME.ARCH.o, JOBS compilers at a time; DIR/.done marks success.
compile_fixtures() {
	local dir=$1 jobs=${2:-1} arch name running=0 failed=0
	mkdir -p "$dir"
	for arch in "${FIXTURE_ARCHES[@]}"; do
		for name in "${ALL_FIXTURES[@]}"; do
			if [ "$running" -ge "$jobs" ]; then
				wait -n || failed=1
				running=$((running - 1))
			fi
			kernel_cc "$arch" "$FIXTURES/$name.c" "$dir/$name.$arch.o" &
			running=$((running + 1))
		done
	done
	while [ "$running" -gt 0 ]; do
		wait -n || failed=1
		running=$((running - 1))
	done
	[ "$failed" -eq 0 ] && : >"$dir/.done"
}
