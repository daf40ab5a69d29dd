# shellcheck shell=bash
#
# debian-apt.sh - apt-get and apt-cache against Debian suites that the
# machine's apt sources do not name, without touching those sources or the
# machine's apt state: a private apt configuration of its own per user of
# it (sources list signed by Debian's archive key, its own lists and cache
# directories, an empty dpkg status, no preferences), and the fetch of a
# linux-source-X.Y package's tree through it.  Nothing is installed.
#
#	DIR/			one private configuration (the caller's):
#		sources.list, sources.list.d/, preferences.d/,
#		lists/, cache/, status (empty), update.log
#	DIR.lock		held while apt-get runs in DIR, so that an
#				update never rewrites lists another run reads
#
# Used by lib/debian-update.sh (the next 6.12 of trixie's suites) and
# lib/source7.sh (the newest 7.x of trixie-backports).  Needs
# lib/common.sh and lib/debian.sh (debian_step).

DEBIAN_APT_MIRROR=${DEBIAN_APT_MIRROR:-${DEBIAN_UPDATE_MIRROR:-http://deb.debian.org}}
DEBIAN_APT_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# debian_apt DIR PROGRAM ARGS...: apt-get or apt-cache under the private
# configuration DIR only.
debian_apt() {
	local d=$1 prog=$2
	shift 2
	"$prog" -o Dir::Etc::SourceList="$d/sources.list" \
		-o Dir::Etc::SourceParts="$d/sources.list.d" \
		-o Dir::Etc::Preferences="$d/preferences" \
		-o Dir::Etc::PreferencesParts="$d/preferences.d" \
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" \
		-o Dir::State::status="$d/status" -o Acquire::Languages=none \
		-o APT::Architecture=amd64 -o APT::Architectures=amd64 "$@"
}

# debian_apt_update DIR WHAT SUITE...: write DIR's sources list, each
# SUITE "ARCHIVE SUITE" ("debian trixie-backports", "debian-security
# trixie-security"), main only, and refresh its indexes; WHAT names the
# caller in messages.  Takes DIR.lock; debian_apt_unlock releases it once
# the caller has read what it needs from the indexes.
debian_apt_update() {
	local d=$1 what=$2 s log
	shift 2
	[ -f "$DEBIAN_APT_KEYRING" ] ||
		die "$what: no $DEBIAN_APT_KEYRING: install debian-archive-keyring"
	mkdir -p "$d"/{lists/partial,cache/archives/partial,sources.list.d,preferences.d}
	exec {DEBIAN_APT_LOCKFD}>"$d.lock"
	flock "$DEBIAN_APT_LOCKFD"
	: >"$d/status"
	for s in "$@"; do
		echo "deb [signed-by=$DEBIAN_APT_KEYRING] $DEBIAN_APT_MIRROR/${s% *} ${s#* } main"
	done >"$d/sources.list"
	log=$d/update.log
	: >"$log"
	debian_step "$log" debian_apt "$d" apt-get update ||
		die "$what: apt-get update of $* failed; log: $log"
}

# debian_apt_unlock: release the lock debian_apt_update took.
debian_apt_unlock() {
	exec {DEBIAN_APT_LOCKFD}>&-
}

# debian_apt_versions DIR PACKAGE: every version of PACKAGE the indexes of
# DIR offer, one a line.
debian_apt_versions() {
	debian_apt "$1" apt-cache madison "$2" | awk -F' *[|] *' '{ print $2 }'
}

# debian_apt_newest VERSION...: the newest of the versions (dpkg's order);
# nothing when there are none.
debian_apt_newest() {
	local v best=
	for v in "$@"; do
		[ -z "$best" ] || dpkg --compare-versions "$v" gt "$best" || continue
		best=$v
	done
	[ -z "$best" ] || echo "$best"
}

# debian_apt_fill_source APTDIR WHAT PACKAGE VERSION DIR STAMP...: fill the
# cache directory DIR with PACKAGE=VERSION's tree (debian_apt_fetch_source
# below, into DIR/src; its output in DIR/log), then write DIR/stamp last:
# the package, each STAMP line, when it was filled.  Called with DIR's
# cache lock held (cache_fill).
debian_apt_fill_source() {
	local apt=$1 what=$2 pkg=$3 ver=$4 dir=$5 t0
	shift 5
	t0=$(now)
	rm -rf "$dir"
	mkdir -p "$dir"
	: >"$dir/log"
	status "$what: fetching $pkg $ver into $dir (log: $dir/log)"
	debian_apt_fetch_source "$apt" "$what" "$pkg" "$ver" "$dir" "$dir/log"
	{
		echo "package: $pkg $ver"
		printf '%s\n' "$@"
		echo "filled: $(date -u '+%Y-%m-%d %H:%M:%S UTC') in $(elapsed "$t0")"
	} >"$dir/stamp.tmp"
	mv "$dir/stamp.tmp" "$dir/stamp"
	status "$what: $pkg $ver ready in $(elapsed "$t0"): $dir/src"
}

# debian_apt_fetch_source APTDIR WHAT PACKAGE VERSION DIR LOG: download
# PACKAGE=VERSION (a linux-source-X.Y) through APTDIR into DIR, check its
# version, unpack it with dpkg-deb -x, then its tarball
# usr/src/PACKAGE.tar.xz, and leave the tree as DIR/src (with its
# Makefile); the .deb and the rest of its files are removed.  Output goes
# to LOG; WHAT names the caller in messages.
debian_apt_fetch_source() {
	local apt=$1 what=$2 pkg=$3 ver=$4 dir=$5 log=$6 deb v rc=0 lockfd
	rm -rf "$dir/deb" "$dir/root" "$dir/unpack" "$dir/src"
	mkdir -p "$dir/deb" "$dir/root" "$dir/unpack"
	exec {lockfd}>"$apt.lock"
	flock "$lockfd"
	(cd "$dir/deb" && debian_step "$log" debian_apt "$apt" apt-get download "$pkg=$ver") || rc=$?
	exec {lockfd}>&-
	[ "$rc" -eq 0 ] ||
		die "$what: apt-get download $pkg=$ver failed; log: $log"
	deb=$(echo "$dir/deb/${pkg}_"*.deb)
	[ -f "$deb" ] || die "$what: apt-get download left no .deb in $dir/deb"
	v=$(dpkg-deb -f "$deb" Version)
	[ "$v" = "$ver" ] || die "$what: $deb is version $v, not $ver"
	debian_step "$log" dpkg-deb -x "$deb" "$dir/root" ||
		die "$what: dpkg-deb -x $deb failed; log: $log"
	[ -f "$dir/root/usr/src/$pkg.tar.xz" ] ||
		die "$what: $deb holds no usr/src/$pkg.tar.xz"
	debian_step "$log" tar -xf "$dir/root/usr/src/$pkg.tar.xz" -C "$dir/unpack" ||
		die "$what: unpacking $dir/root/usr/src/$pkg.tar.xz failed; log: $log"
	[ -f "$dir/unpack/$pkg/Makefile" ] ||
		die "$what: $deb's tarball has no $pkg/Makefile"
	mv "$dir/unpack/$pkg" "$dir/src"
	rm -rf "$dir/unpack" "$dir/root" "$dir/deb"
}
