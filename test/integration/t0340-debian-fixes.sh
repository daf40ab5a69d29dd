#!/usr/bin/env bash
# t0340-debian-fixes: patches of the kinds that failed on Debian's own
# kernel, each built with kpatch-build's fast path against it (lib/debian.sh)
# and then, in one boot of Debian's vmlinuz, loaded, checked, disabled and
# unloaded in turn (patches-debian/fixes-cycle.sh: guest/patch-cycle.sh
# with each patch's NAME.guest.sh):
#
#   103-meminfo-line: a line added to /proc/meminfo, the first patch a
#     user tries.  meminfo_proc_show()'s alternatives jump from
#     .altinstr_replacement back into it; on this IBT kernel objtool checks
#     the whole module, and such a jump must stay against the section
#     symbol (objtool took it for a sibling call from inside the stack
#     frame and kbuild failed).
#   104-long-klp-name: a klp symbol of 57 characters under
#     CONFIG_MODVERSIONS, where modpost refuses a __versions name over 55
#     ("too long symbol"): its placeholder goes through modpost under a
#     short name.
#   105-shared-global: a new global function and variable of one file
#     used by another file of the patch: the livepatch's own symbols.
#   106-module-static-local: a static local (xstats.0) of a changed
#     function of Debian's xfs.ko, stripped of its file symbols.
#   107-ipv6-datagram, 108-gup-fast: functions that Debian's 6.12.118
#     update fixes and whose files its sweep could not livepatch:
#     __ip6_datagram_connect() of net/ipv6/datagram.c (a file name
#     vmlinux links three times, the block placed by the DWARF) and
#     gup_fast_fallback() of mm/gup.c (alternatives under objtool), each
#     logging what a program of its own (NAME.prog.c: a UDP connect()
#     over IPv6, a vmsplice() of three pages) makes it do.
#
# Each build must report exactly the functions of patches-debian/
# NAME.expect, carry Debian's vermagic and end with the size of the module
# it wrote.  103 is built with -d: its unstripped copy,
# livepatch-103-meminfo-line.ko.debug, holds the debug info the module
# does not, and the same allocated sections, relocations, klp relocations
# and symbols (STT_FILE symbols aside); in the guest the sections the
# module loader made of the stripped module are exactly its allocated
# ones (but __versions and .modinfo, which the loader drops, and with the
# symbol table, which it keeps).
#
# (grep without -q after readelf: under pipefail, grep -q leaving early
# kills readelf with SIGPIPE and fails the pipeline.)
#
# One guest CPU, as t0310 (its header says why).  About 5 minutes: 6
# builds of 15 to 30 s warm, one boot with 7 loads.
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
FIXES=(103-meminfo-line 104-long-klp-name 105-shared-global 106-module-static-local
	107-ipv6-datagram 108-gup-fast)
# shellcheck disable=SC2034 # for lib/vm.sh
VM_SMP=${KPNG_VM_SMP:-1}
# shellcheck disable=SC2034 # for lib/vm.sh
VM_TIMEOUT=${KPNG_VM_TIMEOUT:-600}

# build NAME [ARGS...]: kpatch-build NAME against the Debian kernel; it
# reports exactly the functions of NAME.expect, writes a module with
# Debian's vermagic and says its size.
build() {
	local name=$1 ko vermagic kb
	shift
	ko=$SCRATCH/$name/livepatch-$name.ko
	debian_kpb "$name" "$@" "$DEBIAN_PATCHES/$name.patch" || {
		cat "$SCRATCH/$name.log"
		die "kpatch-build failed"
	}
	cat "$SCRATCH/$name.log"
	[ -f "$ko" ] || die "no $ko"
	sed -n 's/^kpatch-build:   //p' "$SCRATCH/$name.log" >"$SCRATCH/$name.reported"
	diff -u "$DEBIAN_PATCHES/$name.expect" "$SCRATCH/$name.reported"
	vermagic=$(modinfo -F vermagic "$ko")
	[ "$vermagic" = "$DEBIAN_RELEASE SMP preempt mod_unload modversions " ] ||
		die "vermagic '$vermagic' is not the Debian kernel's"
	kb=$((($(stat -c %s "$ko") + 1023) / 1024))
	grep -qx "kpatch-build: wrote $SCRATCH/$name/livepatch-$name.ko ($kb KB) in [0-9.]* s" \
		"$SCRATCH/$name.log" || die "no final line 'wrote ... ($kb KB) in N s'"
}

# alloc_sections KO: "NAME TYPE SIZE FLAGS" of each allocated section.
alloc_sections() {
	readelf -SW "$1" | sed -E -n 's/^ *\[ *[0-9]+\] //p' |
		awk '$7 ~ /A/ { print $1, $2, $5, $7 }'
}

# loaded_sections KO: the names /sys/module/NAME/sections lists for KO:
# its allocated sections that are not empty, but __versions and .modinfo
# (the loader clears their SHF_ALLOC), and .symtab and .strtab (it sets
# theirs: kallsyms, and a livepatch's whole symbol table), sorted.
loaded_sections() {
	{
		alloc_sections "$1" | awk '$3 !~ /^0+$/ && $1 != "__versions" && $1 != ".modinfo" { print $1 }'
		echo .symtab
		echo .strtab
	} | LC_ALL=C sort
}

# relocations KO: "SECTION: OFFSET TYPE SYMBOL ADDEND" of each relocation
# (klp ones included) but those of the debug info; symbol indexes aside.
relocations() {
	readelf -rW "$1" | awk '
		/^Relocation section/ { sec = $3; gsub(/\047/, "", sec); next }
		sec !~ /^\.rela\.debug_/ && $1 ~ /^[0-9a-f]+$/ { print sec ":", $1, $3, $5, $6, $7 }'
}

# symbols KO: "VALUE SIZE TYPE BIND VIS NDX NAME" of each symbol but the
# STT_FILE and STT_SECTION ones, in order.
symbols() {
	readelf -sW "$1" | awk '$1 ~ /^[0-9]+:$/ && $4 != "FILE" && $4 != "SECTION" {
		$1 = ""; print }'
}

# unstripped NAME: livepatch-NAME.ko.debug is the module with its debug
# info: the stripped .ko has no .debug_* section and is the smaller by
# them; both have the same allocated sections, relocations (klp ones
# included) and symbols but the STT_FILE ones.
unstripped() {
	local ko=$SCRATCH/$1/livepatch-$1.ko dbg
	dbg=$ko.debug
	[ -f "$dbg" ] || die "no $dbg"
	grep -qx "kpatch-build: unstripped copy (debug info, for crash analysis): $dbg ($((($(stat -c %s "$dbg") + 1023) / 1024)) KB)" \
		"$SCRATCH/$1.log" || die "no line naming the unstripped copy"
	! readelf -SW "$ko" | grep ' \.debug_' >/dev/null || die "$ko has .debug_ sections"
	readelf -SW "$dbg" | grep ' \.debug_info ' >/dev/null || die "$dbg has no .debug_info"
	echo "sizes: $(stat -c %s "$ko") bytes stripped, $(stat -c %s "$dbg") unstripped"
	diff -u <(alloc_sections "$dbg") <(alloc_sections "$ko")
	diff -u <(relocations "$dbg") <(relocations "$ko")
	diff -u <(symbols "$dbg") <(symbols "$ko")
	readelf -sW "$ko" | grep ' OS \[0xff20\] \.klp\.sym\.vmlinux\.' >/dev/null ||
		die "$ko has no SHN_LIVEPATCH .klp.sym.vmlinux symbol"
}

# long_name: 104's klp symbol, 57 characters, is in the module as such
# (SHN_LIVEPATCH, renamed from its short placeholder), and no .klp.ph.
# symbol is left.
long_name() {
	local ko=$SCRATCH/104-long-klp-name/livepatch-104-long-klp-name.ko
	readelf -sW "$ko" | grep ' OS \[0xff20\] \.klp\.sym\.vmlinux\.ksm_stable_node_chains_prune_millisecs,0$' >/dev/null ||
		die "no klp symbol .klp.sym.vmlinux.ksm_stable_node_chains_prune_millisecs,0"
	! readelf -sW "$ko" | grep '\.klp\.ph\.' >/dev/null || die "a .klp.ph. placeholder is left in $ko"
}

# cycle: one boot, each module's whole life in turn.
cycle() {
	local name m=$DEBIAN_MODULES/kernel
	guest_new
	for name in "${FIXES[@]}"; do
		guest_add "$SCRATCH/$name/livepatch-$name.ko" "/lib/modules/livepatch-$name.ko"
		guest_add "$DEBIAN_PATCHES/$name.guest.sh" "/lib/kpng/$name.guest.sh"
		[ -f "$DEBIAN_PATCHES/$name.prog.c" ] || continue
		gcc -static -O2 -Wall -Werror -o "$SCRATCH/$name.prog" "$DEBIAN_PATCHES/$name.prog.c"
		guest_add "$SCRATCH/$name.prog" "/lib/kpng/${name%%-*}.prog"
	done
	loaded_sections "$SCRATCH/${FIXES[0]}/livepatch-${FIXES[0]}.ko" >"$SCRATCH/sections"
	guest_add "$SCRATCH/sections" /lib/kpng/sections
	guest_add "$m/lib/libcrc32c.ko.xz" /lib/modules/libcrc32c.ko
	guest_add "$m/fs/xfs/xfs.ko.xz" /lib/modules/xfs.ko
	guest_add "$BENCH_ROOT/guest/patch-cycle.sh" /lib/kpng/patch-cycle.sh
	guest_env FIXES "${FIXES[*]}"
	GUEST_LOG=fixes guest_boot "$DEBIAN_PATCHES/fixes-cycle.sh"
}

mkdir -p "$SCRATCH"
check "103-meminfo-line: kpatch-build -d against the Debian kernel" build 103-meminfo-line -d
check "103-meminfo-line: the unstripped copy beside the stripped module" unstripped 103-meminfo-line
check "104-long-klp-name: kpatch-build against the Debian kernel" build 104-long-klp-name
check "104-long-klp-name: the long klp symbol, no placeholder left" long_name
check "105-shared-global: kpatch-build against the Debian kernel" build 105-shared-global
check "106-module-static-local: kpatch-build against the Debian kernel" build 106-module-static-local
check "107-ipv6-datagram: kpatch-build against the Debian kernel" build 107-ipv6-datagram
check "108-gup-fast: kpatch-build against the Debian kernel" build 108-gup-fast
check "each loaded, checked, disabled, unloaded in one boot of the Debian kernel; the loaded sections" cycle
test_done
