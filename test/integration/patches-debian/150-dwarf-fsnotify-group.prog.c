// SPDX-License-Identifier: GPL-2.0
/*
 * 150-dwarf-fsnotify-group.prog.c - inotify_init1() as a task called
 * kpng-inotify.
 *
 * Built on the host with `gcc -static` and run in the guest by
 * 150-dwarf-fsnotify-group.guest.sh.  Renames itself (PR_SET_NAME), then
 * creates and closes an inotify instance, printing one line:
 *
 *	inotify: ok		(unpatched)
 *	inotify: -1 EDOM	(while the livepatch is on; or "errno N")
 *
 * With an argument N it does so N times silently (the guest's background
 * workload) and exits 0 if every call succeeded or failed with EDOM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <unistd.h>

/* 0, or the errno of a failed inotify_init1(). */
static int try_once(void)
{
	int fd = inotify_init1(0);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	long i, n = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
	int err;

	if (prctl(PR_SET_NAME, "kpng-inotify", 0, 0, 0)) {
		perror("prctl");
		return 2;
	}
	for (i = 0; i < n; i++) {
		err = try_once();
		if (err && err != EDOM)
			return 1;
	}
	if (n)
		return 0;
	err = try_once();
	if (!err)
		printf("inotify: ok\n");
	else if (err == EDOM)
		printf("inotify: -1 EDOM\n");
	else
		printf("inotify: -1 errno %d\n", err);
	return 0;
}
