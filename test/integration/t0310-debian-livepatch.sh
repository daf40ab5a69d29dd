#!/usr/bin/env bash
# t0310-debian-livepatch: the patches of patches/ (see its README) whose
# code is in Debian's cloud config, against Debian's own kernel
# (lib/debian.sh): kpatch-build's fast path (-v with Debian's vmlinux,
# Module.symvers and .ko.xz modules) builds each one, which must report
# exactly the functions of its NAME.expect (or patches-debian/NAME.expect,
# below) and carry Debian's vermagic; then a guest boots Debian's vmlinuz
# and runs the patch's own NAME.guest.sh, unchanged, through t0210's cycle
# (before, loaded with its workload running, disabled, unloaded), with the
# taint checked around it (patches-debian/debian-cycle.sh).  010 patches a
# function of a module of the package (binfmt_misc, =m in Debian: its
# .ko.xz is the target kpatch-build resolves against and the module the
# guest loads, before the livepatch and again while it is on); 002 reaches
# non-exported symbols of vmlinux through klp relocations.  The patches
# that must be refused (014 to 017) are refused the same way.
#
# Not run, each for its reason (debian_skip below):
#   011-vmlinux-and-modules: one of its three objects, kernel/configs.c
#     (configs.ko, /proc/config.gz), is not built for Debian's cloud
#     kernel (CONFIG_IKCONFIG is not set), and its checks load configs.ko.
#   018-chain1, 019-chain2: t0220's cumulative and stacked patches, not
#     a cycle of their own (t0210 skips them too).
#   020 to 024 (*-kpatch-*): t0230's patch-author macros (t0210 skips
#     them too).
#
# Where Debian's build reports other changed functions than the test
# kernel's, patches-debian/NAME.expect is the Debian expectation:
#   007-syscall-newuname: also __ia32_sys_newuname, the 32-bit entry,
#     which tail-calls __do_sys_newuname like __x64_sys_newuname
#     (CONFIG_IA32_EMULATION=y in Debian, off in the test kernel).
#   012-callbacks: the same functions; binfmt_misc's four new callbacks
#     come in another order (create-diff-object reports them in the
#     order of the object's symbol table, GCC's, which differs with
#     Debian's config).
# Where a guest check depends on the test kernel, patches-debian/
# NAME.guest.sh is Debian's version of it:
#   007-syscall-newuname: Debian's version string is 62 characters, so
#     the patch's " kpng-livepatch" is cut to the 64 the utsname field
#     holds ("... kp").
#
# One guest CPU, but for a patch whose checks need more (NAME.cpus, see
# patches/README.md: 025-percpu-counter reads pinned on two CPUs): with two, a cycle with a workload takes about two minutes
# under TCG on this kernel (six seconds without).  With PREEMPT_DYNAMIC the
# livepatch core points cond_resched()'s static call at klp_cond_resched()
# when a transition starts and back when it ends (sched_dynamic_klp_enable()
# and _disable()): each rewrites every inline call site in vmlinux with
# text_poke_bp(), which waits for the other CPU (IPIs) several times per
# site, and with that CPU busy in the workload qemu's single TCG thread
# only switches to it every 100 ms or so.  The transitions themselves are
# the same with one CPU (the workload is preempted inside the patched
# code); t0300 and t0320 boot this kernel with two.
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kpatch-build.sh
. "$BENCH_ROOT/lib/kpatch-build.sh"
# shellcheck source=lib/debian.sh
. "$BENCH_ROOT/lib/debian.sh"

debian_ensure
debian_vm_setup
DEBIAN_PATCHES=$BENCH_ROOT/patches-debian
# shellcheck disable=SC2034 # for lib/vm.sh
VM_SMP=${KPNG_VM_SMP:-1}
# shellcheck disable=SC2034 # for lib/vm.sh
VM_TIMEOUT=${KPNG_VM_TIMEOUT:-400}

# debian_skip NAME: why patch NAME is not run against the Debian kernel
# (nothing when it is); the reasons are the file's header's.
debian_skip() {
	case $1 in
	011-vmlinux-and-modules) echo "kernel/configs.c is not in Debian's cloud config (CONFIG_IKCONFIG is not set): no configs.ko" ;;
	*-chain*) echo "t0220's (cumulative and stacked patches)" ;;
	*-kpatch-*) echo "t0230's (kpatch's macros)" ;;
	esac
}

# expect_file NAME: Debian's expectation when it has its own.
expect_file() {
	if [ -f "$DEBIAN_PATCHES/$1.expect" ]; then
		echo "$DEBIAN_PATCHES/$1.expect"
	else
		echo "$PATCHES/$1.expect"
	fi
}

# build NAME: kpatch-build the patch against the Debian kernel; it reports
# exactly the functions of its expectation, and the module is one the
# Debian kernel accepts (its vermagic).
build() {
	debian_build_patch "$1" "$PATCHES/$1.patch" "$(expect_file "$1")"
}

# guest_checks NAME: the patch's stage functions, Debian's when it has
# its own.
guest_checks() {
	if [ -f "$DEBIAN_PATCHES/$1.guest.sh" ]; then
		echo "$DEBIAN_PATCHES/$1.guest.sh"
	else
		echo "$PATCHES/$1.guest.sh"
	fi
}

# cycle NAME: the guest's view through the patch's life, with NAME's
# program when it has one (see patches/README.md).
cycle() {
	local prog=$PATCHES/$1.prog.c
	[ -f "$prog" ] || prog=
	debian_cycle_patch "$1" "$(guest_checks "$1")" "$prog"
}

mkdir -p "$SCRATCH"
for p in "$PATCHES"/[0-9]*.patch; do
	name=${p##*/}
	name=${name%.patch}
	# KPNG_PATCHES=GLOB runs only the matching patches (a developer's
	# shortcut; unset in CI).
	# shellcheck disable=SC2053 # a glob on purpose
	[[ $name == ${KPNG_PATCHES:-*} ]] || continue
	reason=$(debian_skip "$name")
	if [ -n "$reason" ]; then
		echo "#   not run here - $name: $reason"
		continue
	fi
	test_story
	if [ -f "$PATCHES/$name.refusal" ]; then
		check "$name: refused" kpb_refused debian_kpb "$name"
	elif [ -f "$PATCHES/$name.guest.sh" ]; then
		check "$name: kpatch-build against the Debian kernel" build "$name"
		check "$name: before, loaded, disabled, unloaded in the Debian kernel" cycle "$name"
	else
		check "$name: has NAME.guest.sh or NAME.refusal" false
	fi
done
test_done
