# shellcheck shell=sh
# 108-gup-fast: vmsplice() of three pages by a program named kpng-gup
# (/lib/kpng/108.prog) logs "kpng-livepatch: gup_fast_fallback 3 of 3
# pages" once while the patch is on (all three pinned by the fast path),
# never before or after.  Stage functions for the guest driver
# (patches/README.md).
# shellcheck disable=SC2317 # the driver calls the functions

# p108_splice WHEN N: one vmsplice(), after which dmesg holds the message
# N more times than before it.
p108_splice() {
	before=$(dmesg | grep -c "kpng-livepatch: gup_fast_fallback 3 of 3 pages\$" || :)
	assert_eq "$1: the bytes the pipe took" 12288 "$(/lib/kpng/108.prog)"
	after=$(dmesg | grep -c "kpng-livepatch: gup_fast_fallback 3 of 3 pages\$" || :)
	assert_eq "$1: messages of the vmsplice()" "$2" $((after - before))
}

before_load() {
	p108_splice "before loading" 0
}

after_load() {
	p108_splice "while patched" 1
}

after_disable() {
	p108_splice "after disabling" 0
}

after_unload() {
	p108_splice "after unloading" 0
}
