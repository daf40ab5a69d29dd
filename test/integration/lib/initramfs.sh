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

INITRAMFS_BUSYBOX=${KPNG_BUSYBOX:-/bin/busybox}

# initramfs_new DIR: a fresh archive description in DIR (emptied first).
initramfs_new() {
	local dir=$1 applet d
	[ -x "$INITRAMFS_BUSYBOX" ] ||
		die "no static busybox at $INITRAMFS_BUSYBOX: install busybox-static (scripts/install-deps.sh)"
	rm -rf "$dir"
	mkdir -p "$dir"
	: >"$dir/env"
	{
		for d in /bin /dev /proc /sys /tmp /root /lib /lib/kpng /lib/modules; do
			echo "dir $d 0755 0 0"
		done
		echo "nod /dev/console 0600 0 0 c 5 1"
		echo "file /bin/busybox $INITRAMFS_BUSYBOX 0755 0 0"
		# Every applet as /bin/NAME; PATH is /bin in the guest.
		while read -r applet; do
			[ "$applet" = busybox ] || echo "slink /bin/$applet busybox 0777 0 0"
		done < <("$INITRAMFS_BUSYBOX" --list)
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
