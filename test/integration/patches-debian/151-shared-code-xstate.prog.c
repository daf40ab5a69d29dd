// SPDX-License-Identifier: GPL-2.0
/*
 * 151-shared-code-xstate.prog.c - arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM,
 * 0x6b70).
 *
 * Built on the host with `gcc -static` and run in the guest by
 * 151-shared-code-xstate.guest.sh.  Facility 0x6b70 is no XSTATE
 * component: unpatched, fpu_xstate_prctl() refuses it (-1 EINVAL); the
 * livepatch answers 0x6b70 when static_cpu_has(X86_FEATURE_XSAVE) holds
 * (qemu's -cpu max has XSAVE).  One line:
 *
 *	xcomp: -1 EINVAL	(unpatched)
 *	xcomp: 0x6b70		(while the livepatch is on)
 *
 * With an argument N it asks N times silently (the guest's background
 * workload) and exits 0 if every answer was one of the two.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ARCH_REQ_XCOMP_GUEST_PERM 0x1025

int main(int argc, char **argv)
{
	long i, n = argc > 1 ? strtol(argv[1], NULL, 10) : 0, r;

	for (i = 0; i < n; i++) {
		r = syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_GUEST_PERM, 0x6b70UL);
		if (r != 0x6b70 && !(r == -1 && errno == EINVAL))
			return 1;
	}
	if (n)
		return 0;
	r = syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_GUEST_PERM, 0x6b70UL);
	if (r == -1 && errno == EINVAL)
		printf("xcomp: -1 EINVAL\n");
	else if (r == -1)
		printf("xcomp: -1 errno %d\n", errno);
	else
		printf("xcomp: %#lx\n", r);
	return 0;
}
