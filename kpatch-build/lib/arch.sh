# shellcheck shell=bash
#
# arch.sh - the target architecture of kpatch-build.  Its facts (kbuild's
# ARCH=, the usual cross-compiler prefix, whether kbuild runs objtool on
# the linked module) live in arch/ and come from `create-diff-object
# --arch-info`; nothing here names an architecture.
#
# The architecture is, first found: --arch, the environment's ARCH
# (kbuild's convention: ARCH=arm64), the ELF machine of -v's vmlinux, the
# host's (uname -m).  When -v is given, it must be the vmlinux's.  The
# cross-compiler prefix is the environment's CROSS_COMPILE when set (even
# empty), none when the target is the host's architecture, else the
# architecture's usual one (aarch64-linux-gnu-).
#
#	arch_select WANT	set KPB_ARCH, KPB_KARCH, KPB_CROSS and
#				KPB_OBJTOOL_CONFIGS (WANT: --arch's value,
#				or '')

# arch_info WHAT: create-diff-object --arch-info WHAT into KPB_AI_* (one
# variable per key); dies with its message when it knows no such arch.
arch_info() {
	local out line
	out=$("$KPB_CDO" --arch-info "$1" 2>&1) || die "${out#create-diff-object: error: }"
	KPB_AI_name='' KPB_AI_kernel_arch='' KPB_AI_cross_compile='' KPB_AI_uname=''
	KPB_AI_module_objtool_configs=''
	while IFS= read -r line; do
		case ${line%%=*} in
		name | kernel_arch | cross_compile | uname | module_objtool_configs)
			printf -v "KPB_AI_${line%%=*}" '%s' "${line#*=}" ;;
		esac
	done <<<"$out"
	[ -n "$KPB_AI_name" ] || die "create-diff-object --arch-info $1 printed no name"
}

arch_select() {
	local want=$1 from vm host
	if [ -n "$want" ]; then
		from="--arch $want"
	elif [ -n "${ARCH:-}" ]; then
		want=$ARCH from="ARCH=$ARCH"
	elif [ -n "$KPB_VMLINUX" ]; then
		want=$KPB_VMLINUX from=
	else
		want=$(uname -m) from="the host's architecture"
	fi
	arch_info "$want"
	if [ -n "$KPB_VMLINUX" ] && [ -n "$from" ]; then
		vm=$KPB_AI_name
		arch_info "$KPB_VMLINUX"
		[ "$KPB_AI_name" = "$vm" ] ||
			die "architecture mismatch: $from is $vm, but $KPB_VMLINUX (-v) is $KPB_AI_name"
	fi
	# shellcheck disable=SC2034 # read by kpatch-build's other files
	KPB_ARCH=$KPB_AI_name KPB_KARCH=$KPB_AI_kernel_arch
	# shellcheck disable=SC2034 # read by lib/module.sh
	KPB_OBJTOOL_CONFIGS=$KPB_AI_module_objtool_configs
	host=$(uname -m)
	if [ -n "${CROSS_COMPILE+set}" ]; then
		KPB_CROSS=$CROSS_COMPILE
	elif [ "$KPB_AI_uname" = "$host" ]; then
		KPB_CROSS=
	else
		KPB_CROSS=$KPB_AI_cross_compile
	fi
	[ -n "${CC:-}" ] || command -v "${KPB_CROSS}gcc" >/dev/null ||
		die "no ${KPB_CROSS}gcc to build for $KPB_ARCH on this $host host: install it (Debian: gcc-${KPB_AI_cross_compile%-}), or set CROSS_COMPILE"
}
