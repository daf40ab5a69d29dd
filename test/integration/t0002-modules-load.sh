#!/usr/bin/env bash
# t0002-modules-load: the test kernel's own modules, the targets of later
# livepatch tests (see config/common.config), load, work and unload:
# binfmt_misc runs a script by its extension, configs serves the exact
# .config as /proc/config.gz, the static-keys test modules pass their
# self-checks at load time.
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"

# In the build tree, in load order.
modules=(
	fs/binfmt_misc.ko
	kernel/configs.ko
	lib/test_static_key_base.ko
	lib/test_static_keys.ko
)

modules_are_built() {
	local m
	for m in "${modules[@]}"; do
		[ -f "$KERNEL_BUILD/$m" ] || die "the test kernel has no $m (config/common.config)"
	done
}

boot_modules() {
	local m config_sha
	guest_new
	for m in "${modules[@]}"; do
		guest_add "$KERNEL_BUILD/$m" "/lib/modules/${m##*/}"
	done
	config_sha=$(sha256sum <"$KERNEL_BUILD/.config")
	guest_env CONFIG_SHA256 "${config_sha%% *}"
	# "CONFIG_LIVEPATCH=y"; none on arm64, where 6.12 cannot have it.
	guest_env CONFIG_LIVEPATCH_LINE "$(grep '^CONFIG_LIVEPATCH=' "$KERNEL_BUILD/.config" || true)"
	guest_boot "$(guest_script modules.sh <<'GUEST'
set -eu
. /lib/kpng/lib.sh

# binfmt_misc: register the extension .kpng for /bin/sh and run a file.
run "insmod binfmt_misc.ko" insmod /lib/modules/binfmt_misc.ko
mkdir -p /tmp/binfmt
run "mount -t binfmt_misc" mount -t binfmt_misc binfmt_misc /tmp/binfmt
assert_file "binfmt_misc status" /tmp/binfmt/status enabled
echo ':kpng:E::kpng::/bin/sh:' >/tmp/binfmt/register
assert_file "binfmt_misc entry kpng" /tmp/binfmt/kpng "enabled
interpreter /bin/sh
flags: 
extension .kpng"
printf 'echo "hello from $0"\n' >/tmp/hello.kpng
chmod 0755 /tmp/hello.kpng
assert_eq "/tmp/hello.kpng runs through /bin/sh" "hello from /tmp/hello.kpng" "$(/tmp/hello.kpng)"
echo -1 >/tmp/binfmt/kpng
assert_absent /tmp/binfmt/kpng
run "umount binfmt_misc" umount /tmp/binfmt
run "rmmod binfmt_misc" rmmod binfmt_misc
assert_absent /sys/module/binfmt_misc

# configs: /proc/config.gz is the build's .config, byte for byte.
assert_absent /proc/config.gz
run "insmod configs.ko" insmod /lib/modules/configs.ko
assert_exists /proc/config.gz
assert_eq "CONFIG_LIVEPATCH in /proc/config.gz" "$CONFIG_LIVEPATCH_LINE" \
	"$(zcat /proc/config.gz | grep '^CONFIG_LIVEPATCH=')"
sha=$(zcat /proc/config.gz | sha256sum)
assert_eq "sha256 of /proc/config.gz (gunzipped) is the build's .config's" \
	"$CONFIG_SHA256" "${sha%% *}"
run "rmmod configs" rmmod configs
assert_absent /proc/config.gz

# Static keys across modules: test_static_keys' init fails on a wrong key.
run "insmod test_static_key_base.ko" insmod /lib/modules/test_static_key_base.ko
run "insmod test_static_keys.ko" insmod /lib/modules/test_static_keys.ko
run "rmmod test_static_keys" rmmod test_static_keys
run "rmmod test_static_key_base" rmmod test_static_key_base
assert_absent /sys/module/test_static_keys
assert_absent /sys/module/test_static_key_base
assert_eq "no module is left loaded" "" "$(cat /proc/modules)"
GUEST
)"
}

check 'the test modules are built' modules_are_built
check 'the guest loads, uses and unloads each test module' boot_modules
test_done
