#!/usr/bin/env bash
# t0300-debian-kernel-boots: Debian's own kernel (lib/debian.sh: the
# cloud-amd64 flavour of linux-source-6.12's version, from Debian's
# packages) has the config livepatching must cope with (IBT, retpolines,
# return thunks, call depth tracking, static calls, ORC, module CRCs);
# it boots under qemu with the bench's initramfs and is the release the
# packages name; a module of its package (binfmt_misc.ko.xz, signed)
# loads, works and unloads; and the kernel's livepatch sample, built out
# of tree against Debian's headers package, patches it and unloads.
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/debian.sh
. "$BENCH_ROOT/lib/debian.sh"

debian_ensure
debian_vm_setup
sample=$SCRATCH/sample

# The options that make a livepatch for this kernel what it is: kpatch-build
# must handle each (IBT: ENDBR64 and __pfx_ padding; retpolines, return
# thunks and call depth tracking: calls and returns through thunks and
# their .retpoline_sites/.return_sites/.call_sites tables; static calls
# and jump labels; ORC tables; MODVERSIONS: the livepatch module's
# __versions must carry the CRCs of DEBIAN_SYMVERS) or relies on (ftrace
# with args, unsigned modules allowed: no MODULE_SIG_FORCE, no lockdown).
config_expected() {
	cat <<'EOF'
CONFIG_LIVEPATCH=y
CONFIG_DYNAMIC_FTRACE_WITH_ARGS=y
CONFIG_HAVE_RELIABLE_STACKTRACE=y
CONFIG_X86_KERNEL_IBT=y
CONFIG_CALL_PADDING=y
CONFIG_PREFIX_SYMBOLS=y
CONFIG_MITIGATION_RETPOLINE=y
CONFIG_MITIGATION_RETHUNK=y
CONFIG_MITIGATION_CALL_DEPTH_TRACKING=y
CONFIG_MITIGATION_SLS=y
CONFIG_HAVE_STATIC_CALL_INLINE=y
CONFIG_JUMP_LABEL=y
CONFIG_UNWINDER_ORC=y
CONFIG_MODVERSIONS=y
CONFIG_MODULE_SIG=y
CONFIG_MODULE_SIG_FORCE=n
CONFIG_LOCK_DOWN_KERNEL_FORCE_NONE=y
CONFIG_MODULE_COMPRESS_XZ=y
CONFIG_MODULE_DECOMPRESS=y
CONFIG_DEBUG_INFO_BTF_MODULES=y
CONFIG_LTO_NONE=y
CONFIG_RANDSTRUCT_NONE=y
EOF
}

config_has_livepatch_options() {
	local line opt
	config_expected >expect
	while read -r line; do
		opt=${line%%=*}
		echo "$opt=$(kernel_config_value "$DEBIAN_CONFIG" "$opt")"
	done <expect >actual
	diff -u expect actual
}

build_sample() {
	local vermagic crc want
	debian_build_module "$sample" "$KERNEL_SRC/samples/livepatch/livepatch-sample.c"
	[ -f "$sample/livepatch-sample.ko" ] || die "no $sample/livepatch-sample.ko"
	[ "$(modinfo -F livepatch "$sample/livepatch-sample.ko")" = Y ] ||
		die "livepatch-sample.ko lacks the livepatch=Y modinfo tag"
	vermagic=$(modinfo -F vermagic "$sample/livepatch-sample.ko")
	[ "$vermagic" = "$DEBIAN_RELEASE SMP preempt mod_unload modversions " ] ||
		die "vermagic '$vermagic' is not the Debian kernel's ('$DEBIAN_RELEASE SMP preempt mod_unload modversions ')"
	# MODVERSIONS: the module records the CRC of each kernel symbol it
	# uses, which must be the kernel's.
	crc=$(/sbin/modprobe --dump-modversions "$sample/livepatch-sample.ko" |
		awk '$2 == "klp_enable_patch" { print $1 }')
	want=$(awk '$2 == "klp_enable_patch" { print $1 }' "$DEBIAN_SYMVERS")
	[ -n "$want" ] || die "$DEBIAN_SYMVERS has no klp_enable_patch"
	[ "$crc" = "$want" ] ||
		die "livepatch-sample.ko's CRC of klp_enable_patch is '$crc', Module.symvers has '$want'"
}

boot_debian() {
	guest_new
	guest_add "$DEBIAN_MODULES/kernel/fs/binfmt_misc.ko.xz" /lib/modules/binfmt_misc.ko.xz
	guest_env DEBIAN_RELEASE "$DEBIAN_RELEASE"
	guest_env DEBIAN_VERSION "$DEBIAN_VERSION"
	guest_boot "$(guest_script debian.sh <<'GUEST'
set -eu
. /lib/kpng/lib.sh

assert_eq "uname -r" "$DEBIAN_RELEASE" "$(uname -r)"
case $(uname -v) in
*" Debian $DEBIAN_VERSION "*) ok "uname -v names Debian $DEBIAN_VERSION: $(uname -v)" ;;
*) fail "uname -v '$(uname -v)' does not name Debian $DEBIAN_VERSION" ;;
esac
assert_exists /sys/kernel/livepatch
assert_eq "CPUs online" 2 "$(nproc)"
assert_file "the kernel is not tainted" /proc/sys/kernel/tainted 0

# A module of the package, xz-compressed and signed: busybox insmod
# decompresses it (its finit_module without MODULE_INIT_COMPRESSED_FILE
# fails, then it reads the file through its xz support), the kernel checks
# the signature against its built-in key: no taint.
run "insmod binfmt_misc.ko.xz" insmod /lib/modules/binfmt_misc.ko.xz
assert_file "the kernel is still not tainted (signature verified)" /proc/sys/kernel/tainted 0
mkdir -p /tmp/binfmt
run "mount -t binfmt_misc" mount -t binfmt_misc binfmt_misc /tmp/binfmt
echo ':kpng:E::kpng::/bin/sh:' >/tmp/binfmt/register
printf 'echo "hello from $0"\n' >/tmp/hello.kpng
chmod 0755 /tmp/hello.kpng
assert_eq "/tmp/hello.kpng runs through /bin/sh" "hello from /tmp/hello.kpng" "$(/tmp/hello.kpng)"
echo -1 >/tmp/binfmt/kpng
run "umount binfmt_misc" umount /tmp/binfmt
run "rmmod binfmt_misc" rmmod binfmt_misc
assert_absent /sys/module/binfmt_misc
GUEST
)"
}

boot_sample() {
	guest_new
	guest_add "$sample/livepatch-sample.ko" /lib/modules/livepatch-sample.ko
	guest_env KLP_MODULE /lib/modules/livepatch-sample.ko
	guest_env KLP_NAME livepatch_sample
	guest_env KLP_EXPECT_BEFORE "$(vm_cmdline)"
	guest_env KLP_EXPECT_PATCHED 'this has been live patched'
	# TAINT_LIVEPATCH (K, 1 << 15) + TAINT_UNSIGNED_MODULE (E, 1 << 13:
	# not signed with Debian's key) + TAINT_OOT_MODULE (O, 1 << 12)
	guest_env KLP_EXPECT_TAINTED $(((1 << 15) | (1 << 13) | (1 << 12)))
	GUEST_LOG=console-sample guest_boot "$BENCH_ROOT/guest/livepatch-cycle.sh"
}

check "the Debian kernel's config has the options livepatching meets" config_has_livepatch_options
test_story
check "the Debian kernel boots: its release, livepatch sysfs, a module of its package" boot_debian
test_story
check 'livepatch-sample.ko builds out of tree against the Debian headers' build_sample
check 'livepatch-sample.ko patches the Debian kernel, disables, unloads' boot_sample
test_done
