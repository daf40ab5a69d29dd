# shellcheck shell=sh
# 107-ipv6-datagram: a UDP connect() over IPv6 to port 4242
# (/lib/kpng/107.prog) logs "kpng-livepatch: __ip6_datagram_connect" once
# while the patch is on, never before or after.  Stage functions for the
# guest driver (patches/README.md).
# shellcheck disable=SC2317 # the driver calls the functions

# p107_connect WHEN N: one connect(), after which dmesg holds the message
# N more times than before it.
p107_connect() {
	before=$(dmesg | grep -c "kpng-livepatch: __ip6_datagram_connect\$" || :)
	assert_eq "$1: the connect()" connected "$(/lib/kpng/107.prog)"
	after=$(dmesg | grep -c "kpng-livepatch: __ip6_datagram_connect\$" || :)
	assert_eq "$1: messages of the connect()" "$2" $((after - before))
}

setup() {
	run "loopback up" ip link set lo up
}

before_load() {
	p107_connect "before loading" 0
}

after_load() {
	p107_connect "while patched" 1
}

after_disable() {
	p107_connect "after disabling" 0
}

after_unload() {
	p107_connect "after unloading" 0
}
