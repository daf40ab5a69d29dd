#!/usr/bin/env bash
# (SC1112: the compiler quotes names with Unicode quotes, and so do the
# error lines here.)
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317,SC1112
test_description='kpatch-triage: splitting an update per file, classing files by path, reading kpatch-build outcomes'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# The triage's pieces, with kpatch-build's (builds_nothing).
triage_lib() {
	. "$SRC/kpatch-build/lib/util.sh"
	. "$SRC/kpatch-build/lib/fast.sh"
	. "$SRC/kpatch-build/lib/triage.sh"
}

test_expect_success 'files no livepatch is built for are classed by their path' '
	triage_lib &&
	for f in fs/proc/cmdline.c arch/x86/entry/entry_64.S Documentation/x.rst MAINTAINERS \
		tools/perf/builtin.c scripts/mod/modpost.c tools/testing/selftests/x/y.c \
		arch/arm64/kernel/setup.c arch/arm64/boot/dts/ti/k3.dtsi include/linux/fs.h \
		fs/nfsd/xdr.h drivers/net/Makefile mm/Kconfig Documentation/netlink/specs/x.yaml; do
		echo "$f: $(triage_kind "$f" x86)"
	done >actual &&
	cat >expect <<-\EOF &&
	fs/proc/cmdline.c: build
	arch/x86/entry/entry_64.S: build
	Documentation/x.rst: no change: documentation
	MAINTAINERS: no change: documentation
	tools/perf/builtin.c: no change: not part of the kernel image or its modules (tools/)
	scripts/mod/modpost.c: no change: not part of the kernel image or its modules (scripts/)
	tools/testing/selftests/x/y.c: no change: not part of the kernel image or its modules (tools/)
	arch/arm64/kernel/setup.c: not built by this config: another architecture'"'"'s (arch/arm64)
	arch/arm64/boot/dts/ti/k3.dtsi: not built by this config: another architecture'"'"'s (arch/arm64)
	include/linux/fs.h: needs a header change: a header changes what every object including it compiles to
	fs/nfsd/xdr.h: needs a header change: a header changes what every object including it compiles to
	drivers/net/Makefile: needs a full build: not a C, assembly or header file
	mm/Kconfig: needs a full build: not a C, assembly or header file
	Documentation/netlink/specs/x.yaml: no change: documentation
	EOF
	test_cmp expect actual
'

test_expect_success 'two trees split into changed, new and deleted files, one patch each' '
	triage_lib &&
	mkdir -p old/fs/sub new/fs/sub old/gone new/added/deep &&
	printf "a\nb\n" >old/fs/x.c && printf "a\nB\n" >new/fs/x.c &&
	echo same >old/fs/same.c && echo same >new/fs/same.c &&
	echo old >old/fs/sub/del.c &&
	echo x >old/gone/one.h && echo y >old/gone/two.c &&
	echo n >new/fs/sub/new.c && echo d >new/added/deep/z.c &&
	triage_split_trees "$PWD/old" "$PWD/new" >actual &&
	cat >expect <<-\EOF &&
	new added/deep/z.c
	deleted fs/sub/del.c
	new fs/sub/new.c
	changed fs/x.c
	deleted gone/one.h
	deleted gone/two.c
	EOF
	test_cmp expect actual &&
	triage_file_patch "$PWD/old" "$PWD/new" fs/x.c changed >x.patch &&
	printf -- "--- a/fs/x.c\n+++ b/fs/x.c\n@@ -1,2 +1,2 @@\n a\n-b\n+B\n" >expect &&
	test_cmp expect x.patch &&
	triage_file_patch "$PWD/old" "$PWD/new" fs/sub/new.c new >n.patch &&
	printf -- "--- /dev/null\n+++ b/fs/sub/new.c\n@@ -0,0 +1 @@\n+n\n" >expect &&
	test_cmp expect n.patch &&
	triage_file_patch "$PWD/old" "$PWD/new" fs/sub/del.c deleted >d.patch &&
	printf -- "--- a/fs/sub/del.c\n+++ /dev/null\n@@ -1 +0,0 @@\n-old\n" >expect &&
	test_cmp expect d.patch
'

test_expect_success 'module names: numbered, kernel-safe, short' '
	triage_lib &&
	{
		triage_module_name 7 fs/proc/cmdline.c && echo &&
		triage_module_name 123 drivers/net/ethernet/intel/i40e/i40e+main.c && echo &&
		triage_module_name 2 lib/a_very_long_file_name_that_goes_on_and_on_and_on.c && echo
	} >actual &&
	cat >expect <<-\EOF &&
	0007-cmdline
	0123-i40e_main
	0002-a_very_long_file_name_that_goes_on_
	EOF
	test_cmp expect actual
'

test_expect_success 'outcomes read from kpatch-build exit status and output' '
	triage_lib &&
	head -c 20000 /dev/zero >m.ko &&
	cat >ok.log <<-\EOF &&
	kpatch-build: stage diff: 0.0 s, 1 changed objects, 2 changed functions
	kpatch-build:   vmlinux: fs/proc/meminfo.o: changed function: meminfo_proc_show (size)
	kpatch-build:   vmlinux: fs/proc/meminfo.o: new function: show_val_kb
	EOF
	cat >refused.log <<-\EOF &&
	    create-diff-object: fs/pipe.o: pipe_read+0x78: tracepoint pipe_x of module pipe left off in the patched function: a warning, not the reason
	    create-diff-object: error: fs/pipe.o: pipe_max_size: changed initialized data (data): the running kernel keeps its current value; leave the initializer alone
	    create-diff-object: error: fs/pipe.o: other: changed initialized data (data): the running kernel keeps its current value; leave it
	kpatch-build: refused: fs/pipe.o (vmlinux): this change cannot be livepatched (reasons above)
	EOF
	cat >differs.log <<-\EOF &&
	kpatch-build: refused: foo bar: the function compiled here differs from the running kernel'"'"'s (above): the source, config or compiler does not match
	EOF
	cat >notbuilt.log <<-\EOF &&
	kpatch-build: error: sound/x.c: this configuration builds no object from it (sound/x.o is not one of its directory'"'"'s objects and no built C file includes it): the running kernel does not have this code
	EOF
	cat >failed.log <<-\EOF &&
	kpatch-build: stage original-objects: 1.0 s
	    fs/erofs/zdata.c:1414:20: error: implicit declaration of function bio_in_atomic [-Werror=implicit-function-declaration]
	    fs/erofs/zdata.c:1500:2: error: another
	kpatch-build: error: compiling the patched objects failed; log: x
	EOF
	printf "kpatch-build: scratch directory kept: /tmp/x\n" >silent.log &&
	cat >build.log <<-\EOF &&
	  CC      fs/erofs/zdata.o
	fs/erofs/zdata.c:10:1: error: the first error, cut from the output
	fs/erofs/zdata.c:1414:20: error: implicit declaration of function bio_in_atomic
	EOF
	{
		triage_outcome 0 ok.log m.ko
		triage_outcome 2 refused.log m.ko
		triage_outcome 2 differs.log m.ko
		triage_outcome 3 /dev/null m.ko
		triage_outcome 1 notbuilt.log m.ko
		triage_outcome 1 failed.log m.ko
		triage_outcome 130 /dev/null m.ko
		triage_outcome 1 failed.log m.ko build.log
		triage_outcome 1 silent.log m.ko
	} >actual &&
	cat >expect <<-\EOF &&
	livepatched: 2 functions (meminfo_proc_show, show_val_kb), 20 KiB
	refused: pipe_max_size: changed initialized data (data): the running kernel keeps its current value (and 1 more)
	refused: foo bar: the function compiled here differs from the running kernel'"'"'s (above): the source, config or compiler does not match
	no change
	not built by this config
	failed: fs/erofs/zdata.c:1414:20: error: implicit declaration of function bio_in_atomic [-Werror=implicit-function-declaration]
	failed: kpatch-build exited with status 130
	failed: fs/erofs/zdata.c:10:1: error: the first error, cut from the output
	failed: kpatch-build exited with status 1 and no error line (its output: silent.log)
	EOF
	test_cmp expect actual
'

test_expect_success 'a compile error is put down to the header whose change it names' '
	triage_lib &&
	mkdir -p old/include/linux new/include/linux old/arch/x86/include/asm new/arch/x86/include/asm &&
	echo "#define X86_FEATURE_ZEN5 1" >old/arch/x86/include/asm/cpufeatures.h &&
	printf "#define X86_FEATURE_ZEN5 1\n#define X86_FEATURE_ZEN6 2\n" >new/arch/x86/include/asm/cpufeatures.h &&
	echo "struct ata_port_operations { int (*prereset)(void); };" >old/include/linux/libata.h &&
	echo "struct ata_port_operations { int (*prereset)(void); int (*reset)(void); };" >new/include/linux/libata.h &&
	hs="arch/x86/include/asm/cpufeatures.h include/linux/libata.h" &&
	{
		triage_header old new "a.c:1:2: error: ‘const struct ata_port_operations’ has no member named ‘reset’; did you mean ‘prereset’?" $hs
		triage_header old new "a.c:538:45: error: ‘X86_FEATURE_ZEN6’ undeclared (first use in this function)" $hs
		triage_header old new "a.c:3:4: error: expected ‘;’ before ‘}’ token" $hs
		triage_header old new "a.c:3:4: error: something" include/linux/libata.h
	} >actual &&
	cat >expect <<-\EOF &&
	include/linux/libata.h
	arch/x86/include/asm/cpufeatures.h
	arch/x86/include/asm/cpufeatures.h (and 1 more)
	include/linux/libata.h
	EOF
	test_cmp expect actual
'

test_expect_success 'refusals counted by their rule, without names' '
	triage_lib &&
	while IFS= read -r r; do
		triage_reason "$r"
	done >actual <<-\EOF &&
	pipe_max_size: changed initialized data (data): the running kernel keeps its current value (and 1 more)
	unmap_page_range: __jump_table entry uses key __tracepoint_rss_stat, which is not exported: the kernel sets up
	fpu__init_system_xstate: changed __init code or data in .init.text: it runs only
	a b: the function compiled here differs from the running kernel'"'"'s (above): the source
	/tmp/x.patch does not apply exactly to /src (a hunk needs an offset or fuzz)
	foo: __ex_table entry at foo+0x10: changed, but the function'"'"'s code did not change: the livepatch
	foo+0x12: cannot resolve symbol bar in the running kernel
	EOF
	cat >expect <<-\EOF &&
	changed initialized data
	__jump_table entry uses key X, which is not exported
	changed __init code or data in SECTION
	the function compiled here differs from the running kernel'"'"'s
	the patch does not apply exactly
	__ex_table entry at X: changed, but the function'"'"'s code did not change
	cannot resolve symbol X in the running kernel
	EOF
	test_cmp expect actual
'

test_expect_success 'kpatch-triage: bad arguments are named' '
	kt=$SRC/kpatch-build/kpatch-triage && export KPATCH_NG_CACHE=$PWD/cache &&
	test_expect_code 1 "$kt" -s /nonexistent 2>err &&
	grep -qx "kpatch-triage: missing -c CONFIG" err &&
	mkdir -p tree && echo "VERSION = 6" >tree/Makefile && echo CONFIG_X86=y >config && : >vmlinux &&
	test_expect_code 1 "$kt" -s tree -c config -v vmlinux 2>err &&
	grep -qx "kpatch-triage: missing -N NEWSRC or PATCH..." err &&
	test_expect_code 1 "$kt" -s tree -c config -v vmlinux -N tree x.patch 2>err &&
	grep -qx "kpatch-triage: give -N NEWSRC or PATCHes, not both" err &&
	test_expect_code 1 "$kt" -s tree -c config -v vmlinux -j 0 -N tree 2>err &&
	grep -qx "kpatch-triage: -j 0: not a positive number" err &&
	test_expect_code 1 "$kt" -s tree -c config -v vmlinux -N nowhere 2>err &&
	echo "kpatch-triage: error: nowhere: not a kernel source tree" >expect &&
	test_cmp expect err &&
	test_expect_code 1 "$kt" -s tree -c config -v vmlinux -o out -N tree 2>err &&
	copy=$(sed -n "s/^kpatch-triage: copy: [0-9.]* s, //p" err) &&
	cat >expect <<-EOF &&
	kpatch-triage: copying $PWD/tree to $copy (hard links) for job 1
	kpatch-triage: copy: 0.0 s, $copy
	kpatch-triage: error: the update changes no file
	EOF
	sed "s/copy: [0-9.]* s/copy: 0.0 s/" err >actual &&
	test_cmp expect actual &&
	test "$(stat -c %i tree/Makefile)" = "$(stat -c %i "$copy/Makefile")"
'

test_expect_success 'kpatch-triage: a patch that does not apply stops it' '
	kt=$SRC/kpatch-build/kpatch-triage && export KPATCH_NG_CACHE=$PWD/cache &&
	mkdir -p tree/fs && echo "VERSION = 6" >tree/Makefile && echo CONFIG_X86=y >config && : >vmlinux &&
	echo "int a;" >tree/fs/a.c &&
	printf -- "--- a/fs/a.c\n+++ b/fs/a.c\n@@ -1 +1 @@\n-int b;\n+int c;\n" >bad.patch &&
	test_expect_code 1 "$kt" -s tree -c config -v vmlinux -o out bad.patch 2>err &&
	grep -qx "kpatch-triage: error: $PWD/bad.patch does not apply to $PWD/tree (with the patches before it)" err
'

test_done
