#!/bin/sh
# Guest script (/test.sh) of test/bench/sweep.sh: each livepatch of
# /lib/kpng/sweep.list through load, transition, disable and unload, one
# after the other, reporting instead of stopping at the first failure.  A
# line of the list is
#
#	NAME KLP_NAME MODULE... -- TARGET...
#
# with MODULE the guest paths of the modules to load first (the patched
# modules and what they depend on, in load order) and TARGET the objects
# the livepatch patches besides vmlinux.  For each NAME it prints
#
#	KPNG-SWEEP-BEGIN: NAME
#	KPNG-SWEEP: NAME ok
#	KPNG-SWEEP: NAME STAGE: DETAIL	(STAGE: load, transition, disable,
#					unload, kernel; DETAIL the kernel's
#					last messages)
#
# and the kernel messages of a cycle that warned.  Exits 0: the host
# judges each line.
set -u
# shellcheck source-path=SCRIPTDIR source=../integration/guest/lib.sh
. /lib/kpng/lib.sh
TIMEOUT=${KLP_TIMEOUT:-60}

# wait_zero FILE SECONDS: FILE reads 0 or is gone (1 after SECONDS).
wait_zero() {
	t=$(($2 * 10))
	while [ -e "$1" ] && [ "$(cat "$1" 2>/dev/null)" != 0 ]; do
		[ "$t" -gt 0 ] || return 1
		usleep 100000
		t=$((t - 1))
	done
	return 0
}

# last_kernel_lines: the kernel's last messages, on one line.
last_kernel_lines() {
	dmesg | tail -n 3 | tr '\n' '|' | cut -c1-300
}

report() {
	echo "KPNG-SWEEP: $*"
}

dmesg -c >/dev/null
while read -r name klp rest; do
	[ -n "$name" ] || continue
	echo "KPNG-SWEEP-BEGIN: $name"
	mods=${rest%%--*}
	for m in $mods; do
		insmod "$m" >/dev/null 2>&1 || echo "KPNG-SWEEP-NOTE: $name: insmod $m failed"
	done
	if ! out=$(insmod "/lib/modules/lp/livepatch-$name.ko" 2>&1); then
		report "$name load: $out; $(last_kernel_lines)"
		dmesg -c >/dev/null
		continue
	fi
	if ! wait_zero "/sys/kernel/livepatch/$klp/transition" "$TIMEOUT"; then
		report "$name transition: not finished after $TIMEOUT s; $(last_kernel_lines)"
		continue
	fi
	if [ "$(cat "/sys/kernel/livepatch/$klp/enabled")" != 1 ]; then
		report "$name load: not enabled after the transition; $(last_kernel_lines)"
		continue
	fi
	echo 0 >"/sys/kernel/livepatch/$klp/enabled" || {
		report "$name disable: writing 0 to enabled failed"
		continue
	}
	if ! wait_zero "/sys/kernel/livepatch/$klp/transition" "$TIMEOUT"; then
		report "$name disable: transition not finished after $TIMEOUT s; $(last_kernel_lines)"
		continue
	fi
	t=$((TIMEOUT * 10))
	while [ -e "/sys/kernel/livepatch/$klp" ] && [ "$t" -gt 0 ]; do
		usleep 100000
		t=$((t - 1))
	done
	if ! out=$(rmmod "livepatch-$name" 2>&1); then
		report "$name unload: $out; $(last_kernel_lines)"
		continue
	fi
	if dmesg | grep -E -q 'WARNING:|BUG:|Call Trace:|Oops'; then
		report "$name kernel: $(dmesg | grep -E -m 1 'WARNING:|BUG:|Call Trace:|Oops')"
		dmesg | sed 's/^/KPNG-SWEEP-KERNEL: /'
		dmesg -c >/dev/null
		continue
	fi
	dmesg -c >/dev/null
	report "$name ok"
done </lib/kpng/sweep.list
exit 0
