/*
 * persist.c - the driver of a tool's persistent-mode fuzz build: the
 * tool's own main(), renamed fuzz_tool_main when linked (objcopy, see the
 * Makefile's fuzz-tools), runs once per input inside one process, so AFL++
 * neither forks nor executes the tool per input.
 *
 *	fuzz/TOOL ARG...	the tool's arguments; AFL's @@ names the input
 *
 * Between two runs the driver checks that the tool kept nothing of the
 * previous input: no file descriptor left open, and (with AddressSanitizer)
 * no memory left allocated that nothing points to.  Either aborts, so AFL
 * records the input that caused it as a crash.  LeakSanitizer's search
 * takes tens of milliseconds, the time of ten runs: it searches after the
 * first run and then only when more memory is allocated than after the
 * first.  Built without AFL++ (gcc), the tool runs KPNG_FUZZ_RUNS times
 * (default 1) over the same
 * arguments and each run must exit as the first did: the unit suite's
 * check that a run depends on its input only.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_LSAN 1
#endif
#endif
#ifdef FUZZ_LSAN
#include <sanitizer/lsan_interface.h>
/* The sanitizers' allocator; gcc ships no allocator_interface.h. */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

int fuzz_tool_main(int argc, char **argv);

#ifdef __AFL_LOOP
#define SAME_INPUT 0
#else
#define SAME_INPUT 1
static unsigned long runs_left = 1;
#define __AFL_INIT() do { \
	const char *n = getenv("KPNG_FUZZ_RUNS"); \
	runs_left = n ? strtoul(n, NULL, 10) : 1; \
} while (0)
#define __AFL_LOOP(n) (runs_left ? runs_left-- : 0)
#endif

#ifdef FUZZ_LSAN
/*
 * Abort when run @run left memory unreachable, or, on the same input
 * (SAME_INPUT), left any more allocated than the first run did.
 */
static void check_memory(unsigned long run)
{
	static size_t first;
	size_t live = __sanitizer_get_current_allocated_bytes();

	if (run > 1 && live <= first)
		return;
	if (__lsan_do_recoverable_leak_check()) {
		fprintf(stderr, "fuzz: run %lu leaked memory (above)\n", run);
		abort();
	}
	if (run > 1 && SAME_INPUT) {
		fprintf(stderr, "fuzz: run %lu left %zu bytes allocated, the first %zu: state kept between runs\n",
			run, live, first);
		abort();
	}
	first = live;
}
#else
static void check_memory(unsigned long run)
{
	(void)run;
}
#endif

/* The lowest free file descriptor. */
static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd;
}

int main(int argc, char **argv)
{
	static char stdout_buf[BUFSIZ];
	char **args = calloc(argc + 1, sizeof(*args));
	int fd_free, first = -1, ret = 0;
	unsigned long run = 0;

	if (!args)
		return 1;
	__AFL_INIT();
	/* stdout's buffer, allocated by its first use otherwise. */
	setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	fd_free = lowest_free_fd();
	while (__AFL_LOOP(100000)) {
		/* getopt_long permutes argv; optind 0 resets GNU getopt. */
		memcpy(args, argv, (argc + 1) * sizeof(*args));
		optind = 0;
		ret = fuzz_tool_main(argc, args);
		fflush(NULL);
		run++;
		if (lowest_free_fd() != fd_free) {
			fprintf(stderr, "fuzz: run %lu left file descriptor %d open\n",
				run, fd_free);
			abort();
		}
		check_memory(run);
		if (first < 0) {
			first = ret;
		} else if (SAME_INPUT && ret != first) {
			fprintf(stderr, "fuzz: run %lu exited %d, the first %d: state kept between runs\n",
				run, ret, first);
			abort();
		}
	}
	free(args);
	return ret;
}
