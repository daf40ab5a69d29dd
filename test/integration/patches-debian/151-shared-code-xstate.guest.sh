# shellcheck shell=sh
# 151-shared-code-xstate: arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM, 0x6b70) is
# refused unpatched (EINVAL) and answered 0x6b70 by the livepatch's
# fpu_xstate_prctl(), with its new static_cpu_has(X86_FEATURE_XSAVE): a
# jump to the livepatch's own piece of .altinstr_aux (the bit test), which
# the module loader's apply_alternatives() turns into the fast path for
# this CPU (XSAVE is on: the jump becomes NOPs).  The program is
# 151-shared-code-xstate.prog.c built with `gcc -static`; the driver puts
# it at $KPNG_PROG (default /lib/kpng/151-shared-code-xstate.prog).
# Stage functions for the guest driver; see ../patches/README.md.
# shellcheck disable=SC2317 # the driver calls the functions

p151_prog=${KPNG_PROG:-/lib/kpng/151-shared-code-xstate.prog}

workload() {
	while "$p151_prog" 1000; do
		:
	done
}

before_load() {
	assert_exists "$p151_prog"
	assert_eq "qemu's CPU has XSAVE" yes \
		"$(grep -qw xsave /proc/cpuinfo && echo yes || echo no)"
	assert_eq "arch_prctl before loading" "xcomp: -1 EINVAL" "$("$p151_prog")"
}

after_load() {
	assert_eq "arch_prctl while patched" "xcomp: 0x6b70" "$("$p151_prog")"
}

after_disable() {
	assert_eq "arch_prctl after disabling" "xcomp: -1 EINVAL" "$("$p151_prog")"
}

after_unload() {
	assert_eq "arch_prctl after unloading" "xcomp: -1 EINVAL" "$("$p151_prog")"
}
