#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='make install: the layout, and an installed kpatch-build finds its parts'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

test_expect_success 'make install PREFIX=/opt/kp DESTDIR=root' '
	make -s -C "$SRC" BUILD="$BUILD" install PREFIX=/opt/kp DESTDIR="$PWD/root" >make.log 2>&1 &&
	(cd root && find . -type f | LC_ALL=C sort) >actual &&
	cat >expect <<-\EOF &&
	./opt/kp/bin/kpatch-build
	./opt/kp/bin/kpatch-keygen
	./opt/kp/bin/kpatch-triage
	./opt/kp/libexec/kpatch-ng/check-module
	./opt/kp/libexec/kpatch-ng/check-target
	./opt/kp/libexec/kpatch-ng/create-diff-object
	./opt/kp/libexec/kpatch-ng/create-klp-module
	./opt/kp/libexec/kpatch-ng/header-index
	./opt/kp/share/kpatch-ng/arch/arm64/kpatch-build.sh
	./opt/kp/share/kpatch-ng/arch/x86_64/kpatch-build.sh
	./opt/kp/share/kpatch-ng/kmod/kpatch-macros.h
	./opt/kp/share/kpatch-ng/kmod/kpatch-syscall.h
	./opt/kp/share/kpatch-ng/kmod/livepatch-api.h
	./opt/kp/share/kpatch-ng/kmod/livepatch-format.h
	./opt/kp/share/kpatch-ng/kmod/livepatch-main.c
	./opt/kp/share/kpatch-ng/kmod/livepatch.lds
	./opt/kp/share/kpatch-ng/lib/arch.sh
	./opt/kp/share/kpatch-ng/lib/build.sh
	./opt/kp/share/kpatch-ng/lib/check.sh
	./opt/kp/share/kpatch-ng/lib/fast.sh
	./opt/kp/share/kpatch-ng/lib/headers.sh
	./opt/kp/share/kpatch-ng/lib/link.sh
	./opt/kp/share/kpatch-ng/lib/module.sh
	./opt/kp/share/kpatch-ng/lib/sign.sh
	./opt/kp/share/kpatch-ng/lib/source.sh
	./opt/kp/share/kpatch-ng/lib/triage.sh
	./opt/kp/share/kpatch-ng/lib/util.sh
	./opt/kp/share/kpatch-ng/lib/warm.sh
	EOF
	test_cmp expect actual
'

test_expect_success 'the installed kpatch-build runs from its own tree' '
	root/opt/kp/bin/kpatch-build --help >help &&
	grep -q "^Usage: kpatch-build -s SRC -c CONFIG" help &&
	echo "CONFIG_X=y" >config &&
	printf -- "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n" >x.patch &&
	test_expect_code 1 root/opt/kp/bin/kpatch-build -s "$PWD" -c config x.patch 2>err &&
	echo "kpatch-build: error: $PWD: not a kernel source tree (no top-level Makefile with VERSION)" >expect &&
	test_cmp expect err
'

test_expect_success 'the installed kpatch-triage runs from its own tree' '
	root/opt/kp/bin/kpatch-triage --help >help &&
	grep -q "^Usage: kpatch-triage -s SRC -c CONFIG -v VMLINUX" help &&
	test_expect_code 1 root/opt/kp/bin/kpatch-triage -s "$PWD" -c config -v config x.patch 2>err &&
	echo "kpatch-triage: error: $PWD: not a kernel source tree" >expect &&
	test_cmp expect err
'

test_expect_success 'a missing tool is named' '
	rm root/opt/kp/libexec/kpatch-ng/create-klp-module &&
	test_expect_code 1 root/opt/kp/bin/kpatch-build -s "$PWD" -c config x.patch 2>err &&
	echo "kpatch-build: error: $PWD/root/opt/kp/bin/../libexec/kpatch-ng/create-klp-module: missing (run make)" >expect &&
	test_cmp expect err
'

test_done
