# shellcheck shell=sh
# 005-new-function: /proc/filesystems gains a last line
# "# kpng-livepatch: N file system types", N counted by a new function;
# the rest of the file is unchanged.
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

p005_dir=/tmp/kpng-005

workload() {
	while :; do
		cat /proc/filesystems >/dev/null
	done
}

before_load() {
	mkdir -p "$p005_dir"
	cat /proc/filesystems >"$p005_dir/before"
	assert_eq "/proc/filesystems lists proc" "nodev	proc" \
		"$(grep -x 'nodev	proc' "$p005_dir/before" || true)"
	assert_eq "/proc/filesystems has no kpng line" "" \
		"$(grep kpng "$p005_dir/before" || true)"
}

after_load() {
	assert_file "/proc/filesystems while patched" /proc/filesystems \
		"$(cat "$p005_dir/before")
# kpng-livepatch: $(wc -l <"$p005_dir/before") file system types"
}

after_disable() {
	assert_file "/proc/filesystems after disabling" /proc/filesystems \
		"$(cat "$p005_dir/before")"
}

after_unload() {
	assert_file "/proc/filesystems after unloading" /proc/filesystems \
		"$(cat "$p005_dir/before")"
}
