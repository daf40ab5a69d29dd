// SPDX-License-Identifier: GPL-2.0
/*
 * 008-extable-poll.prog.c - make poll(2) fault while writing its results.
 *
 * Built on the host with `gcc -static` and run in the guest by
 * 008-extable-poll.guest.sh.  Two polls of one ignored descriptor (fd -1,
 * revents 0, no wait):
 *
 *	writable: the pollfd is in a read-write page; poll returns 0.
 *	read-only: the same pollfd after mprotect(PROT_READ).  The kernel
 *		reads the array, then faults storing revents
 *		(unsafe_put_user() in do_sys_poll(), fixed up through
 *		__ex_table): -1 with EFAULT, or EILSEQ while the livepatch
 *		is on.
 *
 * Output, one line each:
 *
 *	writable: 0
 *	read-only: -1 EFAULT		(or EILSEQ, or "errno N")
 *
 * With an argument N it repeats the read-only poll N times silently (the
 * guest's background workload) and exits 0 if every call failed with
 * EFAULT or EILSEQ.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/*
 * The raw system call: no libc wrapper choosing ppoll instead.  arm64 has
 * no poll(2), only ppoll(2), which reaches the same do_sys_poll(); a zero
 * timeout is a zero timespec there.
 */
static long poll_raw(struct pollfd *fds, unsigned long nfds, int timeout)
{
#ifdef SYS_poll
	return syscall(SYS_poll, fds, nfds, timeout);
#else
	struct timespec ts = { timeout / 1000, (timeout % 1000) * 1000000L };

	return syscall(SYS_ppoll, fds, nfds, timeout < 0 ? NULL : &ts, NULL, 8);
#endif
}

static const char *errno_name(int e)
{
	static char buf[32];

	switch (e) {
	case EFAULT:
		return "EFAULT";
	case EILSEQ:
		return "EILSEQ";
	}
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

static void report(const char *what, long ret, int e)
{
	if (ret < 0)
		printf("%s: %ld %s\n", what, ret, errno_name(e));
	else
		printf("%s: %ld\n", what, ret);
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	struct pollfd *pfd;
	long ret, i, loops;

	pfd = mmap(NULL, page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pfd == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	pfd->fd = -1;
	pfd->events = POLLIN;
	pfd->revents = 0;

	if (argc > 1) {
		loops = atol(argv[1]);
		if (mprotect(pfd, page, PROT_READ)) {
			perror("mprotect");
			return 2;
		}
		for (i = 0; i < loops; i++) {
			ret = poll_raw(pfd, 1, 0);
			if (ret != -1 || (errno != EFAULT && errno != EILSEQ)) {
				report("read-only", ret, errno);
				return 1;
			}
		}
		return 0;
	}

	ret = poll_raw(pfd, 1, 0);
	report("writable", ret, errno);

	if (mprotect(pfd, page, PROT_READ)) {
		perror("mprotect");
		return 2;
	}
	errno = 0;
	ret = poll_raw(pfd, 1, 0);
	report("read-only", ret, errno);
	return 0;
}
