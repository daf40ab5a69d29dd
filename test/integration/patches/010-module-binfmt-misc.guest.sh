# shellcheck shell=sh
# 010-module-binfmt-misc: the status file of a binfmt_misc mount reads
# "enabled kpng-livepatch" while the patch is on, both for the module
# loaded before the livepatch (setup) and for the module loaded again
# while the livepatch is on (after_load).  The module is
# $KPNG_MODULES/binfmt_misc.ko (default /lib/modules).
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

p010_ko=${KPNG_MODULES:-/lib/modules}/binfmt_misc.ko
p010_dir=/tmp/kpng-010
p010_mnt=/tmp/kpng-010/mnt

# p010_up / p010_down: load and mount binfmt_misc / unmount and remove it.
p010_up() {
	run "insmod binfmt_misc" insmod "$p010_ko"
	mkdir -p "$p010_mnt"
	run "mount binfmt_misc" mount -t binfmt_misc binfmt_misc "$p010_mnt"
}
p010_down() {
	run "umount binfmt_misc" umount "$p010_mnt"
	run "rmmod binfmt_misc" rmmod binfmt_misc
	assert_absent /sys/module/binfmt_misc
}

# The workload reads the status file until after_load asks it to stop,
# before it unmounts binfmt_misc (an open file would make umount fail).
workload() {
	echo 1 >"$p010_dir/running"
	while [ ! -e "$p010_dir/stop" ]; do
		cat "$p010_mnt/status" >/dev/null
	done
	echo 1 >"$p010_dir/stopped"
}

p010_stop_workload() {
	echo 1 >"$p010_dir/stop"
	[ -e "$p010_dir/running" ] || return 0
	wait_for_value "$p010_dir/stopped" 1 30
	ok "the workload stopped"
}

setup() {
	mkdir -p "$p010_dir"
	rm -f "$p010_dir/running" "$p010_dir/stop" "$p010_dir/stopped"
	p010_up
}

before_load() {
	assert_file "status before loading" "$p010_mnt/status" enabled
}

after_load() {
	assert_file "status while patched (module loaded first)" \
		"$p010_mnt/status" "enabled kpng-livepatch"
	echo 0 >"$p010_mnt/status"
	assert_file "status while patched, binfmt_misc disabled" \
		"$p010_mnt/status" "disabled kpng-livepatch"
	echo 1 >"$p010_mnt/status"
	assert_file "status while patched, binfmt_misc enabled again" \
		"$p010_mnt/status" "enabled kpng-livepatch"
	# The module loaded after the livepatch is patched as it loads.
	p010_stop_workload
	p010_down
	p010_up
	assert_file "status while patched (module loaded after the livepatch)" \
		"$p010_mnt/status" "enabled kpng-livepatch"
}

after_disable() {
	assert_file "status after disabling" "$p010_mnt/status" enabled
}

after_unload() {
	assert_file "status after unloading" "$p010_mnt/status" enabled
	p010_down
	p010_up
	assert_file "status of a fresh binfmt_misc after unloading" "$p010_mnt/status" enabled
	p010_down
}
