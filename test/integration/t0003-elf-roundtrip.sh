#!/usr/bin/env bash
# t0003-elf-roundtrip: the ELF layer reads every 64-bit object of the test
# kernel (each .o, each .ko, vmlinux.o) and writes a copy that readelf
# shows with the same sections, symbols, relocations and groups; prints the
# count and the time.  32-bit objects (x86_64's real-mode and boot code)
# are refused with a one-line error, as they must be; a tree without any
# (arm64) has a bare 32-bit ELF header stand in for one.
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"

TOOLS=${KPNG_BUILD:-$BENCH_ROOT/../../build}

list_objects() {
	find "$KERNEL_BUILD" \( -name '*.o' -o -name '*.ko' \) -type f | sort >all.txt
	# The ELF class of each, from one readelf.
	tr '\n' '\0' <all.txt | xargs -0 readelf -h 2>/dev/null |
		awk '/^File: / { f = substr($0, 7) }
		     /^  Class:/ { print $2, f }' >classes.txt
	awk '$1 == "ELF64" { print $2 }' classes.txt >objects.txt
	awk '$1 == "ELF32" { print $2 }' classes.txt >objects32.txt
	echo "$(wc -l <objects.txt) 64-bit objects, $(wc -l <objects32.txt) 32-bit"
	[ "$(wc -l <all.txt)" -eq $(($(wc -l <objects.txt) + $(wc -l <objects32.txt))) ]
	[ -s objects.txt ]
	grep -qx "$KERNEL_BUILD/vmlinux.o" objects.txt
}

copy_all() {
	rm -rf copies
	mkdir copies
	"$TOOLS/test/kelf-copy" --tree objects.txt copies
}

compare_all() {
	local start end n
	start=$(date +%s)
	n=$(wc -l <objects.txt)
	tr '\n' '\0' <objects.txt | xargs -0 -n 200 "$BENCH_ROOT/helpers/readelf-view.sh" >orig.view
	seq 0 $((n - 1)) | sed 's|.*|copies/&.o|' | tr '\n' '\0' |
		xargs -0 -n 200 "$BENCH_ROOT/helpers/readelf-view.sh" >copy.view
	if ! cmp -s orig.view copy.view; then
		diff -u orig.view copy.view | head -n 40
		echo "the copies differ (file numbers are lines of objects.txt)"
		return 1
	fi
	end=$(date +%s)
	echo "readelf shows the same sections, symbols, relocations and groups for $n copies ($(wc -l <orig.view) lines, $((end - start)) s)"
}

refuse_32bit() {
	local f rc=0
	f=$(head -n 1 objects32.txt)
	if [ -z "$f" ]; then
		# ELFCLASS32, little-endian, ET_REL, EM_NONE, EV_CURRENT, 52
		# bytes: the ELF header alone.
		f=$SCRATCH/elf32-header.o
		{
			printf '\177ELF\1\1\1'
			head -c 9 /dev/zero	# the rest of e_ident
			printf '\1\0\0\0\1\0\0\0'	# e_type, e_machine, e_version
			head -c 16 /dev/zero	# e_entry, e_phoff, e_shoff, e_flags
			printf '\64\0'		# e_ehsize
			head -c 10 /dev/zero	# no program or section headers
		} >"$f"
	fi
	"$TOOLS/test/kelf-copy" "$f" out32.o 2>err.txt || rc=$?
	[ "$rc" -eq 1 ] || { echo "exit status $rc, expected 1"; return 1; }
	echo "kelf-copy: error: $f: ELF class 1 is not supported: only 64-bit ELF (ELFCLASS64) objects are" >expect.txt
	diff -u expect.txt err.txt
	[ ! -e out32.o ]
}

check 'list the objects of the test kernel' list_objects
check 'copy every 64-bit object through the ELF layer' copy_all
check 'readelf reads every copy back the same' compare_all
check 'a 32-bit object is refused with one line' refuse_32bit
# The figures: counts and times.
if [ "$test_failed" -eq 0 ]; then
	sed 's/^/#   /' "$TEST_DIR/check-1.log" "$TEST_DIR/check-2.log" "$TEST_DIR/check-3.log"
fi
test_done
