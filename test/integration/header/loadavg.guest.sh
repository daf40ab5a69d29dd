# shellcheck shell=sh
# loadavg (t0360): include/linux/sched/loadavg.h's LOAD_INT() is 1000 more
# while the patch is on: the three load averages of /proc/loadavg read
# 1000.xx to 1999.xx, and, where the kernel has PSI (PRESSURE=1, Debian's
# kernel: psi_show() in kernel/sched/build_utility.o), so do the avg10,
# avg60 and avg300 of /proc/pressure/cpu's "some" line.  Stage functions
# for the guest driver (guest/patch-cycle.sh).
# shellcheck disable=SC2317 # the driver calls the functions

workload() {
	while :; do
		cat /proc/loadavg >/dev/null
	done
}

# averages_in WHAT LO HI V...: each V is "I.FF", LO <= I < HI.
averages_in() {
	what=$1 lo=$2 hi=$3
	shift 3
	[ "$#" -eq 3 ] || fail "$what: not three averages: $*"
	for v in "$@"; do
		case $v in
		*[!0-9.]* | *.*.*) fail "$what: '$v' is not I.FF" ;;
		[0-9]*.[0-9][0-9]) ;;
		*) fail "$what: '$v' is not I.FF" ;;
		esac
		i=${v%.*}
		if [ "$i" -lt "$lo" ] || [ "$i" -ge "$hi" ]; then
			fail "$what: $v is not in [$lo, $hi): $*"
		fi
	done
	ok "$what: $* (each in [$lo, $hi))"
}

check_averages() {
	# shellcheck disable=SC2046 # the three fields
	averages_in "$1: /proc/loadavg" "$2" "$3" $(cut -d' ' -f1-3 /proc/loadavg)
	[ "${PRESSURE:-0}" = 1 ] || return 0
	# shellcheck disable=SC2046 # "some avg10=A avg60=B avg300=C total=T"
	averages_in "$1: /proc/pressure/cpu" "$2" "$3" \
		$(sed -n 's/^some avg10=\([^ ]*\) avg60=\([^ ]*\) avg300=\([^ ]*\) .*/\1 \2 \3/p' /proc/pressure/cpu)
}

before_load() {
	check_averages "before loading" 0 1000
}

after_load() {
	check_averages "while patched" 1000 2000
}

after_disable() {
	check_averages "after disabling" 0 1000
}

after_unload() {
	check_averages "after unloading" 0 1000
}
