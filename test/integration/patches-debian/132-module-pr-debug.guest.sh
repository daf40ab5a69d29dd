# shellcheck shell=sh
# 132-module-pr-debug: the livepatch's descriptor for the new pr_debug()
# of bm_status_read() (binfmt_misc.ko): listed, enabled with 'func
# bm_status_read +p', and its message in dmesg when the status file is
# read; still listed, its strings intact, while binfmt_misc is unloaded;
# the message again once the module is back.  The descriptor holds the
# format as written; the message has pr_fmt()'s "binfmt_misc: " in front.
# binfmt_misc is handled by 010's functions
# (patches/010-module-binfmt-misc.guest.sh, at /lib/kpng/p010.sh).
# Stage functions for the guest driver; see patches/README.md.
# shellcheck disable=SC2317 # the driver calls the functions
# shellcheck source-path=SCRIPTDIR source=../patches/010-module-binfmt-misc.guest.sh
. /lib/kpng/p010.sh

p132_control=/proc/dynamic_debug/control
p132_site="fs/binfmt_misc.c:914 [livepatch_132_module_pr_debug]bm_status_read =_ \"kpng-livepatch: bm_status_read %s\""

# p132_listed: the control file's lines of our descriptor.
p132_listed() {
	grep -F "kpng-livepatch" "$p132_control" || :
}

# p132_read_logs WHEN: one read of the status file logs the message once.
p132_read_logs() {
	before=$(dmesg | grep -c "binfmt_misc: kpng-livepatch: bm_status_read enabled\$" || :)
	# One read(2) (cat would read again to see the end).
	dd if="$p010_mnt/status" of=/dev/null bs=64 count=1 2>/dev/null
	after=$(dmesg | grep -c "binfmt_misc: kpng-livepatch: bm_status_read enabled\$" || :)
	assert_eq "$1: the message of one read" $((before + 1)) "$after"
}

before_load() {
	assert_eq "our descriptor before loading" "" "$(p132_listed)"
}

after_load() {
	assert_eq "the livepatch's descriptor" "$p132_site" "$(p132_listed)"
	# The workload ran through the transition; the reads below count.
	p010_stop_workload
	echo 'func bm_status_read +p' >"$p132_control"
	assert_eq "the descriptor enabled" "${p132_site%%=_*}=p ${p132_site#*=_ }" \
		"$(p132_listed)"
	p132_read_logs "module loaded before the livepatch"
	p010_down
	assert_eq "the descriptor with binfmt_misc unloaded" \
		"${p132_site%%=_*}=p ${p132_site#*=_ }" "$(p132_listed)"
	p010_up
	p132_read_logs "module loaded after the livepatch"
	echo 'func bm_status_read -p' >"$p132_control"
}

after_disable() {
	assert_file "status after disabling" "$p010_mnt/status" enabled
}

after_unload() {
	assert_eq "our descriptor after unloading" "" "$(p132_listed)"
	p010_down
}
