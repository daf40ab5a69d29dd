# shellcheck shell=sh
# 011-vmlinux-and-modules: one livepatch for vmlinux and two modules.
#   /proc/consoles: every line ends with " kpng-livepatch" (vmlinux);
#   a binfmt_misc entry's file starts "enabled kpng-livepatch"
#     (binfmt_misc.ko, loaded before the livepatch, in setup);
#   `zcat /proc/config.gz` ends with the line "# kpng-livepatch"
#     (configs.ko, loaded after the livepatch, in after_load).
# Modules from $KPNG_MODULES (default /lib/modules).
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

p011_mods=${KPNG_MODULES:-/lib/modules}
p011_dir=/tmp/kpng-011
p011_mnt=/tmp/kpng-011/binfmt

# p011_check WHAT SUFFIX STATUS CONFIG_TAIL: consoles lines end with
# SUFFIX, the entry reads STATUS, /proc/config.gz is the saved config
# plus CONFIG_TAIL (a line, or nothing).
p011_check() {
	assert_file "$1: /proc/consoles" /proc/consoles \
		"$(sed "s/\$/$2/" "$p011_dir/consoles")"
	assert_file "$1: binfmt_misc entry kpng011" "$p011_mnt/kpng011" "$3
interpreter /bin/sh
flags: 
extension .kpng011"
	assert_eq "$1: /tmp/hello.kpng011 runs through /bin/sh" \
		"hello from /tmp/hello.kpng011" "$(/tmp/hello.kpng011)"
	if [ -n "$4" ]; then
		assert_eq "$1: zcat /proc/config.gz" \
			"$(cat "$p011_dir/config")
$4" "$(zcat /proc/config.gz)"
	else
		assert_eq "$1: zcat /proc/config.gz" \
			"$(cat "$p011_dir/config")" "$(zcat /proc/config.gz)"
	fi
}

workload() {
	while :; do
		cat /proc/consoles "$p011_mnt/kpng011" >/dev/null
	done
}

setup() {
	mkdir -p "$p011_mnt"
	run "insmod binfmt_misc" insmod "$p011_mods/binfmt_misc.ko"
	run "mount binfmt_misc" mount -t binfmt_misc binfmt_misc "$p011_mnt"
	echo ':kpng011:E::kpng011::/bin/sh:' >"$p011_mnt/register"
	# shellcheck disable=SC2016 # $0 is the script's
	printf 'echo "hello from $0"\n' >/tmp/hello.kpng011
	chmod 0755 /tmp/hello.kpng011
}

before_load() {
	cat /proc/consoles >"$p011_dir/consoles"
	assert_eq "/proc/consoles has no kpng text" "" \
		"$(grep kpng "$p011_dir/consoles" || true)"
	assert_eq "/proc/consoles lists ttyS0" ttyS0 "$(awk '{ print $1 }' "$p011_dir/consoles")"
	run "insmod configs" insmod "$p011_mods/configs.ko"
	zcat /proc/config.gz >"$p011_dir/config"
	assert_eq "/proc/config.gz holds CONFIG_LIVEPATCH=y" "CONFIG_LIVEPATCH=y" \
		"$(grep -x 'CONFIG_LIVEPATCH=y' "$p011_dir/config" || true)"
	p011_check "before loading" "" enabled ""
	# configs is loaded again once the livepatch is on.
	run "rmmod configs" rmmod configs
	assert_absent /proc/config.gz
}

after_load() {
	run "insmod configs (after the livepatch)" insmod "$p011_mods/configs.ko"
	p011_check "while patched" " kpng-livepatch" "enabled kpng-livepatch" \
		"# kpng-livepatch"
}

after_disable() {
	p011_check "after disabling" "" enabled ""
}

after_unload() {
	p011_check "after unloading" "" enabled ""
	run "rmmod configs" rmmod configs
	echo -1 >"$p011_mnt/kpng011"
	run "umount binfmt_misc" umount "$p011_mnt"
	run "rmmod binfmt_misc" rmmod binfmt_misc
}
