#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='create-diff-object: the patch author'"'"'s markers (kmod/kpatch-macros.h): KPATCH_IGNORE_FUNCTION, KPATCH_IGNORE_SECTION, KPATCH_FORCE_UNSAFE, and the callbacks'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# The fixtures emulate the macros (the header needs the kernel's headers):
# same section names, same kind of entries.  unmarked DIR MARKER: the
# pair of DIR in DIR-unmarked, with the marker section MARKER taken out of
# patched.o, as if the patch did not use the macro.
unmarked() {
	mkdir "$1-unmarked" &&
	cp -L "$1/orig.o" "$1-unmarked/orig.o" &&
	objcopy --remove-section="$2" --remove-section=".rela$2" "$1/patched.o" \
		"$1-unmarked/patched.o" &&
	cdo_symvers "$1-unmarked/Module.symvers"
}

# bad_marks NAME: compile NAME.orig.c and NAME.patched.c, which the test
# writes, as pairs.sh compiles a pair, into NAME/ (for markers that are
# wrong: as fixture pairs they would spoil t1000's identity sweep).
bad_marks() {
	local -a CDO_CC=()
	cdo_cc x86_64 &&
	mkdir -p "$1/a" "$1/b" &&
	cp "$1.orig.c" "$1/a/$1.c" &&
	cp "$1.patched.c" "$1/b/$1.c" &&
	(cd "$1/a" && "${CDO_CC[@]}" -o ../orig.o "$1.c") &&
	(cd "$1/b" && "${CDO_CC[@]}" -o ../patched.o "$1.c") &&
	cdo_symvers "$1/Module.symvers"
}

# no_markers OBJ: nothing the macros make is in the diff object.
no_markers() {
	! cdo_sections "$1" | grep -q "kpatch" &&
	! cdo_symbols "$1" | grep -q "__kpatch"
}

test_expect_success 'setup: the fixture pairs' '
	cdo_pairs x86_64 author-ignore-function author-ignore-section author-force-data \
		author-force-data-shared author-force-jump-label author-force-notrace \
		author-callbacks &&
	cdo_pairs arm64 author-ignore-function
'

for arch in x86_64 arm64; do
	test_expect_success "KPATCH_IGNORE_FUNCTION ($arch): noisy() is left out and said so; real() calls the running kernel's" '
		test_expect_code 0 cdo author-ignore-function.'$arch' &&
		cat >expect <<-\EOF &&
		ignored function: noisy
		changed function: real (code)
		EOF
		test_cmp expect author-ignore-function.'$arch'/stdout &&
		test_file_empty author-ignore-function.'$arch'/stderr &&
		lp-dump author-ignore-function.'$arch'/out.o | sed "s/+0x[0-9a-f]* [A-Z_0-9]*/+OFF TYPE/; s/addend=-*[0-9]*/addend=A/" >actual &&
		cat >expect <<-\EOF &&
		F real real vmlinux sympos=0
		K .text.real+OFF TYPE noisy vmlinux addend=A sympos=0
		EOF
		test_cmp expect actual &&
		no_markers author-ignore-function.'$arch'/out.o &&
		! cdo_sections author-ignore-function.'$arch'/out.o | grep -q noisy
	'
done

test_expect_success 'KPATCH_IGNORE_FUNCTION: without the marker noisy() is patched' '
	unmarked author-ignore-function.x86_64 .kpatch.ignore.functions &&
	test_expect_code 0 cdo author-ignore-function.x86_64-unmarked &&
	cat >expect <<-\EOF &&
	changed function: noisy (code)
	changed function: real (code)
	EOF
	test_cmp expect author-ignore-function.x86_64-unmarked/stdout
'

test_expect_success 'KPATCH_IGNORE_SECTION: the changed data is not compared; nothing else changed (exit 3)' '
	test_expect_code 3 cdo author-ignore-section.x86_64 &&
	echo "ignored section: .data.tunable" >expect &&
	test_cmp expect author-ignore-section.x86_64/stdout &&
	echo "create-diff-object: no changed functions in patched.o" >expect &&
	test_cmp expect author-ignore-section.x86_64/stderr &&
	cdo_missing author-ignore-section.x86_64/out.o
'

test_expect_success 'KPATCH_IGNORE_SECTION: nothing is said of an ignored section that did not change' '
	mkdir ignore-same &&
	cp -L author-ignore-section.x86_64/patched.o ignore-same/orig.o &&
	cp -L author-ignore-section.x86_64/patched.o ignore-same/patched.o &&
	cdo_symvers ignore-same/Module.symvers &&
	test_expect_code 3 cdo ignore-same &&
	test_file_empty ignore-same/stdout
'

test_expect_success 'KPATCH_IGNORE_SECTION: a name no section has is a warning' '
	cat >nothing.orig.c <<-\EOF &&
	int here(int x)
	{
		return x;
	}
	EOF
	cat >nothing.patched.c <<-\EOF &&
	int here(int x)
	{
		return x + 1;
	}

	static const char *__kpatch_ignore_section_1
	__attribute__((used, section(".kpatch.ignore.sections"))) = ".data.nothing";
	EOF
	bad_marks nothing &&
	test_expect_code 0 cdo nothing &&
	echo "changed function: here (size)" >expect &&
	test_cmp expect nothing/stdout &&
	cat >expect <<-\EOF &&
	create-diff-object: warning: patched.o: KPATCH_IGNORE_SECTION(".data.nothing"): no such section in this object
	EOF
	test_cmp expect nothing/stderr
'

test_expect_success 'KPATCH_IGNORE_SECTION: without the marker the changed initializer is refused' '
	unmarked author-ignore-section.x86_64 .kpatch.ignore.sections &&
	test_expect_code 2 cdo author-ignore-section.x86_64-unmarked &&
	test_file_empty author-ignore-section.x86_64-unmarked/stdout &&
	grep -q "^create-diff-object: error: patched.o: tunable: changed initialized data (data)" \
		author-ignore-section.x86_64-unmarked/stderr
'

test_expect_success 'KPATCH_FORCE_UNSAFE: changed writable data only marked functions use: a new copy, with a warning' '
	test_expect_code 0 cdo author-force-data.x86_64 &&
	cat >expect <<-\EOF &&
	changed function: pick (relocation)
	changed function: tune (relocation)
	EOF
	test_cmp expect author-force-data.x86_64/stdout &&
	cat >expect <<-\EOF &&
	create-diff-object: warning: patched.o: limits: changed initialized data (data), allowed by KPATCH_FORCE_UNSAFE(pick, tune): the livepatch carries a new copy, initialized anew, for the functions it replaces; the running kernel'"'"'s copy keeps its current value
	EOF
	test_cmp expect author-force-data.x86_64/stderr &&
	cdo_view author-force-data.x86_64/out.o .text.pick >actual &&
	cat >expect <<-\EOF &&
	# sections
	.data.limits
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.text.pick
	.text.tune
	__mcount_loc
	# symbols
	__fentry__ GLOBAL NOTYPE UNDEF size=0
	limits LOCAL OBJECT .data.limits size=12
	pick GLOBAL FUNC .text.pick size=16
	tune GLOBAL FUNC .text.tune size=12
	# relocations
	R .text.pick+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.pick+0xb R_X86_64_32S limits +0
	# livepatch tables
	F pick pick vmlinux sympos=0
	F tune tune vmlinux sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'KPATCH_FORCE_UNSAFE: without the marker the same data is refused' '
	unmarked author-force-data.x86_64 .kpatch.force &&
	test_expect_code 2 cdo author-force-data.x86_64-unmarked &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: limits: changed initialized data (data): the running kernel keeps its current value; leave the initializer alone and change the value in a post-patch callback, or attach new state with a shadow variable (klp_shadow_*)
	EOF
	test_cmp expect author-force-data.x86_64-unmarked/stderr
'

test_expect_success 'KPATCH_FORCE_UNSAFE: not for data an unmarked function uses, nor for a global' '
	test_expect_code 2 cdo author-force-data-shared.x86_64 &&
	test_file_empty author-force-data-shared.x86_64/stdout &&
	cat >expect <<-\EOF &&
	create-diff-object: warning: patched.o: steps: KPATCH_FORCE_UNSAFE(first) cannot carry a new copy of it: second, which is not marked, uses it too
	create-diff-object: error: patched.o: steps: changed initialized data (data): the running kernel keeps its current value; leave the initializer alone and change the value in a post-patch callback, or attach new state with a shadow variable (klp_shadow_*)
	create-diff-object: warning: patched.o: glimits: KPATCH_FORCE_UNSAFE(global_user) cannot carry a new copy of it: it is global, other files may use it
	create-diff-object: error: patched.o: glimits: changed initialized data (data): the running kernel keeps its current value; leave the initializer alone and change the value in a post-patch callback, or attach new state with a shadow variable (klp_shadow_*)
	EOF
	test_cmp expect author-force-data-shared.x86_64/stderr &&
	cdo_missing author-force-data-shared.x86_64/out.o
'

test_expect_success 'KPATCH_FORCE_UNSAFE: a jump label whose key the patched module owns stays refused' '
	test_expect_code 2 cdo author-force-jump-label.x86_64 -n kpngmod &&
	test_file_empty author-force-jump-label.x86_64/stdout &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: hot+0x5: __jump_table entry uses key kpng_key of module kpngmod: the kernel sets up the livepatch'"'"'s __jump_table entries when it loads, before its klp relocations to kpngmod are written; test the key without a jump label (static_key_enabled())
	EOF
	test_cmp expect author-force-jump-label.x86_64/stderr &&
	cdo_missing author-force-jump-label.x86_64/out.o
'

test_expect_success 'KPATCH_FORCE_UNSAFE: untraceable functions that are global or whose address is stored: their callers are patched, with warnings' '
	test_expect_code 0 cdo author-force-notrace.x86_64 &&
	cat >expect <<-\EOF &&
	changed function: handler (code; no ftrace entry: patched through its callers)
	changed function: gbody (code; no ftrace entry: patched through its callers)
	changed function: wrap_g (calls gbody)
	changed function: call_handler (calls handler)
	EOF
	test_cmp expect author-force-notrace.x86_64/stdout &&
	cat >expect <<-\EOF &&
	create-diff-object: warning: patched.o: handler: changed, and has no ftrace entry, and its address is stored in .rodata.handlers, allowed by KPATCH_FORCE_UNSAFE(handler): its callers are patched; a call through the pointer still reaches the old code
	create-diff-object: warning: patched.o: gbody: changed, and has no ftrace entry, and is global, allowed by KPATCH_FORCE_UNSAFE(gbody): its callers in this object are patched; callers in other objects still run the old code
	EOF
	test_cmp expect author-force-notrace.x86_64/stderr &&
	lp-dump author-force-notrace.x86_64/out.o | grep "^F" >actual &&
	cat >expect <<-\EOF &&
	F wrap_g wrap_g vmlinux sympos=0
	F call_handler call_handler vmlinux sympos=0
	EOF
	test_cmp expect actual &&
	no_markers author-force-notrace.x86_64/out.o
'

test_expect_success 'KPATCH_FORCE_UNSAFE: without the marker both are refused' '
	unmarked author-force-notrace.x86_64 .kpatch.force &&
	test_expect_code 2 cdo author-force-notrace.x86_64-unmarked &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: handler: changed, and has no ftrace entry (notrace or inline), but its address is stored in .rodata.handlers: a function pointer would still reach the old code; patch the functions that call through it, or make it traceable
	create-diff-object: error: patched.o: gbody: changed, and has no ftrace entry (notrace or inline), and is global: callers in other objects would still run the old code; make the change in its traceable callers, or in a traceable function it calls
	EOF
	test_cmp expect author-force-notrace.x86_64-unmarked/stderr
'

test_expect_success 'a marker naming a function of another file is an error (exit 1)' '
	cat >extern.orig.c <<-\EOF &&
	int here(int x)
	{
		return x;
	}
	EOF
	cat >extern.patched.c <<-\EOF &&
	extern int elsewhere(int);

	int here(int x)
	{
		return x + 1;
	}

	static void *__kpatch_ignore_func_elsewhere
	__attribute__((used, section(".kpatch.ignore.functions"))) = (void *)elsewhere;
	EOF
	bad_marks extern &&
	test_expect_code 1 cdo extern &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: .kpatch.ignore.functions+0: KPATCH_IGNORE_FUNCTION(elsewhere): not a function defined in this file; use the macro in the file that defines the function
	EOF
	test_cmp expect extern/stderr &&
	test_file_empty extern/stdout &&
	cdo_missing extern/out.o
'

test_expect_success 'KPATCH_*_CALLBACK: .livepatch.callbacks is carried whole with the new callbacks' '
	test_expect_code 0 cdo author-callbacks.x86_64 &&
	cat >expect <<-\EOF &&
	new function: kpng_pre
	new function: kpng_post_unpatch
	changed function: show (size)
	EOF
	test_cmp expect author-callbacks.x86_64/stdout &&
	test_file_empty author-callbacks.x86_64/stderr &&
	cdo_sections author-callbacks.x86_64/out.o >actual &&
	cat >expect <<-\EOF &&
	.data.kpng_state
	.livepatch.callbacks
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.rodata.str1.1
	.text.kpng_post_unpatch
	.text.kpng_pre
	.text.show
	__mcount_loc
	EOF
	test_cmp expect actual &&
	relocs author-callbacks.x86_64/out.o .livepatch.callbacks >actual &&
	cat >expect <<-\EOF &&
	R .livepatch.callbacks+0x8 R_X86_64_64 kpng_post_unpatch +0
	R .livepatch.callbacks+0x10 R_X86_64_64 .rodata.str1.1 +0
	R .livepatch.callbacks+0x20 R_X86_64_64 kpng_pre +0
	R .livepatch.callbacks+0x28 R_X86_64_64 .rodata.str1.1 +0
	EOF
	test_cmp expect actual
'

test_done
