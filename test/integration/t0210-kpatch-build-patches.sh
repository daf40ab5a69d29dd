#!/usr/bin/env bash
# t0210-kpatch-build-patches: every patch of patches/ (see its README)
# through kpatch-build and a guest.  A patch with NAME.guest.sh must build
# and report exactly the functions its NAME.expect lists, then in the
# guest behave as its stage functions say before loading, once loaded
# (with its workload running through the transition), once disabled and
# once unloaded.  A patch with NAME.refusal must be refused (exit 2) with
# that text.  The chain patches are t0220's, the kpatch-macro ones t0230's.
# The story is lib/kpatch-build.sh's corpus_run, which t0215 runs on
# Linux 7.x.
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kpatch-build.sh
. "$BENCH_ROOT/lib/kpatch-build.sh"

corpus_run
test_done
