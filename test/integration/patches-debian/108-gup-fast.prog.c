/*
 * 108-gup-fast's pinning: named kpng-gup, vmsplice() of three pages of
 * its own into a pipe, which pins them with get_user_pages_fast() (one
 * call for the three).  Prints the bytes the pipe took and exits 0 when
 * it took them all.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	struct iovec iov = { .iov_len = 3 * page };
	int p[2];
	ssize_t n;

	if (prctl(PR_SET_NAME, "kpng-gup", 0, 0, 0) || pipe(p)) {
		perror("setup");
		return 1;
	}
	iov.iov_base = mmap(NULL, iov.iov_len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (iov.iov_base == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	memset(iov.iov_base, 'k', iov.iov_len);
	n = vmsplice(p[1], &iov, 1, 0);
	printf("%zd\n", n);
	return n == (ssize_t)iov.iov_len ? 0 : 1;
}
