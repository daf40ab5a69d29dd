#!/usr/bin/env bash
# t0210-kpatch-build-patches: every patch of patches/ (see its README)
# through kpatch-build and a guest.  A patch with NAME.guest.sh must build
# and report exactly the functions its NAME.expect lists, then in the
# guest behave as its stage functions say before loading, once loaded
# (with its workload running through the transition), once disabled and
# once unloaded.  A patch with NAME.refusal must be refused (exit 2) with
# that text.  The chain patches are t0220's, the kpatch-macro ones t0230's.
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kpatch-build.sh
. "$BENCH_ROOT/lib/kpatch-build.sh"

mkdir -p "$SCRATCH"
names=()
for p in "$PATCHES"/[0-9]*.patch; do
	name=${p##*/}
	name=${name%.patch}
	case $name in
	*-chain* | *-kpatch-*) continue ;;
	esac
	# KPNG_PATCHES=GLOB runs only the matching patches (a developer's
	# shortcut; unset in CI).
	# shellcheck disable=SC2053 # a glob on purpose
	[[ $name == ${KPNG_PATCHES:-*} ]] || continue
	names+=("$name")
done
kpb_corpus "${names[@]}"
test_done
