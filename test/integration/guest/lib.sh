# shellcheck shell=sh
#
# /lib/kpng/lib.sh - helpers for guest scripts of the VM test bench.
#
# Busybox ash.  A guest script (/test.sh) starts with
#
#	set -eu
#	. /lib/kpng/lib.sh
#
# and asserts with the functions below.  Each assertion prints "ok: WHAT"
# when it holds; otherwise "FAIL: WHAT" with the expected and the actual
# value, and exits 1, which /init turns into "KPNG-RESULT: FAIL (exit 1)".
# Values the host passes in are in /lib/kpng/env (sourced below).

# shellcheck disable=SC1091 # written by the host, in the guest only
[ ! -f /lib/kpng/env ] || . /lib/kpng/env

# fail WHAT: report a failed check and stop the test.
fail() {
	echo "FAIL: $*"
	exit 1
}

# ok WHAT: report a check that held.
ok() {
	echo "ok: $*"
}

# say TEXT: a line of the test's own output.
say() {
	echo "KPNG-SAY: $*"
}

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1"
		echo "  expected: '$2'"
		echo "  actual:   '$3'"
		exit 1
	fi
	ok "$1"
}

# assert_file WHAT FILE EXPECTED: FILE's whole content is EXPECTED (one
# trailing newline aside).
assert_file() {
	[ -e "$2" ] || fail "$1: $2 does not exist"
	assert_eq "$1" "$3" "$(cat "$2")"
}

# assert_exists PATH / assert_absent PATH
assert_exists() {
	[ -e "$1" ] || fail "$1 should exist"
	ok "$1 exists"
}
assert_absent() {
	[ ! -e "$1" ] || fail "$1 should not exist"
	ok "$1 is absent"
}

# run WHAT COMMAND...: COMMAND succeeds (its output is shown either way).
run() {
	what=$1
	shift
	if ! "$@"; then
		fail "$what: '$*' failed"
	fi
	ok "$what"
}

# wait_for_value FILE VALUE SECONDS: poll FILE until it reads VALUE; fail
# after SECONDS with the last value read.
wait_for_value() {
	tries=$(($3 * 10))
	while [ "$tries" -gt 0 ]; do
		[ "$(cat "$1" 2>/dev/null)" != "$2" ] || return 0
		usleep 100000
		tries=$((tries - 1))
	done
	fail "$1 did not become '$2' within $3 s (last read: '$(cat "$1" 2>&1)')"
}

# --- livepatch modules -----------------------------------------------------
# The sysfs name of a patch is its module's name (livepatch-sample.ko ->
# livepatch_sample).  Transitions take about a second under TCG; the
# timeouts leave room for slow hosts.
KLP_TIMEOUT=${KLP_TIMEOUT:-60}

# klp_load KO NAME: insmod a livepatch module; the patch is enabled and
# its transition has finished.
klp_load() {
	run "insmod $1" insmod "$1"
	assert_exists "/sys/kernel/livepatch/$2"
	assert_file "patch $2 is enabled" "/sys/kernel/livepatch/$2/enabled" 1
	klp_wait_transition "$2"
}

# klp_wait_transition NAME: the patch's transition has finished.
klp_wait_transition() {
	wait_for_value "/sys/kernel/livepatch/$1/transition" 0 "$KLP_TIMEOUT"
	ok "patch $1: transition finished"
}

# klp_disable NAME: disable the patch and wait for the transition.
klp_disable() {
	echo 0 >"/sys/kernel/livepatch/$1/enabled" ||
		fail "writing 0 to /sys/kernel/livepatch/$1/enabled failed"
	ok "patch $1: wrote 0 to enabled"
	# Once the transition is over the patch is freed from a workqueue,
	# which removes its sysfs directory: either ends the wait.
	tries=$((KLP_TIMEOUT * 10))
	while [ "$(cat "/sys/kernel/livepatch/$1/transition" 2>/dev/null)" = 1 ]; do
		[ "$tries" -gt 0 ] ||
			fail "patch $1: the disable transition did not finish within $KLP_TIMEOUT s"
		usleep 100000
		tries=$((tries - 1))
	done
	ok "patch $1: transition finished"
}

# klp_unload NAME: rmmod a disabled patch's module; nothing of it is left.
klp_unload() {
	# The module reference of the patch goes after the patch is freed.
	wait_for_value "/sys/module/$1/refcnt" 0 "$KLP_TIMEOUT"
	run "rmmod $1" rmmod "$1"
	assert_absent "/sys/kernel/livepatch/$1"
	assert_absent "/sys/module/$1"
}
