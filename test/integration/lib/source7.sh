# shellcheck shell=bash
#
# source7.sh - the Linux 7.x source tree of the bench: the newest
# linux-source-7.* that Debian's trixie-backports offers (7.3.4-1~bpo13+1
# when this was written), fetched with `apt-get download` under a private
# apt configuration (lib/debian-apt.sh: the machine's apt sources and
# state are left as they are; nothing is installed) and unpacked once into
# the cache:
#
#	$root/source7/apt/		the private apt configuration
#	$root/source7/apt.lock		held while apt-get runs there
#	$root/source7/$VERSION/		(~ in VERSION becomes _)
#		src/		the package's tarball, unpacked (pristine:
#				builds use O=)
#		log		apt-get, dpkg-deb and tar output of the fill
#		stamp		written last: its presence means "complete"
#	$root/source7/$VERSION.lock	held while it fills
#
# root is the cache root of lib/kernel.sh ($KPATCH_NG_CACHE, default
# ~/.cache/kpatch-ng).  No version is pinned: the archive keeps only the
# newest backport, so each source7_ensure asks the suite afresh and takes
# the newest version of any linux-source-7.N package.  Needs
# lib/common.sh, lib/kernel.sh (kernel_cache_root), lib/debian.sh
# (debian_step) and lib/debian-apt.sh.  After source7_ensure:
#	SOURCE7_PACKAGE	the package (linux-source-7.3)
#	SOURCE7_VERSION	its version (7.3.4-1~bpo13+1)
#	SOURCE7_DIR	the cache directory above
#	SOURCE7_SRC	$SOURCE7_DIR/src, the unpacked tree

SOURCE7_SUITE="debian trixie-backports"

# source7_find: refresh the private indexes; set SOURCE7_PACKAGE and
# SOURCE7_VERSION to the newest linux-source-7.N the suite offers.
source7_find() {
	local apt p v best='' bestpkg=''
	apt=$(kernel_cache_root)/source7/apt
	SOURCE7_APT=$apt
	debian_apt_update "$apt" source7 "$SOURCE7_SUITE"
	while read -r p; do
		[[ $p =~ ^linux-source-7\.[0-9]+$ ]] || continue
		while read -r v; do
			[ -z "$best" ] || dpkg --compare-versions "$v" gt "$best" || continue
			best=$v
			bestpkg=$p
		done < <(debian_apt_versions "$apt" "$p")
	done < <(debian_apt "$apt" apt-cache pkgnames linux-source-7.)
	debian_apt_unlock
	[ -n "$best" ] ||
		die "source7: $SOURCE7_SUITE offers no linux-source-7.* (apt-cache pkgnames linux-source-7. under $apt)"
	SOURCE7_PACKAGE=$bestpkg
	SOURCE7_VERSION=$best
}

# source7_ensure: find the newest 7.x; download and unpack it unless the
# cache holds it.
source7_ensure() {
	source7_find
	SOURCE7_DIR=$(kernel_cache_root)/source7/$(printf '%s' "$SOURCE7_VERSION" |
		tr -c 'A-Za-z0-9.+-' '_')
	SOURCE7_SRC=$SOURCE7_DIR/src
	cache_fill "$SOURCE7_DIR" source7 source7_fill
	[ -f "$SOURCE7_SRC/Makefile" ] || die "source7: $SOURCE7_DIR has a stamp but no src/Makefile"
	[ -d "$SOURCE7_SRC/scripts/livepatch" ] ||
		warn "source7: $SOURCE7_PACKAGE $SOURCE7_VERSION has no scripts/livepatch (klp-build)"
}

# source7_fill: download, check, unpack, stamp (the lock held).
source7_fill() {
	debian_apt_fill_source "$SOURCE7_APT" source7 "$SOURCE7_PACKAGE" "$SOURCE7_VERSION" \
		"$SOURCE7_DIR" "suite: $SOURCE7_SUITE"
}
