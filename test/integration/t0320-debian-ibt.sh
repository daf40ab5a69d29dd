#!/usr/bin/env bash
# t0320-debian-ibt: a kpatch-build livepatch is right for Debian's IBT,
# retpoline, return-thunk, static-call, ORC kernel, in its tables and in
# the running kernel.  Two patches of patches-debian/:
#
#   101-ibt-cmdline: new code with an indirect call, direct calls, a
#     static call (cond_resched()), a return, a new global function whose
#     address is not taken and a new static one called through a
#     function pointer.  Built with -R (it stacks on 102).
#   102-orc-pipe-read: a changed pipe_read(), where a `cat` of a FIFO
#     sleeps.
#
# On the host, each module's tables for the patch's own functions (what
# objtool wrote when kbuild linked the module: kpatch-build's diff objects
# carry none of their own on an IBT kernel) are exactly NAME.tables
# (ko_tables below: each function's first instruction, every
# .retpoline_sites, .return_sites, .call_sites, .static_call_sites and
# .ibt_endbr_seal entry in it with the instruction there, and its ORC
# entries as Debian's objtool dumps them).  What they say:
#   - every function starts with ENDBR64 (GCC's -fcf-protection=branch:
#     global or address-taken functions get one; the changed functions
#     are address-taken in the kernel, e.g. through their seq_file ops);
#   - .ibt_endbr_seal lists kpng_ibt_direct (global, only called
#     directly) and nothing else: not kpng_ibt_strlen (its address is in
#     kpng_ibt_op), not the changed functions (their addresses are in
#     .livepatch.funcs; the livepatch core enters them through ftrace's
#     return, the handler having changed the saved instruction pointer,
#     not by an indirect call or jump: they need no ENDBR, keeping it is
#     harmless);
#   - the indirect calls are `call __x86_indirect_thunk_rax` in
#     .retpoline_sites, the returns `jmp __x86_return_thunk` in
#     .return_sites, the direct calls (__fentry__ included; not the tail
#     calls, JMPs, nor the static calls) in .call_sites;
#   - cond_resched() is `call __SCT__cond_resched` in .static_call_sites
#     with the trampoline as its key: __SCK__cond_resched is not exported
#     but __SCT__cond_resched is (EXPORT_STATIC_CALL_TRAMP), so it is an
#     ordinary undefined symbol, not a klp relocation, and objtool lists
#     the site (a call of a trampoline only reachable through a klp
#     relocation is to a .klp.sym symbol, which objtool does not take for
#     a static call: an ordinary call through the trampoline); 102's
#     pipe_read has one too (might_resched(), PREEMPT_DYNAMIC's part of
#     might_sleep());
#   - ORC covers each function from its __pfx_ padding to its end.
#
# In the guest (Debian's vmlinuz; ibt-orc.guest.sh, no-orc.guest.sh): what
# the module loader made of the code, read back through /proc/kcore
# (ktext.prog.c), and the stack walks of /proc/PID/stack and of the
# livepatch core's consistency model through the livepatch's code, with
# and without its ORC tables.  qemu's TCG does not emulate CET, so IBT is
# compiled in but off: an ENDBR missing where an indirect call lands
# would not fault here; it is checked in the tables and in the bytes.
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
IBT=101-ibt-cmdline
ORC=102-orc-pipe-read
IBT_KO=$SCRATCH/$IBT/livepatch-$IBT.ko
ORC_KO=$SCRATCH/$ORC/livepatch-$ORC.ko
NO_ORC_KO=$SCRATCH/no-orc/livepatch-$ORC.ko

# ko_tables KO: the tables above, for the functions of KO's .text.NAME
# sections (the diff objects'; the module template's code is in .text,
# .init.text and .exit.text).  Offsets are from the function's symbol.
ko_tables() {
	local ko=$1 s
	{
		readelf -SW "$ko" | sed -n 's/^ *\[ *\([0-9]*\)\] \([^ ]*\) .*/S \1 \2/p'
		readelf -sW "$ko" | awk '$4 == "FUNC" { print "F", $7, $2, $3, $8 }'
		readelf -rW "$ko" | awk '
			/^Relocation section/ { sec = $3; gsub(/\047/, "", sec); next }
			NF == 7 && $1 ~ /^[0-9a-f]+$/ { print "R", sec, $1, $5, $6 $7 }
			NF == 5 && $1 ~ /^[0-9a-f]+$/ { print "R", sec, $1, $5, "+0" }'
		for s in $(readelf -SW "$ko" | sed -n 's/^ *\[ *[0-9]*\] \(\.text\.[^ ]*\) .*/\1/p'); do
			objdump -dr -w --no-show-raw-insn --section="$s" "$ko" | awk -v s="$s" '
				/^ *[0-9a-f]+:\t/ {
					a = $1; sub(/:$/, "", a)
					i = $2
					if (match($0, /R_X86_64_[A-Z0-9_]+[ \t]+[^ \t]+/)) {
						t = substr($0, RSTART, RLENGTH)
						sub(/^[^ \t]+[ \t]+/, "", t); sub(/-0x4$/, "", t)
						i = i " " t
					}
					print "I", s, a, i
				}'
		done
	} | awk '
	function hex(x,   i, v) {
		v = 0
		x = tolower(x)
		sub(/^0x/, "", x)
		for (i = 1; i <= length(x); i++)
			v = v * 16 + index("0123456789abcdef", substr(x, i, 1)) - 1
		return v
	}
	$1 == "S" { secname[$2] = $3 }
	$1 == "F" && $5 !~ /^__pfx_/ {
		fsec[$5] = secname[$2]; fval[$5] = hex($3); fsize[$5] = $4 + 0; funcs[++nf] = $5
	}
	$1 == "R" { rel[++nr] = $0; if ($2 == ".rela.static_call_sites") key[hex($3)] = $4 $5 }
	$1 == "I" { insn[$2 " " hex($3)] = substr($0, index($0, $4)) }
	END {
		for (i = 1; i <= nf; i++) {
			f = funcs[i]
			if (fsec[f] !~ /^\.text\./)
				continue
			bysec[fsec[f]] = f
			printf "%s: %s+0x%x, %d bytes, first instruction %s\n",
				f, fsec[f], fval[f], fsize[f], insn[fsec[f] " " fval[f]]
		}
		n = split(".retpoline_sites .return_sites .call_sites .static_call_sites .ibt_endbr_seal", tabs, " ")
		for (t = 1; t <= n; t++)
			for (j = 1; j <= nr; j++) {
				split(rel[j], r, " ")
				if (r[2] != ".rela" tabs[t] || !(r[4] in bysec))
					continue
				f = bysec[r[4]]
				a = hex(substr(r[5], 2))
				line = sprintf("%s: %s+0x%x: %s", tabs[t], f, a - fval[f], insn[r[4] " " a])
				if (tabs[t] == ".static_call_sites")
					line = line ", key " key[hex(r[3]) + 4]
				print line
			}
	}'
	# Debian's objtool (of its headers package) runs its arch's binary.
	SRCARCH=x86 "$DEBIAN_HEADERS/tools/objtool/objtool" --dump=orc "$ko" |
		sed -n 's/^\(\.text\.[^+]*+\)/.orc_unwind: \1/p'
}

# build NAME ARGS...: kpatch-build NAME with ARGS against the Debian
# kernel; it reports NAME.expect, the module has Debian's vermagic and its
# tables are NAME.tables.
build() {
	local name=$1
	shift
	debian_build_patch "$name" "$DEBIAN_PATCHES/$name.patch" "$DEBIAN_PATCHES/$name.expect" "$@"
	ko_tables "$SCRATCH/$name/livepatch-$name.ko" >"$SCRATCH/$name.tables"
	diff -u "$DEBIAN_PATCHES/$name.tables" "$SCRATCH/$name.tables"
}

# no_orc: 102's module without its ORC tables (the control), else the same.
no_orc() {
	mkdir -p "${NO_ORC_KO%/*}"
	objcopy --remove-section=.orc_unwind --remove-section=.orc_unwind_ip \
		--remove-section=.rela.orc_unwind_ip "$ORC_KO" "$NO_ORC_KO"
	if readelf -SW "$NO_ORC_KO" | grep -E '\.orc_unwind'; then
		die "$NO_ORC_KO still has ORC tables"
	fi
	# Its code and everything else is the module's.
	cmp <(objdump -d --section=.text.pipe_read "$ORC_KO" | tail -n +3) \
		<(objdump -d --section=.text.pipe_read "$NO_ORC_KO" | tail -n +3)
	[ "$(modinfo -F name "$NO_ORC_KO")" = "$(kpb_patch_name "$ORC")" ]
}

# boot GUEST_SCRIPT ORC_MODULE [CMDLINE_ARG...]: both livepatches and
# ktext in a guest running GUEST_SCRIPT.
boot() {
	local script=$1 orc_ko=$2
	shift 2
	gcc -static -O2 -Wall -Werror -o "$SCRATCH/ktext" "$DEBIAN_PATCHES/ktext.prog.c"
	guest_new
	guest_add "$SCRATCH/ktext" /bin/ktext 0755
	guest_add "$orc_ko" "/lib/modules/${ORC_KO##*/}"
	guest_add "$IBT_KO" "/lib/modules/${IBT_KO##*/}"
	guest_env ORC_KO "/lib/modules/${ORC_KO##*/}"
	guest_env ORC_NAME "$(kpb_patch_name "$ORC")"
	guest_env IBT_KO "/lib/modules/${IBT_KO##*/}"
	guest_env IBT_NAME "$(kpb_patch_name "$IBT")"
	GUEST_LOG=${script%.guest.sh} guest_boot "$DEBIAN_PATCHES/$script" "$@"
}

check "$ORC: kpatch-build against the Debian kernel, its tables" build "$ORC"
check "$IBT: kpatch-build -R against the Debian kernel, its tables" build "$IBT" -R
check "ENDBR, sites, static call and ORC in the running kernel; stack walks through the livepatch" \
	boot ibt-orc.guest.sh "$ORC_KO"
check "$ORC without ORC: its copy" no_orc
check "without ORC the stack walks stop at the livepatch; loader with spectre_v2=off" \
	boot no-orc.guest.sh "$NO_ORC_KO" spectre_v2=off
test_done
