#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='scale: an object with 10000 functions (figures, not time limits)'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# A generated C file of 10000 functions, fn_i calling fn_{i-1}, every
# tenth with a static local "calls" (calls.0 ... calls.999), compiled with
# the x86_64 kernel flags at -O0: cc1 spends about 1 ms per function at
# -O2 on the test machine (13 s), and the ELF structure (one section per
# function, __fentry__ and __mcount_loc entries, a relocation per call) is
# the same.  The object is cached in $BUILD/test/unit-cache under the
# checksum of the source, the flags and the compiler version, so only the
# first run after "make clean" or a compiler change pays for it.
#
# Timings and peak RSS are printed ("# ..." lines), never asserted.

NR_FUNCS=10000

generate() {
	awk -v n="$NR_FUNCS" 'BEGIN {
		print "int sink;"
		for (i = 0; i < n; i++) {
			printf "int fn_%d(int v)\n{\n", i
			if (i % 10 == 0)
				printf "\tstatic int calls;\n\n\tcalls++;\n"
			if (i)
				printf "\treturn fn_%d(v) * %d + sink;\n}\n", i - 1, i
			else
				printf "\treturn v + sink;\n}\n"
		}
	}'
}

# timed VAR COMMAND...: run COMMAND, store its wall time in seconds in VAR.
timed() {
	local var=$1 start
	shift
	start=$EPOCHREALTIME
	"$@" || return
	printf -v "$var" "%s" "$(test_elapsed "$start")"
}

# peak_rss COMMAND...: "N KiB" of COMMAND's peak RSS (GNU time), or "n/a".
peak_rss() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "%M KiB" -o rss "$@" >/dev/null && cat rss
	else
		"$@" >/dev/null && echo "n/a (no /usr/bin/time)"
	fi
}

test_expect_success 'setup: generate and compile 10000 functions (cached)' '
	generate >scale.c &&
	key=$({ cat scale.c; echo "${X86_64_CC[*]} -O0"; gcc -dumpfullversion; } | cksum | cut -d" " -f1) &&
	cache=$BUILD/test/unit-cache/scale-$key.o &&
	if [ -f "$cache" ]; then
		cp "$cache" scale.o &&
		test_say "scale.o: reused $cache"
	else
		timed secs "${X86_64_CC[@]}" -O0 -o scale.o scale.c &&
		mkdir -p "$BUILD/test/unit-cache" &&
		cp scale.o "$cache.tmp.$$" && mv "$cache.tmp.$$" "$cache" &&
		test_say "scale.o: compiled in $secs s"
	fi
'

test_expect_success 'the object holds 10000 functions, 1000 static locals, one section each' '
	kelf-dump -S -s -r scale.o >dump &&
	{
		grep -c "^S [0-9]* \.text\.fn_[0-9]* " dump &&
		grep -c "^Y [0-9]* fn_[0-9]* GLOBAL FUNC \.text\.fn_" dump &&
		grep -c "^Y [0-9]* calls\.[0-9]* LOCAL OBJECT \.bss\.calls\.[0-9]* " dump &&
		grep -c "^R __mcount_loc+" dump &&
		grep -c "^R \.text\.fn_[0-9]*+0x[0-9a-f]* R_X86_64_PLT32 fn_" dump
	} >actual &&
	printf "%s\n" 10000 10000 1000 10000 9999 >expect &&
	test_cmp expect actual &&
	test_say "scale.o: $(wc -c <scale.o) bytes, $(grep -c "^S " dump) sections," \
		"$(grep -c "^Y " dump) symbols, $(grep -c "^R " dump) relocations"
'

test_expect_success 'lookups by address find the right function' '
	for i in 0 1 4999 5000 9999; do
		kelf-dump --containing .text.fn_$i 0 scale.o || return 1
	done >actual &&
	kelf-dump --symbol calls.999 scale.o | sed -e "s/^Y [0-9]* //" >>actual &&
	cat >expect <<-\EOF &&
	fn_0
	fn_1
	fn_4999
	fn_5000
	fn_9999
	calls.999 LOCAL OBJECT .bss.calls.999 off=0 size=4
	EOF
	test_cmp expect actual
'

test_expect_success 'figures: kelf-dump --containing (open, index, one lookup)' '
	start=$EPOCHREALTIME &&
	for i in 0 1111 2222 3333 4444 5555 6666 7777 8888 9999; do
		kelf-dump --containing .text.fn_$i 0x10 scale.o >/dev/null || return 1
	done &&
	elapsed=$(test_elapsed "$start") &&
	rss=$(peak_rss kelf-dump --containing .text.fn_5000 0x10 scale.o) &&
	test_say "kelf-dump --containing: 10 runs in $elapsed s, peak RSS $rss"
'

test_expect_success 'figures: kelf-copy, and the copy reads the same' '
	echo scale.o >list &&
	mkdir tree &&
	kelf-copy --tree list tree >copy.out &&
	test_say "kelf-copy: $(cat copy.out)" &&
	# elf_view without objdump -s, and sed only where offsets appear.
	for o in scale.o tree/0.o; do
		{
			readelf -W -S $o | sed -E -e "s/^(  \[ *[0-9]+\] +[^ ]+ +[^ ]+ +[0-9a-f]{16}) [0-9a-f]{6,}/\1/" \
				-e "s/, starting at offset 0x[0-9a-f]+//" &&
			readelf -W -s $o &&
			readelf -W -r $o | sed -e "s/ at offset 0x[0-9a-f]*//"
		} >$o.view || return 1
	done &&
	test_cmp scale.o.view tree/0.o.view &&
	kelf-copy tree/0.o copy2.o &&
	cmp tree/0.o copy2.o
'

test_done
