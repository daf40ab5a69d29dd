# shellcheck shell=bash
#
# arch/x86_64/kpatch-build.sh - what kpatch-build must know of x86_64
# kernels, sourced by kpatch-build/lib/module.sh (arch_facts) when the
# target is x86_64.  Each arch's fragment defines the same names.

# What objtool writes into an object on x86_64: return, call and
# retpoline sites, IBT seal list, static call sites, ORC.
# shellcheck disable=SC2034 # read by kpatch-build/lib/module.sh
KPB_ARCH_OBJTOOL_SECTIONS=(.return_sites .call_sites .retpoline_sites .ibt_endbr_seal
	.static_call_sites .orc_unwind .orc_unwind_ip .orc_header)
