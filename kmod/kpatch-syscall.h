/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-syscall.h - KPATCH_SYSCALL_DEFINE1..6, kpatch's way to change
 * the body of a system call.  In the patched file, write
 *
 *	KPATCH_SYSCALL_DEFINE1(newuname, struct new_utsname __user *, name)
 *
 * where the file has SYSCALL_DEFINE1(...): same name, same arguments, the
 * new body after it.  kpatch-macros.h includes this header; the file must
 * include <linux/syscalls.h> (every file defining a system call does).
 *
 * Why: on x86_64 and arm64 (Linux 6.12, asm/syscall_wrapper.h)
 * SYSCALL_DEFINEx(name, ...) makes three functions:
 *
 *	__x64_sys_NAME(const struct pt_regs *)	 (__arm64_sys_NAME on arm64,
 *		plus __ia32_sys_NAME with IA32_EMULATION): the entry the
 *		system call table points at; it reads the arguments from the
 *		registers.  Traceable: the livepatch core can redirect it.
 *	__se_sys_NAME(long...): sign-extends the arguments; static, usually
 *		inlined into the entries.
 *	__do_sys_NAME(typed arguments): the body the author wrote, declared
 *		`static inline`, which in the kernel implies notrace: no
 *		ftrace entry, so the livepatch core cannot redirect it.
 *
 * These macros make the same entries, with the same names and signatures
 * (and the same tracing metadata, so nothing else differs), around a body
 * named __kpatch_do_sys_NAME instead.  The differ then sees a new body
 * and entries that changed because they call it: the entries are
 * patched, and carry the body inlined or call its new copy.  (The differ
 * would also patch the entries for a body edited in place, since it
 * patches the traceable callers of a changed function without an ftrace
 * entry; these macros keep kpatch's patches building as they are.)
 *
 * Other architectures get the kernel's own definition.
 */
#ifndef KPATCH_SYSCALL_H
#define KPATCH_SYSCALL_H

#define KPATCH_SYSCALL_DEFINE1(name, ...) KPATCH_SYSCALL_DEFINEx(1, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE2(name, ...) KPATCH_SYSCALL_DEFINEx(2, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE3(name, ...) KPATCH_SYSCALL_DEFINEx(3, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE4(name, ...) KPATCH_SYSCALL_DEFINEx(4, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE5(name, ...) KPATCH_SYSCALL_DEFINEx(5, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE6(name, ...) KPATCH_SYSCALL_DEFINEx(6, _##name, __VA_ARGS__)

#define KPATCH_SYSCALL_DEFINEx(x, sname, ...)				\
	SYSCALL_METADATA(sname, x, __VA_ARGS__)				\
	__KPATCH_SYSCALL_DEFINEx(x, sname, __VA_ARGS__)

/*
 * __se_sys_NAME: as the kernel's, calling the renamed body.  Then the
 * body's prototype, so that the macro is followed by the body.
 */
#define __KPATCH_SE_SYS(x, name, ...)					\
	static long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__))	\
	{								\
		long ret = __kpatch_do_sys##name(__MAP(x, __SC_CAST, __VA_ARGS__)); \
		__MAP(x, __SC_TEST, __VA_ARGS__);			\
		__PROTECT(x, ret, __MAP(x, __SC_ARGS, __VA_ARGS__));	\
		return ret;						\
	}								\
	static inline long __kpatch_do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__))

#define __KPATCH_DECLARE_SYS(x, name, ...)				\
	static long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__));	\
	static inline long __kpatch_do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__));

#if defined(CONFIG_X86_64)

/* The entries are the kernel's: __x64_sys_NAME, and __ia32_sys_NAME with
 * IA32_EMULATION, each "long f(const struct pt_regs *)". */
#define __KPATCH_SYSCALL_DEFINEx(x, name, ...)				\
	__KPATCH_DECLARE_SYS(x, name, __VA_ARGS__)			\
	__X64_SYS_STUBx(x, name, __VA_ARGS__)				\
	__IA32_SYS_STUBx(x, name, __VA_ARGS__)				\
	__KPATCH_SE_SYS(x, name, __VA_ARGS__)

#elif defined(CONFIG_ARM64)

/* asm/syscall_wrapper.h writes the entry inline: the same here. */
#define __KPATCH_SYSCALL_DEFINEx(x, name, ...)				\
	asmlinkage long __arm64_sys##name(const struct pt_regs *regs);	\
	ALLOW_ERROR_INJECTION(__arm64_sys##name, ERRNO);		\
	__KPATCH_DECLARE_SYS(x, name, __VA_ARGS__)			\
	asmlinkage long __arm64_sys##name(const struct pt_regs *regs)	\
	{								\
		return __se_sys##name(SC_ARM64_REGS_TO_ARGS(x, __VA_ARGS__)); \
	}								\
	__KPATCH_SE_SYS(x, name, __VA_ARGS__)

#else

#define __KPATCH_SYSCALL_DEFINEx(x, name, ...)				\
	__SYSCALL_DEFINEx(x, name, __VA_ARGS__)

#endif

#endif
