# shellcheck shell=bash
#
# kernel.sh - the cached test kernel of the VM test bench.
#
# Builds a small kernel from Debian's linux-source-6.12 tarball (or, with
# KERNEL_SERIES=7, from the newest linux-source-7.* of trixie-backports:
# lib/source7.sh) with tinyconfig + config/common.config +
# config/$ARCH.config (+ config/series-$KERNEL_SERIES.config and
# config/$ARCH-series-$KERNEL_SERIES.config, where there are such), once
# per key, in a cache outside the checkout:
#
#	$root/kernel/$ARCH-$pkgver-$key12/
#		src/		the extracted source, pristine: every build
#				uses O=, so other builds (-ffunction-sections
#				trees, out-of-tree modules with M=) can reuse it
#				(series 7: not here; the tree of lib/source7.sh,
#				pristine too, which every arch's kernel shares)
#		build/		the O= tree: .config, vmlinux, the boot image,
#				modules, Module.symvers
#		build.log	output of the last cold build
#		key		the text the key is a hash of
#		stamp		written last: its presence means "complete";
#				holds the key and the checked config values
#
# root is $KPATCH_NG_CACHE, else $XDG_CACHE_HOME/kpatch-ng, else
# ~/.cache/kpatch-ng.  The key hashes the package version, both config
# fragments, the arch, the compiler's version line and KERNEL_BENCH_FORMAT
# (bump it when the layout or the way of building changes).  A directory
# without a stamp is an interrupted build: its build/ is redone from
# scratch (src/ is moved into place only once fully extracted).  A lock
# file beside the directory serialises concurrent runs.
#
# KERNEL_SERIES (a test file sets it before test-lib.sh, or the
# environment's KPNG_KERNEL_SERIES): 6.12 (the default) or 7.  Needs
# lib/common.sh and lib/arch.sh (arch_setup done), and for series 7
# lib/debian.sh, lib/debian-apt.sh and lib/source7.sh (test-lib.sh sources
# them).  After kernel_ensure, these describe the kernel:
#	KERNEL_DIR	the cache directory above
#	KERNEL_SRC	$KERNEL_DIR/src
#	KERNEL_BUILD	$KERNEL_DIR/build
#	KERNEL_IMAGE	the boot image (bzImage) in KERNEL_BUILD

KERNEL_BENCH_FORMAT=1
KERNEL_SERIES=${KERNEL_SERIES:-${KPNG_KERNEL_SERIES:-6.12}}
# Fixed build identity: uname -v and init/version.o do not depend on who
# built when, so builds of one source compare.  The timestamp must parse
# with `date -d` (usr/gen_initramfs.sh uses it).
KERNEL_BUILD_IDENTITY=(
	'KBUILD_BUILD_TIMESTAMP=Thu Jan  1 00:00:00 UTC 1970'
	KBUILD_BUILD_USER=kpatch-ng
	KBUILD_BUILD_HOST=kpatch-ng
)

# kernel_cache_root: the cache root directory (not created).
kernel_cache_root() {
	echo "${KPATCH_NG_CACHE:-${XDG_CACHE_HOME:-${HOME:?is not set: set KPATCH_NG_CACHE}/.cache}/kpatch-ng}"
}

# kernel_source: set KERNEL_PACKAGE and KERNEL_PKGVER, the source package
# of KERNEL_SERIES and its version, and KERNEL_TARBALL (6.12: the installed
# package's tarball, extracted into the kernel's src/) or KERNEL_TREE
# (7: lib/source7.sh's unpacked tree, fetched first unless cached).
kernel_source() {
	KERNEL_TARBALL=
	KERNEL_TREE=
	case $KERNEL_SERIES in
	6.12)
		KERNEL_PACKAGE=linux-source-6.12
		KERNEL_TARBALL=/usr/src/$KERNEL_PACKAGE.tar.xz
		KERNEL_PKGVER=$(dpkg-query -W -f='${Version}' "$KERNEL_PACKAGE" 2>/dev/null) ||
			die "package $KERNEL_PACKAGE is not installed: run scripts/install-deps.sh"
		;;
	7)
		source7_ensure
		KERNEL_PACKAGE=$SOURCE7_PACKAGE
		KERNEL_PKGVER=$SOURCE7_VERSION
		KERNEL_TREE=$SOURCE7_SRC
		;;
	*) die "KERNEL_SERIES=$KERNEL_SERIES: the bench knows 6.12 and 7" ;;
	esac
}

# kernel_fragments: the config fragments of $ARCH_NAME (and of
# KERNEL_SERIES and KERNEL_VARIANT, when a test file sets them before
# test-lib.sh), in merge order: what the cache key hashes.
kernel_fragments() {
	echo "$BENCH_ROOT/config/common.config"
	echo "$BENCH_ROOT/config/$ARCH_NAME.config"
	local f
	for f in "series-$KERNEL_SERIES" "$ARCH_NAME-series-$KERNEL_SERIES"; do
		[ ! -f "$BENCH_ROOT/config/$f.config" ] || echo "$BENCH_ROOT/config/$f.config"
	done
	[ -z "${KERNEL_VARIANT:-}" ] || echo "$BENCH_ROOT/config/variant-$KERNEL_VARIANT.config"
}

# kernel_config_fragments: kernel_fragments, then the fragment a variant
# writes into KERNEL_DIR at build time (paths that depend on the
# directory, which the key names): what configure merges and checks.
kernel_config_fragments() {
	kernel_fragments
	[ ! -f "$KERNEL_DIR/variant.config" ] || echo "$KERNEL_DIR/variant.config"
}

# kernel_variant_prepare: what a variant needs before configure.  "sig":
# the key pair the kernel trusts (kpatch-keygen), named by
# CONFIG_MODULE_SIG_KEY; t0400 signs with KERNEL_DIR/trusted/.
kernel_variant_prepare() {
	rm -f "$KERNEL_DIR/variant.config"
	case ${KERNEL_VARIANT:-} in
	"") ;;
	sig)
		rm -rf "$KERNEL_DIR/trusted"
		kernel_stage keygen "$BENCH_ROOT/../../kpatch-build/kpatch-keygen" \
			-o "$KERNEL_DIR/trusted" --cn "kpatch-ng test kernel trusted key"
		echo "CONFIG_MODULE_SIG_KEY=\"$KERNEL_DIR/trusted/signing_key.pem\"" \
			>"$KERNEL_DIR/variant.config"
		;;
	*) die "KERNEL_VARIANT=$KERNEL_VARIANT: no config/variant-$KERNEL_VARIANT.config" ;;
	esac
}

# kernel_key_text: the text the cache key is a hash of.
kernel_key_text() {
	local cc_version frag
	cc_version=$("${ARCH_CROSS_COMPILE}gcc" --version | head -n 1)
	echo "bench-format: $KERNEL_BENCH_FORMAT"
	echo "package: $KERNEL_PACKAGE $KERNEL_PKGVER"
	echo "arch: $ARCH_NAME"
	echo "compiler: $cc_version"
	while read -r frag; do
		[ -f "$frag" ] || die "missing config fragment $frag"
		echo "fragment: ${frag##*/}"
		cat "$frag"
	done < <(kernel_fragments)
}

# kernel_locate: set KERNEL_DIR, KERNEL_SRC, KERNEL_BUILD, KERNEL_IMAGE
# from the current key; builds nothing.
kernel_locate() {
	local text key pkgver
	kernel_source
	text=$(kernel_key_text)
	key=$(printf '%s\n' "$text" | sha256sum)
	key=${key:0:12}
	# "6.12.117-1~deb12u1" -> "6.12.117-1_deb12u1": no shell or make
	# metacharacters in a path that make and Kbuild will see.
	pkgver=$(printf '%s' "$KERNEL_PKGVER" | tr -c 'A-Za-z0-9.+-' '_')
	KERNEL_DIR=$(kernel_cache_root)/kernel/$ARCH_NAME${KERNEL_VARIANT:+-$KERNEL_VARIANT}-$pkgver-$key
	KERNEL_SRC=${KERNEL_TREE:-$KERNEL_DIR/src}
	KERNEL_BUILD=$KERNEL_DIR/build
	KERNEL_IMAGE=$KERNEL_BUILD/$ARCH_IMAGE
	KERNEL_KEY_TEXT=$text
}

# kernel_make_argv OBJTREE: set the array KERNEL_MAKE_ARGV to the make
# command for the test kernel's source with O=OBJTREE, for $ARCH_NAME.
# Needs kernel_locate.
kernel_make_argv() {
	KERNEL_MAKE_ARGV=(make -C "$KERNEL_SRC" O="$1" ARCH="$ARCH_KERNEL"
		"${KERNEL_BUILD_IDENTITY[@]}")
	[ -z "$ARCH_CROSS_COMPILE" ] ||
		KERNEL_MAKE_ARGV+=(CROSS_COMPILE="$ARCH_CROSS_COMPILE")
}

# kernel_make OBJTREE ARGS...: run that make with ARGS, e.g.
# `kernel_make "$KERNEL_BUILD" M=$dir modules` for an out-of-tree module.
kernel_make() {
	kernel_make_argv "$1"
	shift
	"${KERNEL_MAKE_ARGV[@]}" "$@"
}

# kernel_ensure: locate the test kernel of $ARCH_NAME, building it first
# unless the cache already holds it.
kernel_ensure() {
	local lock lockfd
	kernel_locate
	[ -f "$KERNEL_DIR/stamp" ] && return 0

	mkdir -p "${KERNEL_DIR%/*}"
	lock=$KERNEL_DIR.lock
	exec {lockfd}>"$lock"
	if ! flock -n "$lockfd"; then
		status "waiting for another build of $KERNEL_DIR (lock $lock)"
		flock "$lockfd"
	fi
	# The other run may have finished it while we waited.
	if [ ! -f "$KERNEL_DIR/stamp" ]; then
		kernel_build_all
	fi
	exec {lockfd}>&-
}

# kernel_stage NAME COMMAND...: run COMMAND (a program, not a function)
# with its output appended to the build log; on failure print the log's
# tail and die.  COMMAND runs in a session of its own, so kernel_stop can
# end it with all its children (make, gcc) when this script gets INT or
# TERM: a trap runs only once `wait` returns, not while a foreground
# command does.
KERNEL_STAGE_PID=
kernel_stage() {
	local name=$1 rc=0
	shift
	echo "=== $name: $*" >>"$KERNEL_LOG"
	setsid "$@" >>"$KERNEL_LOG" 2>&1 </dev/null &
	KERNEL_STAGE_PID=$!
	wait "$KERNEL_STAGE_PID" || rc=$?
	KERNEL_STAGE_PID=
	if [ "$rc" -ne 0 ]; then
		show_tail "$KERNEL_LOG" 40
		die "test kernel: $name failed (exit status $rc); full log: $KERNEL_LOG"
	fi
}

# kernel_stop: end a kernel_stage in progress (for INT/TERM traps); the
# directory stays without its stamp, so the next run redoes the build.
kernel_stop() {
	if [ -n "${KERNEL_STAGE_PID:-}" ]; then
		kill -TERM -- "-$KERNEL_STAGE_PID" 2>/dev/null || true
		wait "$KERNEL_STAGE_PID" 2>/dev/null || true
		KERNEL_STAGE_PID=
	fi
}

# kernel_build_all: extract (unless src/ is complete), configure, build,
# check, stamp.  Called with the lock held.
kernel_build_all() {
	local t0 t tmp
	t0=$(now)
	mkdir -p "$KERNEL_DIR"
	KERNEL_LOG=$KERNEL_DIR/build.log
	: >"$KERNEL_LOG"
	printf '%s\n' "$KERNEL_KEY_TEXT" >"$KERNEL_DIR/key"
	status "building the test kernel in $KERNEL_DIR (log: $KERNEL_LOG)"

	if [ -n "$KERNEL_TREE" ]; then
		status "stage extract: $KERNEL_PACKAGE's tree $KERNEL_TREE"
	elif [ ! -d "$KERNEL_SRC" ]; then
		[ -r "$KERNEL_TARBALL" ] ||
			die "cannot read $KERNEL_TARBALL: install $KERNEL_PACKAGE (scripts/install-deps.sh)"
		t=$(now)
		rm -rf "$KERNEL_DIR"/src.tmp.*
		tmp=$KERNEL_DIR/src.tmp.$$
		mkdir "$tmp"
		kernel_stage extract tar -xJf "$KERNEL_TARBALL" -C "$tmp" --strip-components=1
		if [ ! -f "$tmp/Makefile" ] || [ ! -d "$tmp/samples/livepatch" ]; then
			die "$KERNEL_TARBALL does not hold a kernel source tree with samples/livepatch"
		fi
		mv "$tmp" "$KERNEL_SRC"
		status "stage extract: $(elapsed "$t")"
	else
		status "stage extract: reusing $KERNEL_SRC"
	fi

	# No stamp: whatever is in build/ is from an interrupted run.
	rm -rf "$KERNEL_BUILD"
	mkdir -p "$KERNEL_BUILD"
	t=$(now)
	kernel_variant_prepare
	kernel_configure
	status "stage config: $(elapsed "$t")"

	t=$(now)
	kernel_make_argv "$KERNEL_BUILD"
	kernel_stage build "${KERNEL_MAKE_ARGV[@]}" -j"$(nproc)" \
		"$ARCH_IMAGE_TARGET" modules
	[ -f "$KERNEL_IMAGE" ] || die "the build left no $KERNEL_IMAGE; see $KERNEL_LOG"
	[ -f "$KERNEL_BUILD/vmlinux" ] || die "the build left no vmlinux; see $KERNEL_LOG"
	[ -f "$KERNEL_BUILD/Module.symvers" ] ||
		die "the build left no Module.symvers; see $KERNEL_LOG"
	status "stage build: $(elapsed "$t")"

	{
		printf '%s\n' "$KERNEL_KEY_TEXT" | sed -n -e '/^fragment:/q' -e p
		echo "checked config:"
		kernel_checked_values
		echo "built: $(date -u '+%Y-%m-%d %H:%M:%S UTC') in $(elapsed "$t0")"
	} >"$KERNEL_DIR/stamp.tmp"
	mv "$KERNEL_DIR/stamp.tmp" "$KERNEL_DIR/stamp"
	status "test kernel ready in $(elapsed "$t0"): $KERNEL_DIR"
}

# kernel_configure: tinyconfig, merge the fragments, olddefconfig, check.
kernel_configure() {
	local frags
	mapfile -t frags < <(kernel_config_fragments)
	kernel_make_argv "$KERNEL_BUILD"
	kernel_stage tinyconfig "${KERNEL_MAKE_ARGV[@]}" tinyconfig
	# merge_config.sh -m only edits .config (it writes temporary files to
	# the working directory, so run it in the build tree).
	kernel_stage merge_config \
		env -C "$KERNEL_BUILD" "$KERNEL_SRC/scripts/kconfig/merge_config.sh" \
		-m .config "${frags[@]}"
	kernel_stage olddefconfig "${KERNEL_MAKE_ARGV[@]}" olddefconfig
	kernel_check_config "$KERNEL_BUILD/.config" "${frags[@]}"
}

# kernel_fragment_lines FRAGMENT...: each option of the fragments as
# "CONFIG_X=value" or "CONFIG_X is not set", later fragments last.  An
# option set again by a later fragment counts with that value only, as
# merge_config.sh merges it (config/arm64.config turns off common.config's
# CONFIG_LIVEPATCH=y).
kernel_fragment_lines() {
	sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*=.*\)$/\1/p' \
		-e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1 is not set/p' "$@" |
		tac | awk '{ opt = $1; sub(/=.*/, "", opt) } !seen[opt]++' | tac
}

# kernel_check_config CONFIG FRAGMENT...: every option of the fragments has
# the requested value in CONFIG; die naming each one that has not.
kernel_check_config() {
	local config=$1 line opt want got bad=0
	shift
	while read -r line; do
		case $line in
		*" is not set")
			opt=${line% is not set}
			want=n
			;;
		*)
			opt=${line%%=*}
			want=${line#*=}
			;;
		esac
		got=$(kernel_config_value "$config" "$opt")
		if [ "$got" != "$want" ]; then
			warn "config: $opt is '$got', the fragments ask for '$want' (see its depends on/select in Kconfig, or whether it exists)"
			bad=$((bad + 1))
		fi
	done < <(kernel_fragment_lines "$@")
	[ "$bad" -eq 0 ] ||
		die "config: $bad option(s) of $* did not take; see $config and the olddefconfig output in $KERNEL_LOG"
}

# kernel_config_value CONFIG OPTION: the value of OPTION in CONFIG, "n" when
# it is not set or absent.
kernel_config_value() {
	local v
	v=$(sed -n -e "s/^$2=//p" "$1")
	echo "${v:-n}"
}

# kernel_checked_values: "CONFIG_X=value" for every fragment option, as
# built (the record of what was verified, e.g. CONFIG_X86_KERNEL_IBT=y).
kernel_checked_values() {
	local frags line opt
	mapfile -t frags < <(kernel_config_fragments)
	kernel_fragment_lines "${frags[@]}" | while read -r line; do
		opt=${line%% *}
		opt=${opt%%=*}
		echo "$opt=$(kernel_config_value "$KERNEL_BUILD/.config" "$opt")"
	done
}

# kernel_build_module DIR SOURCE.c...: build each SOURCE as an out-of-tree
# module DIR/NAME.ko against the test kernel (make -C src O=build M=DIR);
# the output goes to DIR/build.log, printed on failure.  Needs
# kernel_ensure.
kernel_build_module() {
	local dir=$1
	shift
	build_modules "$dir" "the test kernel" kernel_make "$KERNEL_BUILD" -- "$@"
}
