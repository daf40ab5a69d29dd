#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='the test library and runner themselves'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# A test file with one passing, one failing and one skipped check, run
# through run.sh: the exact report, the exit status, the kept scratch
# directory.
write_sample() {
	local source_lib
	mkdir -p sample
	source_lib=". \"$SRC/test/unit/lib.sh\""
	{
		echo "$source_lib"
		cat <<-\EOF
		test_expect_success 'passes' 'true'
		test_expect_success 'fails in the middle' '
			true
			false
			echo not reached
		'
		test_expect_success NEVER 'skipped' 'false'
		test_done
		EOF
	} >sample/t0001-sample.sh
	{
		echo "$source_lib"
		cat <<-\EOF
		test_expect_success 'passes' 'true'
		exit 3
		EOF
	} >sample/t0002-stops.sh
	{
		echo "$source_lib"
		cat <<-\EOF
		test_expect_success 'writes into the scratch directory' 'pwd >"$SAMPLE_PWD"'
		test_done
		EOF
	} >sample/t0003-clean.sh
}

test_expect_success 'run.sh reports each check and ends with the summary' '
	write_sample &&
	test_expect_code 1 bash "$SRC/test/unit/run.sh" "$BUILD" \
		sample/t0001-sample.sh sample/t0002-stops.sh >out 2>&1 &&
	grep -v "^#" out >actual &&
	cat >expect <<-\EOF &&
	ok 1 - t0001-sample: passes
	not ok 2 - t0001-sample: fails in the middle
	ok 3 - t0001-sample: skipped # skip missing NEVER
	ok 4 - t0002-stops: passes
	not ok 5 - t0002-stops: stopped before test_done (exit status 3)
	2 passed, 2 failed
	EOF
	test_cmp expect actual
'

test_expect_success 'a failed check shows the failing command and keeps the scratch directory' '
	grep "^#" out | sed -e "s|/[^ ]*/kpatch-unit-|TMP/kpatch-unit-|" \
		-e "s|\(kpatch-unit-t000[12]-[a-z]*\)\.[A-Za-z0-9]*|\1.XXXXXX|" \
		-e "s|test files in [0-9.]* s|test files in N s|" >actual &&
	cat >expect <<-\EOF &&
	#	error: exit status 1 from: false
	# t0001-sample: 1 of 3 failed; scratch directory kept: TMP/kpatch-unit-t0001-sample.XXXXXX
	# t0002-stops: stopped before test_done; scratch directory kept: TMP/kpatch-unit-t0002-stops.XXXXXX
	# 1 skipped
	# 2 test files in N s
	EOF
	test_cmp expect actual &&
	kept=$(sed -n "s/.*t0001-sample: 1 of 3 failed; scratch directory kept: //p" out) &&
	test -d "$kept" &&
	kept2=$(sed -n "s/.*t0002-stops: stopped before test_done; scratch directory kept: //p" out) &&
	test -d "$kept2" &&
	rm -rf "$kept" "$kept2"
'

test_expect_success 'a passing file removes its scratch directory' '
	SAMPLE_PWD=$PWD/pwd KPATCH_UNIT_BUILD=$BUILD bash sample/t0003-clean.sh >out &&
	printf "ok 1 - writes into the scratch directory\n1..1\n" >expect &&
	test_cmp expect out &&
	scratch=$(cat pwd) &&
	case $scratch in */kpatch-unit-t0003-clean.*) ;; *) false ;; esac &&
	test ! -e "$scratch"
'

test_expect_success 'test_must_fail accepts a failure, refuses success and signals' '
	test_must_fail false &&
	test_must_fail sh -c "exit 2" &&
	test_expect_code 1 test_must_fail true 2>err &&
	test_expect_code 1 test_must_fail sh -c "kill -SEGV \$\$" 2>>err &&
	test_expect_code 1 test_must_fail no-such-command-here 2>>err &&
	grep -c "^test_must_fail" err >count &&
	echo 3 >expect &&
	test_cmp expect count
'

test_expect_success 'test_expect_code wants the exact status' '
	test_expect_code 3 sh -c "exit 3" &&
	test_expect_code 1 test_expect_code 2 sh -c "exit 3" 2>err &&
	echo "test_expect_code: '\''sh -c exit 3'\'' exited 3, expected 2" >expect &&
	test_cmp expect err
'

test_expect_success 'test_cmp shows a unified diff and fails on a difference' '
	printf "a\nb\n" >one &&
	printf "a\nc\n" >two &&
	test_cmp one one &&
	test_expect_code 1 test_cmp one two >diff &&
	grep -x -- "-b" diff &&
	grep -x -- "+c" diff
'

test_done
