# shellcheck shell=sh
# 021-kpatch-pre-patch-fails: loading the livepatch fails, because its
# pre-patch callback returns -EBUSY: insmod fails, nothing is left in
# /sys/kernel/livepatch or /sys/module, /proc/cmdline never changes, and
# the kernel log has the callback's line and no other callback's.
# Not a cycle: t0230 calls before_load, then load_refused with the module
# ($KLP_MODULE) and its patch name ($KLP_NAME), then after_refused.
# shellcheck disable=SC2317 # t0230 calls the functions

p021_dir=/tmp/kpng-021

before_load() {
	mkdir -p "$p021_dir"
	dmesg -r | wc -l >"$p021_dir/mark"
	assert_file "/proc/cmdline before loading" /proc/cmdline "$KPNG_CMDLINE"
}

load_refused() {
	if insmod "$KLP_MODULE" 2>"$p021_dir/insmod.err"; then
		fail "insmod $KLP_MODULE succeeded; its pre-patch callback fails"
	fi
	cat "$p021_dir/insmod.err"
	ok "insmod $KLP_MODULE failed"
	assert_absent "/sys/kernel/livepatch/$KLP_NAME"
	assert_absent "/sys/module/$KLP_NAME"
}

# Busybox's insmod tries init_module() when finit_module() fails: the
# load is tried twice, the callback runs once each time.
after_refused() {
	assert_file "/proc/cmdline after the failed load" /proc/cmdline "$KPNG_CMDLINE"
	assert_eq "only the pre-patch callback ran" \
		"6 pre-patch vmlinux: refusing" \
		"$(dmesg -r | tail -n +$(($(cat "$p021_dir/mark") + 1)) |
			sed -n 's/^<\([0-9]\)>.*\] livepatch: kpng-kpatch callback: /\1 /p' |
			sort -u)"
}
