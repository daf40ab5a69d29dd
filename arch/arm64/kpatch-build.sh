# shellcheck shell=bash
#
# arch/arm64/kpatch-build.sh - what kpatch-build must know of arm64
# kernels, sourced by kpatch-build/lib/module.sh (arch_facts) when the
# target is arm64.  Each arch's fragment defines the same names.

# Linux 6.12 runs objtool on no arm64 object: nothing of it to strip or
# to leave uncompared.
# shellcheck disable=SC2034 # read by kpatch-build/lib/module.sh
KPB_ARCH_OBJTOOL_SECTIONS=()
