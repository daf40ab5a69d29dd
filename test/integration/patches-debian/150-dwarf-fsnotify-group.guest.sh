# shellcheck shell=sh
# 150-dwarf-fsnotify-group: inotify_init1() in a task called kpng-inotify
# succeeds unpatched and fails with EDOM from the livepatch's
# fsnotify_alloc_group().  The program is 150-dwarf-fsnotify-group.prog.c
# built with `gcc -static`; the driver puts it at $KPNG_PROG (default
# /lib/kpng/150-dwarf-fsnotify-group.prog).  Other tasks are unaffected
# (busybox's own inotifyd is not run: the program's name is the switch).
# Stage functions for the guest driver; see ../patches/README.md.
# shellcheck disable=SC2317 # the driver calls the functions

p150_prog=${KPNG_PROG:-/lib/kpng/150-dwarf-fsnotify-group.prog}

workload() {
	while "$p150_prog" 1000; do
		:
	done
}

before_load() {
	assert_exists "$p150_prog"
	assert_eq "inotify before loading" "inotify: ok" "$("$p150_prog")"
}

after_load() {
	assert_eq "inotify while patched" "inotify: -1 EDOM" "$("$p150_prog")"
}

after_disable() {
	assert_eq "inotify after disabling" "inotify: ok" "$("$p150_prog")"
}

after_unload() {
	assert_eq "inotify after unloading" "inotify: ok" "$("$p150_prog")"
}
