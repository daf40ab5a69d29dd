# shellcheck shell=bash
#
# debian.sh - Debian's own kernel, as its packages ship it: the boot image,
# the modules, the vmlinux with symbols and debug info, the headers to
# build modules against.  Downloaded with `apt-get download` (nothing is
# installed) and unpacked once into a cache outside the checkout:
#
#	$root/debian/$VERSION-$FLAVOUR/	(~ in VERSION becomes _)
#		root/		the packages' files at their installed paths:
#				boot/vmlinuz-R, boot/config-R, lib/modules/R/,
#				usr/lib/debug/boot/vmlinux-R (only that of the
#				-dbg package), usr/src/linux-headers-R/ (its
#				Makefile points at the -common headers here,
#				not in /usr/src), usr/src/linux-headers-ABI-common/,
#				usr/lib/linux-kbuild-ABI/
#		log		apt-get and unpack output of the last fill
#		stamp		written last: its presence means "complete"
#
# root is the cache root of lib/kernel.sh ($KPATCH_NG_CACHE, default
# ~/.cache/kpatch-ng).  A directory without a stamp is an interrupted fill
# and is redone from scratch; a lock file beside it serialises concurrent
# runs.  The downloaded .deb files are deleted once unpacked (the -dbg one
# alone is 318 MB).
#
# The packages' version must be the one of the installed linux-source-6.12
# (the source that kpatch-build compiles the patched functions from):
# debian_ensure refuses a mismatch.  The Debian archive keeps only the
# newest version of a package, so once Debian publishes a newer 6.12 both
# DEBIAN_VERSION here and linux-source-6.12 move on together.
#
# Needs lib/common.sh and lib/kernel.sh.  After debian_ensure:
#	DEBIAN_RELEASE	the kernel release, `uname -r` (6.12.117+deb12-cloud-amd64)
#	DEBIAN_VMLINUZ	the boot image
#	DEBIAN_VMLINUX	the vmlinux with symbols and debug info (-dbg)
#	DEBIAN_CONFIG	the .config the kernel was built with (the headers')
#	DEBIAN_SYMVERS	its Module.symvers (with CRCs: CONFIG_MODVERSIONS=y)
#	DEBIAN_MODULES	lib/modules/$DEBIAN_RELEASE: the modules, as .ko.xz
#	DEBIAN_HEADERS	the headers tree to build modules against (make -C)

# The one place that names the Debian kernel.  The ABI name is the
# upstream version + the distribution: 6.12.117-1~deb12u1 -> 6.12.117+deb12.
DEBIAN_VERSION=6.12.117-1~deb12u1
DEBIAN_FLAVOUR=cloud-amd64
DEBIAN_SOURCE_PACKAGE=linux-source-6.12

# debian_locate: set the DEBIAN_* variables (builds nothing).
debian_locate() {
	local dist=${DEBIAN_VERSION##*~}
	DEBIAN_ABI=${DEBIAN_VERSION%%-*}+${dist%u*}
	DEBIAN_RELEASE=$DEBIAN_ABI-$DEBIAN_FLAVOUR
	DEBIAN_DIR=$(kernel_cache_root)/debian/$(printf '%s' "$DEBIAN_VERSION" |
		tr -c 'A-Za-z0-9.+-' '_')-$DEBIAN_FLAVOUR
	local r=$DEBIAN_DIR/root
	DEBIAN_VMLINUZ=$r/boot/vmlinuz-$DEBIAN_RELEASE
	DEBIAN_VMLINUX=$r/usr/lib/debug/boot/vmlinux-$DEBIAN_RELEASE
	DEBIAN_HEADERS=$r/usr/src/linux-headers-$DEBIAN_RELEASE
	DEBIAN_CONFIG=$DEBIAN_HEADERS/.config
	DEBIAN_SYMVERS=$DEBIAN_HEADERS/Module.symvers
	DEBIAN_MODULES=$r/lib/modules/$DEBIAN_RELEASE
	DEBIAN_PACKAGES=(
		"linux-image-$DEBIAN_RELEASE-unsigned"
		"linux-image-$DEBIAN_RELEASE-dbg"
		"linux-headers-$DEBIAN_RELEASE"
		"linux-headers-$DEBIAN_ABI-common"
		"linux-kbuild-$DEBIAN_ABI"
	)
}

# debian_check_source: the installed linux-source-6.12 is DEBIAN_VERSION.
debian_check_source() {
	local have
	have=$(dpkg-query -W -f='${Version}' "$DEBIAN_SOURCE_PACKAGE" 2>/dev/null) ||
		die "package $DEBIAN_SOURCE_PACKAGE is not installed: run scripts/install-deps.sh"
	[ "$have" = "$DEBIAN_VERSION" ] ||
		die "$DEBIAN_SOURCE_PACKAGE is $have but the Debian kernel packages are $DEBIAN_VERSION (lib/debian.sh): a livepatch must be built from the source of the kernel it patches; set DEBIAN_VERSION in lib/debian.sh to $have (apt-cache policy linux-image-$DEBIAN_RELEASE-unsigned)"
}

# debian_ensure: locate the Debian kernel, downloading and unpacking it
# first unless the cache already holds it.
debian_ensure() {
	debian_locate
	debian_check_source
	cache_fill "$DEBIAN_DIR" debian debian_fill
}

# debian_step LOG COMMAND...: run COMMAND with its output appended to LOG;
# on failure show LOG's tail and return 1.
debian_step() {
	local log=$1 rc=0
	shift
	echo "=== $*" >>"$log"
	"$@" >>"$log" 2>&1 </dev/null || rc=$?
	[ "$rc" -eq 0 ] && return 0
	show_tail "$log" 20
	warn "debian: '$*' failed (exit status $rc); log: $log"
	return 1
}

# debian_fill: download, check, unpack, stamp.  Called with the lock held.
debian_fill() {
	local t0 t log deb p v r=$DEBIAN_DIR/root debs=$DEBIAN_DIR/debs size
	t0=$(now)
	rm -rf "$DEBIAN_DIR"
	mkdir -p "$debs" "$r"
	log=$DEBIAN_DIR/log
	: >"$log"
	status "debian: fetching $DEBIAN_RELEASE $DEBIAN_VERSION into $DEBIAN_DIR (log: $log)"

	t=$(now)
	local want=()
	for p in "${DEBIAN_PACKAGES[@]}"; do
		want+=("$p=$DEBIAN_VERSION")
	done
	(cd "$debs" && debian_step "$log" apt-get download "${want[@]}") ||
		die "debian: apt-get download failed: is $DEBIAN_VERSION still in the archive? (apt-get update; apt-cache policy ${DEBIAN_PACKAGES[0]})"
	for p in "${DEBIAN_PACKAGES[@]}"; do
		deb=$(echo "$debs/${p}_"*.deb)
		[ -f "$deb" ] || die "debian: apt-get download left no $p in $debs"
		v=$(dpkg-deb -f "$deb" Version)
		[ "$v" = "$DEBIAN_VERSION" ] ||
			die "debian: $deb is version $v, not $DEBIAN_VERSION"
	done
	size=$(du -sm "$debs" | cut -f1)
	status "debian: stage download: $(elapsed "$t"), $size MB in ${#DEBIAN_PACKAGES[@]} packages"

	t=$(now)
	for p in "${DEBIAN_PACKAGES[@]}"; do
		case $p in
		*-dbg) continue ;;
		esac
		deb=$(echo "$debs/${p}_"*.deb)
		debian_step "$log" dpkg-deb -x "$deb" "$r" ||
			die "debian: unpacking $deb failed"
	done
	# The flavour's Makefile includes the -common one by its installed
	# path (include /usr/src/linux-headers-ABI-common/Makefile).
	sed -i -e "s|^include /usr/src/|include $r/usr/src/|" "$DEBIAN_HEADERS/Makefile"
	grep -q "^include $r/usr/src/linux-headers-$DEBIAN_ABI-common/Makefile\$" \
		"$DEBIAN_HEADERS/Makefile" ||
		die "debian: unexpected $DEBIAN_HEADERS/Makefile: $(cat "$DEBIAN_HEADERS/Makefile")"
	status "debian: stage unpack: $(elapsed "$t"), image, modules, headers: $(du -sm "$r" | cut -f1) MB"

	# The -dbg package is 1.8 GB unpacked: take only the vmlinux (tar
	# still reads the whole stream, so this is most of the time).
	t=$(now)
	deb=$(echo "$debs/linux-image-$DEBIAN_RELEASE-dbg_"*.deb)
	# shellcheck disable=SC2016 # expanded by that bash
	debian_step "$log" bash -o pipefail -c \
		'dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" "./${3#/}"' \
		_ "$deb" "$r" "${DEBIAN_VMLINUX#"$r"}" ||
		die "debian: extracting the vmlinux of $deb failed"
	status "debian: stage vmlinux: $(elapsed "$t"), $(du -sm "$DEBIAN_VMLINUX" | cut -f1) MB"

	rm -rf "$debs"
	for p in "$DEBIAN_VMLINUZ" "$DEBIAN_VMLINUX" "$DEBIAN_CONFIG" "$DEBIAN_SYMVERS" \
		"$DEBIAN_MODULES/kernel/fs/binfmt_misc.ko.xz" "$DEBIAN_HEADERS/scripts/basic/fixdep"; do
		[ -f "$p" ] || die "debian: the packages left no $p"
	done
	debian_check_vmlinux

	{
		echo "version: $DEBIAN_VERSION"
		echo "release: $DEBIAN_RELEASE"
		printf 'package: %s\n' "${DEBIAN_PACKAGES[@]}"
		echo "downloaded: $size MB"
		echo "filled: $(date -u '+%Y-%m-%d %H:%M:%S UTC') in $(elapsed "$t0")"
	} >"$DEBIAN_DIR/stamp.tmp"
	mv "$DEBIAN_DIR/stamp.tmp" "$DEBIAN_DIR/stamp"
	status "debian: $DEBIAN_RELEASE ready in $(elapsed "$t0"): $DEBIAN_DIR"
}

# debian_image_version IMAGE: the version string of an x86 bzImage (its
# setup header's kernel_version: "RELEASE (BY@HOST) UTS_VERSION").
debian_image_version() {
	local off
	off=$(od -An -j 0x20e -N 2 -t u2 "$1" | tr -d ' ')
	dd if="$1" bs=1 skip=$((0x200 + off)) count=256 status=none | tr '\0' '\n' | head -n 1
}

# debian_check_vmlinux: the -dbg vmlinux and the vmlinuz are one build of
# DEBIAN_RELEASE and DEBIAN_VERSION: the vmlinux's linux_banner holds the
# release and the vmlinuz's `uname -v` (with the build date).  Neither has
# a GNU build ID to compare.
debian_check_vmlinux() {
	local zver uts banner found="" rodata=$DEBIAN_DIR/rodata.tmp
	zver=$(debian_image_version "$DEBIAN_VMLINUZ")
	uts=${zver#*) }
	case $zver in
	"$DEBIAN_RELEASE "*"Debian $DEBIAN_VERSION "*) ;;
	*) die "debian: $DEBIAN_VMLINUZ is '$zver', not $DEBIAN_RELEASE of Debian $DEBIAN_VERSION" ;;
	esac
	objcopy --dump-section .rodata="$rodata" "$DEBIAN_VMLINUX" /dev/null ||
		die "debian: cannot read .rodata of $DEBIAN_VMLINUX"
	while read -r banner; do
		case $banner in
		"Linux version $DEBIAN_RELEASE ("*") $uts") found=$banner ;;
		esac
	done < <(grep -a -o 'Linux version [^[:cntrl:]]*' "$rodata")
	rm -f "$rodata"
	[ -n "$found" ] ||
		die "debian: $DEBIAN_VMLINUX has no linux_banner of the vmlinuz's build ('$zver')"
}

# debian_vm_setup: vm_run (lib/vm.sh) boots the Debian kernel from now
# on, on the machine a distribution's kernel needs.  Needs debian_ensure.
# shellcheck disable=SC2034 # for lib/vm.sh
debian_vm_setup() {
	VM_IMAGE=$DEBIAN_VMLINUZ
	VM_QEMU_ARGS=("${ARCH_DISTRO_QEMU_ARGS[@]}")
}

# debian_build_module DIR SOURCE.c...: build each SOURCE as an out-of-tree
# module DIR/NAME.ko against the Debian headers (make -C DEBIAN_HEADERS
# M=DIR; Debian's gcc-12 and its kbuild tools); output in DIR/build.log,
# shown on failure.  Needs debian_ensure.
debian_build_module() {
	local dir=$1
	shift
	build_modules "$dir" "$DEBIAN_HEADERS" make -C "$DEBIAN_HEADERS" -- "$@"
}

# --- kpatch-build against the Debian kernel (t0310, t0320) -----------------
# Need lib/kpatch-build.sh (KPB_BIN, kpb_patch_name), debian_ensure and,
# for guests, debian_vm_setup.
#
#	debian_kpb NAME ARGS...	kpatch-build's fast path (-v) against the
#				Debian kernel: its config, vmlinux,
#				Module.symvers and modules (.ko.xz); -o
#				$SCRATCH/NAME ARGS..., output in
#				$SCRATCH/NAME.log; its exit status
#	debian_build_patch NAME PATCH EXPECT [ARG...]
#				debian_kpb NAME ARGS... PATCH, which must report
#				exactly the lines of EXPECT and write a module
#				with Debian's vermagic; the log is shown
#	debian_cycle_patch NAME PATCH_CHECKS [PROG.c]
#				debian_kpb_cycle of NAME's module, with
#				PROG.c (if not empty) built with gcc -static at
#				/lib/kpng/NAME.prog
#	debian_kpb_cycle NAME KO PATCH_CHECKS [FILE GUEST_PATH]...
#				kpb_cycle's guest on the Debian kernel:
#				patch-cycle.sh inside
#				patches-debian/debian-cycle.sh, which also
#				checks the taint; binfmt_misc.ko.xz of the
#				package is /lib/modules/binfmt_misc.ko
#				(guest scripts name it so; busybox insmod
#				finds the xz format by its magic number)

debian_kpb() {
	local name=$1 rc=0
	shift
	mkdir -p "$SCRATCH/$name"
	"$KPB_BIN" -s "$KERNEL_SRC" -c "$DEBIAN_CONFIG" -v "$DEBIAN_VMLINUX" \
		--symvers "$DEBIAN_SYMVERS" --modules "$DEBIAN_MODULES" \
		-o "$SCRATCH/$name" "$@" >"$SCRATCH/$name.log" 2>&1 || rc=$?
	return "$rc"
}

debian_kpb_cycle() {
	KPB_CYCLE_DRIVER=$BENCH_ROOT/patches-debian/debian-cycle.sh kpb_cycle "$@" \
		"$DEBIAN_MODULES/kernel/fs/binfmt_misc.ko.xz" /lib/modules/binfmt_misc.ko \
		"$BENCH_ROOT/guest/patch-cycle.sh" /lib/kpng/patch-cycle.sh
}

debian_build_patch() {
	local name=$1 patch=$2 expect=$3 ko vermagic
	shift 3
	ko=$SCRATCH/$name/livepatch-$name.ko
	debian_kpb "$name" "$@" "$patch" || {
		cat "$SCRATCH/$name.log"
		die "kpatch-build failed"
	}
	cat "$SCRATCH/$name.log"
	[ -f "$ko" ] || die "no $ko"
	sed -n 's/^kpatch-build:   //p' "$SCRATCH/$name.log" >"$SCRATCH/$name.reported"
	diff -u "$expect" "$SCRATCH/$name.reported"
	vermagic=$(modinfo -F vermagic "$ko")
	[ "$vermagic" = "$DEBIAN_RELEASE SMP preempt mod_unload modversions " ] ||
		die "vermagic '$vermagic' is not the Debian kernel's"
}

debian_cycle_patch() {
	local name=$1 checks=$2 prog=${3:-} extra=()
	if [ -n "$prog" ]; then
		gcc -static -O2 -o "$SCRATCH/$name.prog" "$prog"
		extra+=("$SCRATCH/$name.prog" "/lib/kpng/$name.prog")
	fi
	# The CPUs its checks need (patch_cpus, lib/kpatch-build.sh: NAME.cpus).
	VM_SMP=$(patch_cpus "$name") GUEST_LOG=$name debian_kpb_cycle "$name" \
		"$SCRATCH/$name/livepatch-$name.ko" "$checks" "${extra[@]}"
}
