# shellcheck shell=sh
# 134-svm-static-call: the livepatch of kvm_amd, whose static call site
# names kvm's key, loads (static_call_add_module() accepts it), is
# enabled and goes; kvm_amd itself is never loaded (no SVM in the guest),
# so nothing is patched.  kvm and irqbypass are at /lib/modules/kvm/.
# Stage functions for the guest driver; see patches/README.md.
# shellcheck disable=SC2317 # the driver calls the functions

setup() {
	run "insmod irqbypass" insmod /lib/modules/kvm/irqbypass.ko
	run "insmod kvm" insmod /lib/modules/kvm/kvm.ko
}

before_load() {
	assert_absent /sys/module/kvm_amd
}

after_load() {
	assert_absent /sys/module/kvm_amd
	assert_exists /sys/kernel/livepatch/livepatch_134_svm_static_call/kvm_amd
	assert_file "kvm_amd is not patched (not loaded)" \
		/sys/kernel/livepatch/livepatch_134_svm_static_call/kvm_amd/patched 0
}

after_disable() {
	assert_exists /sys/module/kvm
}

after_unload() {
	run "rmmod kvm" rmmod kvm
	run "rmmod irqbypass" rmmod irqbypass
}
