#!/usr/bin/env bash
# cdo-scale.sh [BUILD_DIR]: create-diff-object's time and peak memory on
# generated objects of 1,000, 10,000 and 30,000 functions (one function
# changed, each function with a static local, a string and a call), to show
# that the time grows linearly with the size of the object.  Prints
# figures; asserts nothing about time.
set -o errexit -o errtrace -o nounset -o pipefail
trap 'echo "cdo-scale.sh: line $LINENO: $BASH_COMMAND failed" >&2' ERR

build=${1:-build}
cdo=$(cd "$build" && pwd)/create-diff-object
work=$(mktemp -d "${TMPDIR:-/tmp}/cdo-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT
flags=(-O2 -c -ffunction-sections -fdata-sections -mfentry -pg -mrecord-mcount
       -mcmodel=kernel -fno-pic -mno-red-zone -fno-asynchronous-unwind-tables)

# gen N CHANGED: a C file of N functions; function CHANGED returns one more.
gen() {
	local n=$1 changed=$2
	awk -v n="$n" -v c="$changed" 'BEGIN {
		print "extern int printk(const char *, ...);"
		for (i = 0; i < n; i++) {
			printf "__attribute__((noinline)) int f%d(int x) { static int calls; calls++;", i
			printf " if (x > %d) printk(\"f%d %%d\\n\", x);", 1000 + i, i
			printf " return x + calls + %d%s; }\n", i, (i == c ? " + 1" : "")
		}
		printf "int f_all(int x) { return 0"
		for (i = 0; i < n; i += 97) printf " + f%d(x)", i
		print "; }"
	}'
}

printf '0x0\t__fentry__\tvmlinux\tEXPORT_SYMBOL\t\n0x0\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n' >"$work/Module.symvers"
printf '%-10s %-10s %-10s %-14s %s\n' functions symbols seconds "us/function" "peak RSS KiB"
for n in 1000 10000 30000; do
	mkdir -p "$work/$n/a" "$work/$n/b"
	gen "$n" -1 >"$work/$n/a/obj.c"
	gen "$n" $((n / 2)) >"$work/$n/b/obj.c"
	gcc "${flags[@]}" "$work/$n/a/obj.c" -o "$work/$n/a/obj.o"
	gcc "${flags[@]}" "$work/$n/b/obj.c" -o "$work/$n/b/obj.o"
	"$cdo" --stats "$work/$n/a/obj.o" "$work/$n/b/obj.o" "$work/$n/a/obj.o" \
		"$work/Module.symvers" "$work/$n/out.o" >"$work/$n/out.txt" 2>"$work/$n/err.txt"
	grep -qx "changed function: f$((n / 2)) (code)" "$work/$n/out.txt"
	awk -v n="$n" '/symbols,/ {
		s = $2; t = $4; rss = $(NF - 1)
		printf "%-10d %-10d %-10.3f %-14.2f %d\n", n, s, t, t * 1e6 / n, rss
	}' "$work/$n/err.txt"
done
