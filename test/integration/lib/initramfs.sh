# shellcheck shell=bash
#
# initramfs.sh - the guest's root file system: a gzip'd newc cpio archive
# with a static busybox (every applet a symlink in /bin), /init
# (guest/init), the guest helper library (guest/lib.sh at
# /lib/kpng/lib.sh), plus whatever the caller adds: the per-test /test.sh,
# modules, helper files.
#
#	initramfs_new DIR			start an archive description in DIR
#	initramfs_add DIR FILE DEST [MODE]	add host FILE as guest path DEST
#	initramfs_env DIR NAME VALUE		export NAME=VALUE to the guest
#						scripts (/lib/kpng/env)
#	initramfs_pack DIR OUT			write the archive to OUT
#
# The archive is written by the kernel's own usr/gen_init_cpio (built with
# the test kernel) from a text list in DIR/list: no staging copy, no root
# (owners and the /dev/console node are just list entries), and one
# process instead of one `ln` per busybox applet, so a pack takes a few
# tens of milliseconds.  Needs lib/kernel.sh (kernel_ensure done).
#
# The busybox is Debian's busybox-static for the guest's arch ($ARCH_DEB):
# the host's /bin/busybox when that is the host's arch, else the package
# of that arch, downloaded with `apt-get download` (nothing is installed;
# needs `dpkg --add-architecture ARCH_DEB`, see scripts/install-deps.sh)
# and unpacked once into the cache of lib/kernel.sh:
#
#	$root/busybox/$ARCH_DEB/
#		root/bin/busybox	the package's files
#		log			apt-get and dpkg-deb output
#		stamp			written last, "complete": the package
#					and version
#
# The version is the one apt offered then; delete the directory for a
# newer one (asking apt each time takes seconds).
#
# KPNG_BUSYBOX overrides the choice.  A busybox the host cannot run has no
# `busybox --list` here: its archive holds /bin/sh and guest/init makes
# the other applet links at boot (`busybox --install -s /bin`).

INITRAMFS_BUSYBOX=

# initramfs_busybox: set INITRAMFS_BUSYBOX (once) and INITRAMFS_NATIVE
# (true when the host runs it).
initramfs_busybox() {
	local host
	[ -z "$INITRAMFS_BUSYBOX" ] || return 0
	host=$(dpkg --print-architecture)
	if [ -n "${KPNG_BUSYBOX:-}" ]; then
		INITRAMFS_BUSYBOX=$KPNG_BUSYBOX
		INITRAMFS_NATIVE=false
		"$INITRAMFS_BUSYBOX" true 2>/dev/null && INITRAMFS_NATIVE=true
	elif [ "$ARCH_DEB" = "$host" ]; then
		INITRAMFS_BUSYBOX=/bin/busybox
		INITRAMFS_NATIVE=true
	else
		initramfs_busybox_fetch "$ARCH_DEB"
		INITRAMFS_NATIVE=false
	fi
	[ -x "$INITRAMFS_BUSYBOX" ] ||
		die "no static busybox at $INITRAMFS_BUSYBOX: install busybox-static (scripts/install-deps.sh)"
}

# initramfs_busybox_fetch DEBARCH: set INITRAMFS_BUSYBOX to the cached
# busybox-static:DEBARCH, downloading and unpacking it first unless the
# cache holds it.
initramfs_busybox_fetch() {
	local arch=$1 pkg=busybox-static:$1 dir lockfd deb got
	dir=$(kernel_cache_root)/busybox/$arch
	INITRAMFS_BUSYBOX=$dir/root/bin/busybox
	[ -f "$dir/stamp" ] && return 0

	mkdir -p "${dir%/*}"
	exec {lockfd}>"$dir.lock"
	flock "$lockfd"
	if [ ! -f "$dir/stamp" ]; then
		status "busybox: fetching $pkg into $dir"
		rm -rf "$dir"
		mkdir -p "$dir/deb"
		(cd "$dir/deb" && apt-get download "$pkg") >"$dir/log" 2>&1 || {
			show_tail "$dir/log" 20
			die "busybox: apt-get download $pkg failed (log: $dir/log): does apt know the $arch architecture? run scripts/install-deps.sh (as root: dpkg --add-architecture $arch && apt-get update)"
		}
		deb=$(echo "$dir"/deb/busybox-static_*.deb)
		[ -f "$deb" ] || die "busybox: apt-get download left no .deb in $dir/deb"
		got=$(dpkg-deb -f "$deb" Architecture)
		[ "$got" = "$arch" ] || die "busybox: $deb is for $got, not $arch"
		dpkg-deb -x "$deb" "$dir/root" >>"$dir/log" 2>&1 ||
			die "busybox: unpacking $deb failed; log: $dir/log"
		[ -x "$INITRAMFS_BUSYBOX" ] || die "busybox: $deb has no /bin/busybox"
		echo "$pkg $(dpkg-deb -f "$deb" Version)" >"$dir/stamp"
		rm -rf "$dir/deb"
	fi
	exec {lockfd}>&-
}

# initramfs_new DIR: a fresh archive description in DIR (emptied first).
initramfs_new() {
	local dir=$1 applet d
	initramfs_busybox
	rm -rf "$dir"
	mkdir -p "$dir"
	: >"$dir/env"
	{
		for d in /bin /dev /proc /sys /tmp /root /lib /lib/kpng /lib/modules; do
			echo "dir $d 0755 0 0"
		done
		echo "nod /dev/console 0600 0 0 c 5 1"
		echo "file /bin/busybox $INITRAMFS_BUSYBOX 0755 0 0"
		# Every applet as /bin/NAME; PATH is /bin in the guest.  Only
		# /bin/sh (for /init) when the host cannot run this busybox:
		# guest/init installs the others.
		if "$INITRAMFS_NATIVE"; then
			while read -r applet; do
				[ "$applet" = busybox ] || echo "slink /bin/$applet busybox 0777 0 0"
			done < <("$INITRAMFS_BUSYBOX" --list)
		else
			echo "slink /bin/sh busybox 0777 0 0"
		fi
		echo "file /init $BENCH_ROOT/guest/init 0755 0 0"
		echo "file /lib/kpng/lib.sh $BENCH_ROOT/guest/lib.sh 0644 0 0"
		echo "file /lib/kpng/env $dir/env 0644 0 0"
	} >"$dir/list"
}

# initramfs_add DIR FILE DEST [MODE]: add FILE (read at pack time) as DEST,
# an absolute guest path, with MODE (default: 0755 if FILE is executable,
# else 0644).  Missing parent directories are added too.
initramfs_add() {
	local dir=$1 file=$2 dest=$3 mode=${4:-} parent parents=()
	case $dest in
	/*) ;;
	*) die "initramfs_add: guest path '$dest' is not absolute" ;;
	esac
	case $file$dest in
	*[[:space:]]*) die "initramfs_add: '$file' -> '$dest': no spaces in paths, please" ;;
	esac
	[ -f "$file" ] || die "initramfs_add: no file $file"
	if [ -z "$mode" ]; then
		mode=0644
		[ ! -x "$file" ] || mode=0755
	fi
	parent=${dest%/*}
	while [ -n "$parent" ]; do
		parents=("$parent" "${parents[@]}")
		parent=${parent%/*}
	done
	for parent in "${parents[@]}"; do
		grep -q -x -F "dir $parent 0755 0 0" "$dir/list" ||
			echo "dir $parent 0755 0 0" >>"$dir/list"
	done
	echo "file $dest $(realpath "$file") $mode 0 0" >>"$dir/list"
}

# initramfs_env DIR NAME VALUE: the guest scripts see $NAME = VALUE (any
# text; single-quoted for busybox ash here).
initramfs_env() {
	printf "%s='%s'\n" "$2" "${3//\'/\'\\\'\'}" >>"$1/env"
}

# initramfs_pack DIR OUT: write the archive to OUT (through a temporary
# file: no partial OUT on failure).
initramfs_pack() {
	local dir=$1 out=$2
	local gen=$KERNEL_BUILD/usr/gen_init_cpio
	[ -x "$gen" ] || die "no $gen: the test kernel build is incomplete"
	grep -q '^file /test.sh ' "$dir/list" || die "initramfs_pack: $dir/list has no /test.sh"
	# -t 0: fixed timestamps, so one input always gives one archive.
	if ! "$gen" -t 0 "$dir/list" | gzip -1 -n >"$out.tmp"; then
		rm -f "$out.tmp"
		die "initramfs_pack: $gen -t 0 $dir/list failed"
	fi
	mv "$out.tmp" "$out"
}
