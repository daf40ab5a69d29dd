#!/bin/sh
# Guest script (/test.sh) of t0340-debian-fixes: each livepatch of $FIXES
# (from /lib/kpng/env), in turn, through guest/patch-cycle.sh's whole life
# with its own checks: /lib/modules/livepatch-NAME.ko with
# /lib/kpng/NAME.guest.sh.  Before the first, the module of the first
# patch is loaded once on its own: the sections the module loader made of
# it (/sys/module/NAME/sections) are exactly /lib/kpng/sections, what the
# host expects of its stripped .ko.  The taint is checked around all of
# it, as patches-debian/debian-cycle.sh does for one.
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. /lib/kpng/lib.sh

# lp_name NAME: the sysfs name of livepatch-NAME.ko.
lp_name() {
	echo "livepatch_$1" | tr - _
}

assert_file "the kernel is not tainted before the livepatches" /proc/sys/kernel/tainted 0

first=${FIXES%% *}
say "stage: the sections of livepatch-$first.ko in the running kernel"
klp_load "/lib/modules/livepatch-$first.ko" "$(lp_name "$first")"
# shellcheck disable=SC2012 # section names hold no newline
assert_eq "/sys/module/$(lp_name "$first")/sections: the module's loaded sections" \
	"$(cat /lib/kpng/sections)" "$(ls -A "/sys/module/$(lp_name "$first")/sections" | sort)"
klp_disable "$(lp_name "$first")"
klp_unload "$(lp_name "$first")"

for name in $FIXES; do
	say "=== $name"
	(
		KLP_MODULE=/lib/modules/livepatch-$name.ko
		KLP_NAME=$(lp_name "$name")
		KLP_CHECKS=/lib/kpng/$name.guest.sh
		# shellcheck source-path=SCRIPTDIR source=../guest/patch-cycle.sh
		. /lib/kpng/patch-cycle.sh
	)
	ok "$name: before, loaded, disabled, unloaded"
done

assert_file "the kernel's taint after the livepatches: K, E and O" \
	/proc/sys/kernel/tainted $(((1 << 15) | (1 << 13) | (1 << 12)))
