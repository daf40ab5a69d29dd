/*
 * classes.c - the section a carried function or object comes out in.
 *
 * GCC gives each function and object a section of its own with
 * -ffunction-sections -fdata-sections (.text.foo, .data.bar, .bss.calls.0);
 * a carried copy comes out in a section of its own too, named after it
 * (output.c).  But an object placed by the kernel's section attributes
 * (DEFINE_PER_CPU, noinstr, __kprobes, __read_mostly...) shares a section
 * whose name is its class: the module loader (kernel/module/main.c), the
 * module linker script (scripts/module.lds.S) or vmlinux's linker script
 * (include/asm-generic/vmlinux.lds.h) give the name a meaning, and the
 * copy must keep it.  The livepatch module is linked with ld -r, which
 * gathers input sections of one name into one output section, so a copy
 * named .data..percpu ends up in the module's .data..percpu, the one the
 * loader allocates per CPU.
 *
 * Each class is kept, mapped to the section that has its meaning in a
 * module, or refused when a module cannot have it.  A section not in the
 * table has no meaning for the module loader or the module linker script:
 * its copy is named after the symbol as GCC would (.text.foo, .data.bar),
 * whether it came from its own section or a shared one (.data..once,
 * .text.unlikely.foo for foo.cold).
 */
#include <string.h>

#include "cdo.h"
#include "../util/util.h"

struct section_class {
	const char *name;
	bool prefix;		/* every section whose name starts with @name */
	const char *out;	/* the copy's section; NULL: refused */
	const char *why;	/* what the name means, for a refusal: why a
				 * module cannot have it and what to do */
};

static const struct section_class classes[] = {
	/* Per-CPU data: the loader allocates the module's .data..percpu
	 * once per CPU (percpu_modalloc()); any other section is plain data,
	 * and %gs:-relative access to it reads another CPU's area or
	 * faults.  A module's DEFINE_PER_CPU_SHARED_ALIGNED and friends go
	 * to .data..percpu already (percpu-defs.h: "" under MODULE), the
	 * alignment with them. */
	{ ".data..percpu", false, ".data..percpu", NULL },
	{ ".data..percpu..page_aligned", false, ".data..percpu", NULL },
	{ ".data..percpu..read_mostly", false, ".data..percpu", NULL },
	{ ".data..percpu..shared_aligned", false, ".data..percpu", NULL },
	{ ".data..percpu..first", false, NULL,
	  "DEFINE_PER_CPU_FIRST: it must come first in vmlinux's per-CPU area, and a module's per-CPU data is allocated elsewhere; keep the variable as it is" },
	{ ".data..percpu..decrypted", false, NULL,
	  "DEFINE_PER_CPU_DECRYPTED: vmlinux maps it unencrypted for the hypervisor, a module's per-CPU area is not; attach new state to the existing variable with a shadow variable (klp_shadow_*)" },
	{ ".data..percpu", true, NULL,
	  "a per-CPU section the module loader does not allocate per CPU; use DEFINE_PER_CPU" },
	/* The loader makes it read-only once the module's init has run. */
	{ ".data..ro_after_init", false, ".data..ro_after_init", NULL },
	/* Functions the loader adds to the kprobe blacklist
	 * (find_module_sections(), add_module_kprobe_blacklist()); objtool
	 * checks noinstr rules in .noinstr.text. */
	{ ".noinstr.text", false, ".noinstr.text", NULL },
	{ ".kprobes.text", false, ".kprobes.text", NULL },
	/* __cpuidle: inside vmlinux's noinstr range, so blacklisted for
	 * kprobes; a module has no cpuidle range (cpu_in_idle(), which only
	 * NMI backtraces read), its nearest meaning is noinstr. */
	{ ".cpuidle.text", false, ".noinstr.text", NULL },
	/*
	 * vmlinux ranges that only diagnostics read: in_sched_functions()
	 * and in_lock_functions() (wchan, stack traces that skip scheduler
	 * and lock frames, profiling).  A module's copy lies outside them
	 * whatever its name: the name is kept so that what reads sections
	 * (objtool, perf, a reader of the module) sees the class; the
	 * diagnostics name the patched function rather than skip it.
	 */
	{ ".sched.text", false, ".sched.text", NULL },
	{ ".spinlock.text", false, ".spinlock.text", NULL },
	/* Interrupt entry: arm64 (and others) blacklist kprobes in vmlinux's
	 * irqentry range; a module's only blacklisted text is .kprobes.text
	 * and .noinstr.text.  The softirq entry range only filters stack
	 * traces (filter_irq_stacks()): its name is kept. */
	{ ".irqentry.text", false, ".kprobes.text", NULL },
	{ ".softirqentry.text", false, ".softirqentry.text", NULL },
	/* Grouping only: vmlinux gathers them, a module keeps the name. */
	{ ".data..read_mostly", false, ".data..read_mostly", NULL },
	/* Code that must stay where vmlinux's linker script puts it. */
	{ ".entry.text", false, NULL,
	  "entry code: page table isolation maps vmlinux's .entry.text into every user page table, a module's copy is not mapped there" },
	{ ".head.text", false, NULL,
	  "early boot code: it runs before the kernel's own page tables, only once" },
	{ ".static_call.text", false, NULL,
	  "static call trampolines: the kernel rewrites vmlinux's in place" },
	{ ".data..decrypted", false, NULL,
	  "vmlinux maps it unencrypted for the hypervisor, a module's data is not" },
	{ ".bss..decrypted", false, NULL,
	  "vmlinux maps it unencrypted for the hypervisor, a module's data is not" },
	{ ".data..nosave", false, NULL,
	  "__nosave: hibernation leaves vmlinux's nosave pages alone and would save and restore a module's copy" },
	{ ".init.", true, NULL,
	  "__init code and data: the livepatch's init section is freed once it is loaded, and it runs no initcalls; do one-time work in a pre-patch callback" },
	{ ".exit.", true, NULL,
	  "__exit code and data: a livepatch is never the module that exits; do clean-up in a post-unpatch callback" },
	{ ".meminit.", true, NULL,
	  "__meminit code and data: it runs at boot and memory hotplug, called from vmlinux; do one-time work in a pre-patch callback" },
	/* Tables the module loader reads as the module's own: one entry of
	 * the patched object's there would be registered for the livepatch
	 * (a parameter of livepatch_foo, an initcall it never runs...). */
	{ "__param", false, NULL,
	  "a module parameter table: the loader would make it a parameter of the livepatch module; keep module_param() as it is" },
	{ "__tracepoints_ptrs", false, NULL,
	  "the tracepoint table: a new tracepoint cannot be livepatched in; keep the tracepoints as they are" },
	{ "___srcu_struct_ptrs", false, NULL,
	  "the srcu_struct table: the loader would initialize it for the livepatch module; allocate it with init_srcu_struct() in a pre-patch callback" },
	{ "__bpf_raw_tp_map", false, NULL,
	  "the BPF raw tracepoint table: a new tracepoint cannot be livepatched in" },
	{ "_ftrace_events", false, NULL,
	  "the trace event table: a new trace event cannot be livepatched in" },
	{ "_ftrace_eval_map", false, NULL,
	  "the trace event table: a new trace event cannot be livepatched in" },
	{ "_error_injection_whitelist", false, NULL,
	  "the error injection table: ALLOW_ERROR_INJECTION cannot be livepatched in" },
	{ "_kprobe_blacklist", false, NULL,
	  "the kprobe blacklist table: mark the function __kprobes instead" },
	{ ".kunit_test_suites", false, NULL, "KUnit suites are not livepatched" },
	{ ".kunit_init_test_suites", false, NULL, "KUnit suites are not livepatched" },
	{ ".initcall", true, NULL,
	  "an initcall: a livepatch runs no initcalls; do one-time work in a pre-patch callback" },
	{ "__ksymtab", true, NULL, "the export table: a livepatch cannot change the kernel's export set" },
	{ "__kcrctab", true, NULL, "the export table: a livepatch cannot change the kernel's export set" },
	{ ".ctors", false, NULL, "constructors: a livepatch runs none" },
	{ ".init_array", false, NULL, "constructors: a livepatch runs none" },
};

static const struct section_class *find_class(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(classes); i++)
		if (classes[i].prefix ? !strncmp(name, classes[i].name, strlen(classes[i].name))
				      : !strcmp(name, classes[i].name))
			return &classes[i];
	return NULL;
}

static const char *own_prefix(const struct section *sec)
{
	if (sec->sh.sh_flags & SHF_EXECINSTR)
		return ".text.";
	if (sec->sh.sh_type == SHT_NOBITS)
		return ".bss.";
	if (sec->sh.sh_flags & SHF_WRITE)
		return ".data.";
	return ".rodata.";
}

char *cdo_output_section_name(const struct symbol *sym)
{
	const struct section_class *c = find_class(sym->sec->name);

	if (c && c->out)
		return xstrdup(c->out);
	return xasprintf("%s%s", own_prefix(sym->sec), sym->name);
}

int cdo_refuse_classes(struct cdo *cdo)
{
	struct symbol *p;
	int ret = 0;

	for_each_symbol(cdo->patched, p) {
		const struct section_class *c;

		if (!is_object_symbol(p) || !sym_info(p)->include)
			continue;
		c = find_class(p->sec->name);
		if (c && !c->out)
			ret = error("%s: %s: %s %s is in %s: %s",
				    cdo->patched->path, p->name,
				    sym_info(p)->status == NEW ? "new" : "changed",
				    p->type == STT_FUNC ? "function" : "object",
				    p->sec->name, c->why);
	}
	return ret;
}

const char *cdo_class_refusal(const struct section *sec)
{
	const struct section_class *c = find_class(sec->name);

	return c && !c->out ? c->why : NULL;
}
