#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='check-target: functions of an original object against the same functions of a linked target'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# The original object is ct.c built as kpatch-build builds it
# (-ffunction-sections); the target links ct.c built without
# -ffunction-sections, as the kernel is, with other.c (a second static
# helper() and the strong weak_fn()), into an ET_EXEC at 0x1000000 (every
# relocation applied) or with ld -r (a module: none applied).  -D picks
# each variant: CHANGE the constant of changed_fn(), SIZE the expression
# of sized_fn(), JL_SITE the static branch's instruction and JL_FLAG its
# key addend (x86's JUMP_LABEL_HACK flags the jumps objtool NOPs with 2).
write_sources() {
	cat >ct.c <<-\EOF
	extern int ext(int);
	extern struct key { long v; } key_a;
	int counter;

	static __attribute__((noinline)) int helper(int x) { return ext(x) + counter; }
	int same_fn(int x) { return helper(x) * 3; }
	int changed_fn(int x) { return x * 3 + CHANGE; }
	int sized_fn(int x) { return x SIZE; }
	__attribute__((weak)) int weak_fn(void) { return 1; }
	#ifndef TARGET
	int only_orig(void) { return 7; }
	#endif

	#ifdef __x86_64__
	#ifndef JL_SITE
	#define JL_SITE "jmp %l[yes]"
	#endif
	#ifndef JL_FLAG
	#define JL_FLAG "2"
	#endif
	int branch_fn(int x)
	{
		asm goto("1: " JL_SITE "\n\t"
			 ".pushsection __jump_table, \"aw\"\n\t"
			 ".balign 8\n\t"
			 ".long 1b - .\n\t"
			 ".long %l[yes] - .\n\t"
			 ".quad key_a + " JL_FLAG " - .\n\t"
			 ".popsection" : : : : yes);
		return x;
	yes:
		return ext(x);
	}
	#endif
	EOF
	cat >other.c <<-\EOF
	extern int ext(int);
	static __attribute__((noinline)) int helper(int x) { return ext(x) - 1; }
	int other_fn(int x) { return helper(x); }
	int weak_fn(void) { return 2; }
	EOF
}

# cc_x86 OUT ARGS...: ct.c or other.c for x86_64 (the kernel's flags).
cc_x86() {
	local out=$1
	shift
	"${X86_64_CC[@]}" -o "$out" "$@"
}

# link_target ARCH NAME OBJ...: NAME (ET_EXEC at 0x1000000) and NAME.ko
# (ld -r) from other.o of ARCH and OBJ.
link_target() {
	local arch=$1 name=$2
	shift 2
	kernel_ld "$arch" -Ttext=0x1000000 -e 0 --unresolved-symbols=ignore-all \
		-o "$name" "other.$arch.o" "$@"
	kernel_ld "$arch" -r -o "$name.ko" "other.$arch.o" "$@"
}

ct() {
	"$BUILD/check-target" "$@"
}

test_expect_success 'x86_64: the original object and its targets' '
	write_sources &&
	cc_x86 orig.o -DCHANGE=1 "-DSIZE=+1" ct.c &&
	cc_x86 other.x86_64.o -fno-function-sections other.c &&
	cc_x86 t.o -fno-function-sections -DTARGET -DCHANGE=2 "-DSIZE=*x+1" \
		-DJL_SITE="\".byte 0x66, 0x90\"" ct.c &&
	link_target x86_64 target t.o &&
	readelf -h target | grep -q "Type: *EXEC" &&
	readelf -h target.ko | grep -q "Type: *REL"
'

test_expect_success 'same: identical functions; a local found among two of its name' '
	for t in target target.ko; do
		ct orig.o $t helper same_fn >actual &&
		printf "same: helper\nsame: same_fn\n" >expect &&
		test_cmp expect actual || return 1
	done
'

test_expect_success 'differs: a changed constant, at its offset, exit 2' '
	for t in target target.ko; do
		test_expect_code 2 ct orig.o $t same_fn changed_fn >actual &&
		cat >expect <<-\EOF &&
		same: same_fn
		differs: changed_fn at +0x8 (object 01c3, target 02c3)
		EOF
		test_cmp expect actual || return 1
	done
'

test_expect_success 'differs: a size; a weak function the target overrides' '
	test_expect_code 2 ct orig.o target sized_fn weak_fn >actual &&
	cat >expect <<-\EOF &&
	differs: sized_fn size (object 0x9 bytes, target 0xc bytes)
	differs: weak_fn (weak: the target'"'"'s is another, global definition)
	EOF
	test_cmp expect actual
'

test_expect_success '-a: every function; one the target lacks is "not found", exit 1' '
	test_expect_code 1 ct -a orig.o target >actual 2>err &&
	cat >expect <<-\EOF &&
	same: helper
	same: same_fn
	differs: changed_fn at +0x8 (object 01c3, target 02c3)
	differs: sized_fn size (object 0x9 bytes, target 0xc bytes)
	differs: weak_fn (weak: the target'"'"'s is another, global definition)
	not found: only_orig
	same: branch_fn
	EOF
	test_cmp expect actual &&
	echo "check-target: error: target: global symbol only_orig not found" >expect &&
	test_cmp expect err
'

# objtool writes 66 90 over the 2-byte jmp; anything else there differs,
# and so does the NOP at a site the jump table does not flag.
test_expect_success 'a static branch objtool NOPs: exactly its NOP, only where flagged' '
	ct orig.o target branch_fn >actual &&
	echo "same: branch_fn" >expect &&
	test_cmp expect actual &&
	cc_x86 t-nop.o -fno-function-sections -DTARGET -DCHANGE=2 "-DSIZE=*x+1" \
		-DJL_SITE="\".byte 0x90, 0x90\"" ct.c &&
	link_target x86_64 target-nop t-nop.o &&
	test_expect_code 2 ct orig.o target-nop branch_fn >actual &&
	echo "differs: branch_fn at +0x9 (object eb0d89f84883c408, target 909089f84883c408)" >expect &&
	test_cmp expect actual &&
	cc_x86 orig-noflag.o -DCHANGE=1 "-DSIZE=+1" -DJL_FLAG="\"0\"" ct.c &&
	test_expect_code 2 ct orig-noflag.o target branch_fn >actual &&
	echo "differs: branch_fn at +0x9 (object eb0d89f84883c408, target 669089f84883c408)" >expect &&
	test_cmp expect actual &&
	ct orig-noflag.o orig-noflag.o branch_fn >actual &&
	echo "same: branch_fn" >expect &&
	test_cmp expect actual
'

# target_byte FILE ADDRESS BYTE: overwrite one byte of FILE's .text.
target_byte() {
	local text
	text=$(readelf -SW "$1" | sed -E -n "s/^ *\[ *[0-9]+\] //p" |
		awk "\$1 == \".text\" { print \$3, \$4 }") &&
	set -- "$1" $(( $2 - 0x${text% *} + 0x${text#* } )) "$3" &&
	printf "%b" "\\$(printf %o "$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# differs_bad TARGET ADDRESS BYTE OBJ FUNC: check FUNC of OBJ against a
# copy of TARGET with one byte changed (target_byte); it must differ,
# its line in ./actual.
differs_bad() {
	cp "$1" "$1-bad" &&
	target_byte "$1-bad" "$2" "$3" &&
	test_expect_code 2 ct "$4" "$1-bad" "$5" >actual
}

# tail_fn() ends with "jmp callee": a relocated jmp rel32 between sections
# in the object, a jmp rel8 back to callee() in the target's one .text.
test_expect_success 'a tail call the assembler shortened: only to the same function' '
	cat >tail.c <<-\EOF &&
	extern int ext(int);
	static __attribute__((noinline)) int callee(int x) { return ext(x) * 2; }
	int tail_fn(int x) { return callee(x + 1); }
	EOF
	cc_x86 tail.o tail.c &&
	cc_x86 tail-t.o -fno-function-sections tail.c &&
	kernel_ld x86_64 -Ttext=0x1000000 -e 0 --unresolved-symbols=ignore-all \
		-o tail-target tail-t.o &&
	objdump -d tail-target | grep -Eq "eb ce[[:space:]]+jmp +1000000 <callee>" &&
	ct -a tail.o tail-target >actual &&
	printf "same: callee\nsame: tail_fn\n" >expect &&
	test_cmp expect actual &&
	differs_bad tail-target 0x1000031 0xcf tail.o tail_fn &&
	echo "differs: tail_fn at +0x10 (object e9........, target eb..)" >expect &&
	test_cmp expect actual
'

# cross_fn() has two tail calls, each shortened in the target, with
# branches across them and alignment NOPs of another length after each;
# pad_fn()'s loop starts with zstd's __asm__(".p2align 6"), which pads to
# another length where the function does not start its section.
test_expect_success 'branches across shortened jumps and padding land on the same instruction' '
	cat >cross.c <<-\EOF &&
	extern int ext(int);
	static __attribute__((noinline)) int callee(int x) { return ext(x) * 2; }
	static __attribute__((noinline)) int callee2(int x) { return ext(x) * 5; }
	int cross_fn(int x)
	{
		if (x == 1)
			return callee(x + 1);
		if (x == 2)
			return callee2(x + 3);
		return ext(x) + 7;
	}
	int pad_fn(int *p, int n)
	{
		int s = 0, i;

		for (i = 0; i < n; i++) {
			__asm__(".p2align 6");
			s += p[i] * 3;
		}
		return s;
	}
	EOF
	cc_x86 cross.o cross.c &&
	cc_x86 cross-t.o -fno-function-sections cross.c &&
	kernel_ld x86_64 -Ttext=0x1000000 -e 0 --unresolved-symbols=ignore-all \
		-o cross-target cross-t.o &&
	objdump -d cross-target | grep -Eq "^ *1000048:[[:space:]]+74 1e[[:space:]]+je +1000068" &&
	objdump -d cross.o | grep -Eq "^ *8:[[:space:]]+74 1e[[:space:]]+je +28" &&
	ct cross.o cross-target cross_fn pad_fn >actual &&
	printf "same: cross_fn\nsame: pad_fn\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a branch landing elsewhere, or padding that is not NOPs, differs' '
	differs_bad cross-target 0x1000049 0x1c cross.o cross_fn &&
	echo "differs: cross_fn at +0x9 (object 1e83ff0274114883, target 1c83ff0274114883)" >expect &&
	test_cmp expect actual &&
	differs_bad cross-target 0x1000088 0xcc cross.o pad_fn &&
	echo "differs: pad_fn size (object 0x5d bytes, target 0x6d bytes)" >expect &&
	test_cmp expect actual
'

test_expect_success '-f DIFF.o: the functions a diff object replaces' '
	cc_x86 patched.o -DCHANGE=5 "-DSIZE=+1" ct.c &&
	printf "0x0\t%s\tvmlinux\tEXPORT_SYMBOL\t\n" __fentry__ ext >symvers &&
	test_expect_code 0 "$BUILD/create-diff-object" -n vmlinux orig.o patched.o target symvers diff.o &&
	test_expect_code 2 ct -n vmlinux -f diff.o orig.o target >actual &&
	echo "differs: changed_fn at +0x8 (object 01c3, target 02c3)" >expect &&
	test_cmp expect actual &&
	cc_x86 t-match.o -fno-function-sections -DTARGET -DCHANGE=1 "-DSIZE=+1" \
		-DJL_SITE="\".byte 0x66, 0x90\"" ct.c &&
	link_target x86_64 target-match t-match.o &&
	ct -n vmlinux -f diff.o orig.o target-match >actual &&
	echo "same: changed_fn" >expect &&
	test_cmp expect actual &&
	test_expect_code 1 ct -n mod -f diff.o orig.o target-match >actual 2>err &&
	echo "check-target: error: diff.o: .livepatch.funcs+0: changed_fn patches vmlinux, the target is mod" >expect &&
	test_cmp expect err &&
	test_expect_code 1 ct -f orig.o orig.o target 2>err &&
	echo "check-target: error: orig.o: no .livepatch.funcs section: not a diff object" >expect &&
	test_cmp expect err
'

test_expect_success 'errors name the file and the symbol, exit 1' '
	test_expect_code 1 ct orig.o target nope 2>err &&
	echo "check-target: error: orig.o: no function nope" >expect &&
	test_cmp expect err &&
	test_expect_code 1 ct orig.o target counter 2>err &&
	echo "check-target: error: orig.o: no function counter" >expect &&
	test_cmp expect err &&
	test_expect_code 1 ct target target same_fn 2>err &&
	echo "check-target: error: target: not a relocatable object: check-target reads the original .o" >expect &&
	test_cmp expect err &&
	test_expect_code 1 ct orig.o missing same_fn 2>err &&
	grep -q "^check-target: error: missing: " err &&
	test_expect_code 1 ct orig.o target 2>err &&
	grep -q "^check-target: error: expected ORIG.o, TARGET and the functions" err &&
	strip -o stripped target &&
	test_expect_code 1 ct orig.o stripped same_fn 2>err &&
	echo "check-target: error: stripped: no symbol table: the target must not be stripped" >expect &&
	test_cmp expect err
'

test_expect_success 'a target symbol outside its section is an error, not a read' '
	cp target bad &&
	elf-patch bad sym same_fn st_size 0x100000 &&
	test_expect_code 1 ct orig.o bad same_fn >actual 2>err &&
	grep -q "^check-target: error: bad: same_fn: \[0x[0-9a-f]*, +0x100000) is not inside the contents of its section .text$" err
'

test_expect_success 'arm64: relocated instructions masked whole; a change found' '
	"${ARM64_CC[@]}" -o orig.arm64.o -DCHANGE=1 "-DSIZE=+1" ct.c &&
	"${ARM64_CC[@]}" -fno-function-sections -o other.arm64.o other.c &&
	"${ARM64_CC[@]}" -fno-function-sections -DTARGET -DCHANGE=2 "-DSIZE=+1" \
		-o t.arm64.o ct.c &&
	link_target arm64 target-arm64 t.arm64.o &&
	test_expect_code 2 ct orig.arm64.o target-arm64 helper same_fn changed_fn >actual &&
	cat >expect <<-\EOF &&
	same: helper
	same: same_fn
	differs: changed_fn at +0xd (object 040011c0035fd6, target 080011c0035fd6)
	EOF
	test_cmp expect actual
'

test_set_prereq_valgrind

test_expect_success VALGRIND 'valgrind: no invalid access and no leak (-a, -f, an error)' '
	for args in "-a orig.o target" "-n vmlinux -f diff.o orig.o target" \
		"orig.o bad same_fn"; do
		rc=0
		# shellcheck disable=SC2086 # the words of $args
		valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite,indirect \
			"$BUILD/check-target" $args >vg.out 2>vg.err || rc=$?
		if [ "$rc" -gt 2 ]; then
			echo "valgrind check-target $args: exit status $rc" && cat vg.err
			return 1
		fi
	done
'

test_done
