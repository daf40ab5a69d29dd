# shellcheck shell=bash
#
# debian-update.sh - Debian's next kernel source: the newest
# linux-source-6.12 that Debian's suites carrying 6.12 offer beyond the
# installed one (Debian 12 gets its 6.12 from Debian 13's: 6.12.117-1~deb12u1
# is trixie's 6.12.117-1 rebuilt), for triaging a whole stable update
# (test/bench/sweep.sh).  Fetched with `apt-get download` under a private
# apt configuration of its own (sources list signed by Debian's archive
# key, its own lists and cache, an empty dpkg status), so the machine's apt
# sources and state are left as they are; nothing is installed.  Cache:
#
#	$root/debian-update/apt/	the private apt configuration:
#		sources.list, lists/, cache/, status (empty)
#	$root/debian-update/apt.lock	held while apt-get update runs
#	$root/debian-update/$VERSION/	(~ in VERSION becomes _)
#		src/		the package's tarball, unpacked: the newer tree
#		log		apt-get and tar output of the fill
#		stamp		written last: its presence means "complete"
#
# No version is pinned: each debian_update_ensure asks the suites afresh
# (apt-get update, about 10 MB of indexes) and takes the newest version
# newer than the installed package.  Needs lib/common.sh, lib/kernel.sh
# and lib/debian.sh (debian_step).  After debian_update_ensure:
#	DEBIAN_UPDATE_OLD	the installed version (6.12.117-1~deb12u1)
#	DEBIAN_UPDATE_VERSION	the newer one found (6.12.118-1)
#	DEBIAN_UPDATE_SRC	its unpacked source tree

DEBIAN_UPDATE_MIRROR=${DEBIAN_UPDATE_MIRROR:-http://deb.debian.org}
DEBIAN_UPDATE_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# The suites that carry Debian's 6.12 kernels.
DEBIAN_UPDATE_SUITES=("debian trixie" "debian trixie-updates" "debian-security trixie-security")

# debian_update_apt PROGRAM ARGS...: apt-get or apt-cache under the
# private configuration only.
debian_update_apt() {
	local prog=$1 d=$DEBIAN_UPDATE_APT
	shift
	"$prog" -o Dir::Etc::SourceList="$d/sources.list" \
		-o Dir::Etc::SourceParts="$d/sources.list.d" \
		-o Dir::Etc::Preferences="$d/preferences" \
		-o Dir::Etc::PreferencesParts="$d/preferences.d" \
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" \
		-o Dir::State::status="$d/status" -o Acquire::Languages=none \
		-o APT::Architecture=amd64 -o APT::Architectures=amd64 "$@"
}

# debian_update_find: refresh the private indexes and set
# DEBIAN_UPDATE_VERSION to the newest linux-source-6.12 newer than the
# installed one.
debian_update_find() {
	local root lockfd s v log
	root=$(kernel_cache_root)/debian-update
	DEBIAN_UPDATE_APT=$root/apt
	DEBIAN_UPDATE_OLD=$(dpkg-query -W -f='${Version}' "$DEBIAN_SOURCE_PACKAGE" 2>/dev/null) ||
		die "package $DEBIAN_SOURCE_PACKAGE is not installed: run scripts/install-deps.sh"
	[ -f "$DEBIAN_UPDATE_KEYRING" ] ||
		die "no $DEBIAN_UPDATE_KEYRING: install debian-archive-keyring"
	mkdir -p "$DEBIAN_UPDATE_APT"/{lists/partial,cache/archives/partial,sources.list.d,preferences.d}
	exec {lockfd}>"$root/apt.lock"
	flock "$lockfd"
	: >"$DEBIAN_UPDATE_APT/status"
	for s in "${DEBIAN_UPDATE_SUITES[@]}"; do
		echo "deb [signed-by=$DEBIAN_UPDATE_KEYRING] $DEBIAN_UPDATE_MIRROR/${s% *} ${s#* } main"
	done >"$DEBIAN_UPDATE_APT/sources.list"
	log=$DEBIAN_UPDATE_APT/update.log
	: >"$log"
	debian_step "$log" debian_update_apt apt-get update ||
		die "debian-update: apt-get update of ${DEBIAN_UPDATE_SUITES[*]} failed; log: $log"
	DEBIAN_UPDATE_VERSION=
	while read -r v; do
		dpkg --compare-versions "$v" gt "$DEBIAN_UPDATE_OLD" || continue
		[ -z "$DEBIAN_UPDATE_VERSION" ] ||
			dpkg --compare-versions "$v" gt "$DEBIAN_UPDATE_VERSION" ||
			continue
		DEBIAN_UPDATE_VERSION=$v
	done < <(debian_update_apt apt-cache madison "$DEBIAN_SOURCE_PACKAGE" |
		awk -F' *[|] *' '{ print $2 }')
	exec {lockfd}>&-
	[ -n "$DEBIAN_UPDATE_VERSION" ] ||
		die "debian-update: ${DEBIAN_UPDATE_SUITES[*]} offer no $DEBIAN_SOURCE_PACKAGE newer than the installed $DEBIAN_UPDATE_OLD"
}

# debian_update_ensure: find the newer version; download and unpack it
# unless the cache holds it.
debian_update_ensure() {
	debian_update_find
	DEBIAN_UPDATE_DIR=$(kernel_cache_root)/debian-update/$(printf '%s' "$DEBIAN_UPDATE_VERSION" |
		tr -c 'A-Za-z0-9.+-' '_')
	DEBIAN_UPDATE_SRC=$DEBIAN_UPDATE_DIR/src
	cache_fill "$DEBIAN_UPDATE_DIR" debian-update debian_update_fill
}

# debian_update_fill: download, check, unpack, stamp (the lock held).
debian_update_fill() {
	local t0 dir=$DEBIAN_UPDATE_DIR deb v log tarball
	t0=$(now)
	rm -rf "$dir"
	mkdir -p "$dir/deb"
	log=$dir/log
	: >"$log"
	status "debian-update: fetching $DEBIAN_SOURCE_PACKAGE $DEBIAN_UPDATE_VERSION into $dir (log: $log)"
	(cd "$dir/deb" && debian_step "$log" debian_update_apt apt-get download \
		"$DEBIAN_SOURCE_PACKAGE=$DEBIAN_UPDATE_VERSION") ||
		die "debian-update: apt-get download $DEBIAN_SOURCE_PACKAGE=$DEBIAN_UPDATE_VERSION failed; log: $log"
	deb=$(echo "$dir/deb/${DEBIAN_SOURCE_PACKAGE}_"*.deb)
	[ -f "$deb" ] || die "debian-update: apt-get download left no .deb in $dir/deb"
	v=$(dpkg-deb -f "$deb" Version)
	[ "$v" = "$DEBIAN_UPDATE_VERSION" ] ||
		die "debian-update: $deb is version $v, not $DEBIAN_UPDATE_VERSION"
	tarball=./usr/src/$DEBIAN_SOURCE_PACKAGE.tar.xz
	mkdir -p "$dir/unpack"
	# shellcheck disable=SC2016 # expanded by that bash
	debian_step "$log" bash -o pipefail -c \
		'dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" "$3" && tar -xf "$2/$3" -C "$2"' \
		_ "$deb" "$dir/unpack" "$tarball" ||
		die "debian-update: unpacking $deb failed; log: $log"
	[ -f "$dir/unpack/$DEBIAN_SOURCE_PACKAGE/Makefile" ] ||
		die "debian-update: $deb's tarball has no $DEBIAN_SOURCE_PACKAGE/Makefile"
	mv "$dir/unpack/$DEBIAN_SOURCE_PACKAGE" "$DEBIAN_UPDATE_SRC"
	rm -rf "$dir/unpack" "$dir/deb"
	{
		echo "package: $DEBIAN_SOURCE_PACKAGE $DEBIAN_UPDATE_VERSION"
		echo "newer than: $DEBIAN_UPDATE_OLD"
		echo "filled: $(date -u '+%Y-%m-%d %H:%M:%S UTC') in $(elapsed "$t0")"
	} >"$dir/stamp.tmp"
	mv "$dir/stamp.tmp" "$dir/stamp"
	status "debian-update: $DEBIAN_SOURCE_PACKAGE $DEBIAN_UPDATE_VERSION ready in $(elapsed "$t0"): $DEBIAN_UPDATE_SRC"
}
