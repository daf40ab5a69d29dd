/*
 * fuzz-run - run kelf-dump and kelf-copy over many (corrupted) objects and
 * report how each exited; a C loop because a shell loop spends more time
 * forking than the tools spend working.
 *
 *	fuzz-run TOOLDIR OUTDIR FILE...
 *
 * For each FILE: TOOLDIR/kelf-dump FILE (stdout discarded), then
 * TOOLDIR/kelf-copy FILE OUTDIR/<basename>, then, when the copy succeeded,
 * TOOLDIR/kelf-dump of the copy.  The tools' stderr goes to this stderr.
 * Prints one line per FILE: "<basename> DUMP COPY REREAD", each an exit
 * status, "-" for not run, or "sigN" (killed by signal N).  Exit status 1
 * when any status is other than 0 or 1 (a re-read must be 0).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../util/util.h"

extern char **environ;

/* Run @argv with stdout to /dev/null; the wait status, or -1. */
static int run(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, err;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	err = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err)
		die("cannot run %s: %s", argv[0], strerror(err));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	return status;
}

/* "0", "1", ... or "sigN" into @buf; true when it is 0 or @ok1 and 1. */
static bool describe(int status, bool ok1, char *buf, size_t len)
{
	if (WIFSIGNALED(status)) {
		snprintf(buf, len, "sig%d", WTERMSIG(status));
		return false;
	}
	snprintf(buf, len, "%d", WEXITSTATUS(status));
	return WEXITSTATUS(status) == 0 || (ok1 && WEXITSTATUS(status) == 1);
}

int main(int argc, char **argv)
{
	char *dump, *copy;
	int i, bad = 0;

	set_progname(argv[0]);
	if (argc < 4)
		die("usage: fuzz-run TOOLDIR OUTDIR FILE...");
	dump = xasprintf("%s/kelf-dump", argv[1]);
	copy = xasprintf("%s/kelf-copy", argv[1]);
	for (i = 3; i < argc; i++) {
		const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
		char *out = xasprintf("%s/%s", argv[2], base);
		char *dump_argv[] = { dump, argv[i], NULL };
		char *copy_argv[] = { copy, argv[i], out, NULL };
		char *reread_argv[] = { dump, out, NULL };
		char d[32], c[32], r[32] = "-";
		int copy_status;
		bool ok;

		ok = describe(run(dump_argv), true, d, sizeof(d));
		copy_status = run(copy_argv);
		ok &= describe(copy_status, true, c, sizeof(c));
		if (WIFEXITED(copy_status) && WEXITSTATUS(copy_status) == 0)
			ok &= describe(run(reread_argv), false, r, sizeof(r));
		size_t len = strlen(base);

		if (len > 2 && !strcmp(base + len - 2, ".o"))
			len -= 2;
		printf("%.*s %s %s %s\n", (int)len, base, d, c, r);
		fflush(stdout);
		bad |= !ok;
		free(out);
	}
	free(dump);
	free(copy);
	return bad;
}
