# shellcheck shell=sh
# 020-kpatch-callbacks: the kpatch callbacks log, through KPATCH_PRINTK,
# "livepatch: kpng-kpatch callback: STAGE vmlinux" when the livepatch is
# loaded (pre-patch at level 6, post-patch at 5) and disabled
# (pre-unpatch, post-unpatch, at 5), in that order, and nothing when it is
# unloaded; /proc/cmdline is $KPNG_CMDLINE followed by
# " kpng-kpatch-callbacks: post-patch" while the patch is on.
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

p020_dir=/tmp/kpng-020

# p020_mark: remember where the kernel log ends.
p020_mark() {
	mkdir -p "$p020_dir"
	dmesg -r | wc -l >"$p020_dir/mark"
}

# p020_callbacks: the callback lines logged since p020_mark, "LEVEL STAGE
# OBJECT" each (the level from the raw log's "<N>"); then mark again.
p020_callbacks() {
	dmesg -r | tail -n +$(($(cat "$p020_dir/mark") + 1)) |
		sed -n 's/^<\([0-9]\)>.*\] livepatch: kpng-kpatch callback: /\1 /p'
	p020_mark
}

workload() {
	while :; do
		cat /proc/cmdline >/dev/null
	done
}

setup() {
	p020_mark
}

before_load() {
	assert_eq "no callback before loading" "" "$(p020_callbacks)"
	assert_file "/proc/cmdline before loading" /proc/cmdline "$KPNG_CMDLINE"
}

after_load() {
	assert_eq "callbacks on loading, in order" "6 pre-patch vmlinux
5 post-patch vmlinux" "$(p020_callbacks)"
	assert_file "/proc/cmdline while patched" /proc/cmdline \
		"$KPNG_CMDLINE kpng-kpatch-callbacks: post-patch"
}

after_disable() {
	assert_eq "callbacks on disabling, in order" "5 pre-unpatch vmlinux
5 post-unpatch vmlinux" "$(p020_callbacks)"
	assert_file "/proc/cmdline after disabling" /proc/cmdline "$KPNG_CMDLINE"
}

after_unload() {
	assert_eq "no callback on unloading" "" "$(p020_callbacks)"
	assert_file "/proc/cmdline after unloading" /proc/cmdline "$KPNG_CMDLINE"
}
