# shellcheck shell=bash
#
# debian-update.sh - Debian's next kernel source: the newest
# linux-source-6.12 that Debian's suites carrying 6.12 offer beyond the
# installed one (Debian 12 gets its 6.12 from Debian 13's: 6.12.117-1~deb12u1
# is trixie's 6.12.117-1 rebuilt), for triaging a whole stable update
# (test/bench/sweep.sh).  Fetched with `apt-get download` under a private
# apt configuration of its own (lib/debian-apt.sh), so the machine's apt
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
# newer than the installed package.  Needs lib/common.sh, lib/kernel.sh,
# lib/debian.sh and lib/debian-apt.sh.  After debian_update_ensure:
#	DEBIAN_UPDATE_OLD	the installed version (6.12.117-1~deb12u1)
#	DEBIAN_UPDATE_VERSION	the newer one found (6.12.118-1)
#	DEBIAN_UPDATE_SRC	its unpacked source tree

# The suites that carry Debian's 6.12 kernels.
DEBIAN_UPDATE_SUITES=("debian trixie" "debian trixie-updates" "debian-security trixie-security")

# debian_update_find: refresh the private indexes and set
# DEBIAN_UPDATE_VERSION to the newest linux-source-6.12 newer than the
# installed one.
debian_update_find() {
	local v newer=()
	DEBIAN_UPDATE_APT=$(kernel_cache_root)/debian-update/apt
	DEBIAN_UPDATE_OLD=$(dpkg-query -W -f='${Version}' "$DEBIAN_SOURCE_PACKAGE" 2>/dev/null) ||
		die "package $DEBIAN_SOURCE_PACKAGE is not installed: run scripts/install-deps.sh"
	debian_apt_update "$DEBIAN_UPDATE_APT" debian-update "${DEBIAN_UPDATE_SUITES[@]}"
	while read -r v; do
		! dpkg --compare-versions "$v" gt "$DEBIAN_UPDATE_OLD" || newer+=("$v")
	done < <(debian_apt_versions "$DEBIAN_UPDATE_APT" "$DEBIAN_SOURCE_PACKAGE")
	debian_apt_unlock
	DEBIAN_UPDATE_VERSION=$(debian_apt_newest "${newer[@]}")
	[ -n "$DEBIAN_UPDATE_VERSION" ] ||
		die "debian-update: ${DEBIAN_UPDATE_SUITES[*]} offer no $DEBIAN_SOURCE_PACKAGE newer than the installed $DEBIAN_UPDATE_OLD"
}

# debian_update_ensure: find the newer version; download and unpack it
# unless the cache holds it.
debian_update_ensure() {
	debian_update_find
	DEBIAN_UPDATE_DIR=$(kernel_cache_root)/debian-update/$(printf '%s' "$DEBIAN_UPDATE_VERSION" |
		tr -c 'A-Za-z0-9.+-' '_')
	# shellcheck disable=SC2034 # for the sourcing script (sweep.sh)
	DEBIAN_UPDATE_SRC=$DEBIAN_UPDATE_DIR/src
	cache_fill "$DEBIAN_UPDATE_DIR" debian-update debian_update_fill
}

# debian_update_fill: download, check, unpack, stamp (the lock held).
debian_update_fill() {
	debian_apt_fill_source "$DEBIAN_UPDATE_APT" debian-update "$DEBIAN_SOURCE_PACKAGE" \
		"$DEBIAN_UPDATE_VERSION" "$DEBIAN_UPDATE_DIR" "newer than: $DEBIAN_UPDATE_OLD"
}
