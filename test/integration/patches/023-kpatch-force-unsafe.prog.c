// SPDX-License-Identifier: GPL-2.0
/*
 * 023-kpatch-force-unsafe.prog.c - syslog(SYSLOG_ACTION_CONSOLE_ON).
 *
 * Built on the host with `gcc -static` and run in the guest by
 * 023-kpatch-force-unsafe.guest.sh: re-enables console logging, which
 * sets the console level to the one do_syslog() saved, if it saved one.
 * Prints nothing; exits 1 with the error when the call fails.
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/klog.h>

#define SYSLOG_ACTION_CONSOLE_ON 7

int main(void)
{
	if (klogctl(SYSLOG_ACTION_CONSOLE_ON, NULL, 0) < 0) {
		fprintf(stderr, "syslog(SYSLOG_ACTION_CONSOLE_ON): %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
