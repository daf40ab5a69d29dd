# Top-level build.  `make` builds every tool into $(BUILD)/; `make check`
# runs the unit and VM suites; see README.md.

ARCH ?= x86_64
BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=

CC ?= gcc
CFLAGS ?= -O2 -g
WARNINGS := -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow -Wformat=2 \
	    -Wno-format-nonliteral
LIBELF_CFLAGS := $(shell pkg-config --cflags libelf 2>/dev/null)
LIBELF_LIBS := $(shell pkg-config --libs libelf 2>/dev/null || echo -lelf)
LIBLZMA_CFLAGS := $(shell pkg-config --cflags liblzma 2>/dev/null)
LIBLZMA_LIBS := $(shell pkg-config --libs liblzma 2>/dev/null || echo -llzma)
# The x86_64 instruction decoder (arch/x86_64/decode.c); Debian's
# libzydis-dev ships no .pc file.
ZYDIS_CFLAGS := $(shell pkg-config --cflags zydis 2>/dev/null)
ZYDIS_LIBS := $(shell pkg-config --libs zydis 2>/dev/null || echo -lZydis)
# libdw (elfutils): the target's DWARF, to tell source files of one name
# apart (lookup/cu.c).
LIBDW_CFLAGS := $(shell pkg-config --cflags libdw 2>/dev/null)
LIBDW_LIBS := $(shell pkg-config --libs libdw 2>/dev/null || echo -ldw)
ALL_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARNINGS) $(LIBELF_CFLAGS) $(LIBLZMA_CFLAGS) $(ZYDIS_CFLAGS) $(LIBDW_CFLAGS) $(CFLAGS) -MMD -MP
LDLIBS := $(LIBDW_LIBS) $(LIBELF_LIBS) $(LIBLZMA_LIBS) $(ZYDIS_LIBS)

# The shared library of every tool: ELF layer, helpers, arch tables.
LIB_SRCS := $(wildcard util/*.c elf/*.c arch/*.c arch/*/*.c lookup/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB := $(BUILD)/libkpatch.a

TEST_TOOLS := $(addprefix $(BUILD)/test/,kelf-dump kelf-copy elf-patch kelf-build-test hash-test arch-test fuzz-run lp-dump insn-dump)

CDO_SRCS := $(wildcard create-diff-object/*.c special-sections/*.c)
CDO_OBJS := $(CDO_SRCS:%.c=$(BUILD)/obj/%.o)

KLP_SRCS := $(wildcard create-klp-module/*.c)
KLP_OBJS := $(KLP_SRCS:%.c=$(BUILD)/obj/%.o)

CT_SRCS := $(wildcard check-target/*.c)
CT_OBJS := $(CT_SRCS:%.c=$(BUILD)/obj/%.o)

CM_SRCS := $(wildcard check-module/*.c)
CM_OBJS := $(CM_SRCS:%.c=$(BUILD)/obj/%.o)

HI_SRCS := $(wildcard lookup/header-index/*.c)
HI_OBJS := $(HI_SRCS:%.c=$(BUILD)/obj/%.o)

TOOLS := $(BUILD)/create-diff-object $(BUILD)/create-klp-module $(BUILD)/check-target \
	 $(BUILD)/check-module $(BUILD)/header-index

# Each reader of untrusted input in one process for many inputs
# (test/fuzz/persist.c): the tool's objects, its main() renamed.
FUZZ_TOOLS := $(addprefix $(BUILD)/fuzz/,create-diff-object create-klp-module check-target kelf-dump)
FUZZ_DRIVER := $(BUILD)/obj/test/fuzz/persist.o

.PHONY: all deps unit unit-asan asan-tools afl-tools fuzz integration check demo bench sweep install clean shellcheck

# Keep the objects of the test tools (built through a pattern rule): make
# would delete them as intermediates after the run, printing a line after
# the test summary.
.SECONDARY:

all: $(LIB) $(TOOLS) $(TEST_TOOLS) $(FUZZ_TOOLS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/create-diff-object: $(CDO_OBJS) $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/create-klp-module: $(KLP_OBJS) $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/check-target: $(CT_OBJS) $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/check-module: $(CM_OBJS) $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/header-index: $(HI_OBJS) $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/renamed/%.o: $(BUILD)/obj/%.o
	@mkdir -p $(@D)
	objcopy --redefine-sym main=fuzz_tool_main $< $@

# $(call fuzz_tool,TOOL,MAIN.o,OTHER_OBJS): $(BUILD)/fuzz/TOOL.
define fuzz_tool
$(BUILD)/fuzz/$(1): $(FUZZ_DRIVER) $(BUILD)/obj/renamed/$(2) $(3) $(LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(eval $(call fuzz_tool,create-diff-object,create-diff-object/main.o,$(filter-out %/main.o,$(CDO_OBJS))))
$(eval $(call fuzz_tool,create-klp-module,create-klp-module/main.o,$(filter-out %/main.o,$(KLP_OBJS))))
$(eval $(call fuzz_tool,check-target,check-target/main.o,$(filter-out %/main.o,$(CT_OBJS))))
$(eval $(call fuzz_tool,kelf-dump,test/tools/kelf-dump.o,))

$(BUILD)/test/%: $(BUILD)/obj/test/tools/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

deps:
	@bash scripts/install-deps.sh

unit: deps all
	@bash test/unit/run.sh $(BUILD)

# The unit suite again with every tool built with AddressSanitizer and
# UndefinedBehaviorSanitizer into $(ASAN_BUILD), marked by its file
# "sanitized": test/unit/run.sh then makes any report (exit 99/98) fail
# the check that ran the tool.
ASAN_BUILD ?= $(BUILD)-asan
ASAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined

asan-tools:
	@$(MAKE) -s BUILD=$(ASAN_BUILD) CFLAGS="$(ASAN_CFLAGS)" all
	@echo "$(ASAN_CFLAGS)" >$(ASAN_BUILD)/sanitized

unit-asan: deps asan-tools
	@bash test/unit/run.sh $(ASAN_BUILD)

# The tools built for AFL++ (coverage instrumentation, ASan, UBSan) into
# $(AFL_BUILD), with their persistent-mode builds in $(AFL_BUILD)/fuzz/;
# `make fuzz FUZZ_SECONDS=N` runs the campaign of
# test/integration/t0130-fuzz.sh with N seconds per target at most, and
# FUZZ_EXECS=N ends each target after about N executions (doc/fuzzing.md).
AFL_BUILD ?= $(BUILD)-afl
FUZZ_SECONDS ?= 600
FUZZ_EXECS ?=

afl-tools:
	@AFL_USE_ASAN=1 AFL_USE_UBSAN=1 AFL_QUIET=1 $(MAKE) -s BUILD=$(AFL_BUILD) \
		CC=afl-clang-fast CFLAGS="-O1 -g" all

fuzz: deps all
	@KPNG_FUZZ_SECONDS=$(FUZZ_SECONDS) KPNG_FUZZ_EXECS=$(FUZZ_EXECS) \
		bash test/integration/t0130-fuzz.sh $(ARCH)

integration: deps all
	@bash test/integration/run.sh $(ARCH)

# Both suites, one summary line at the end.
check: deps all asan-tools
	@bash test/run-all.sh $(BUILD) $(ARCH) $(ASAN_BUILD)

demo: deps all
	@bash scripts/demo.sh $(ARCH)

# Speed and memory figures, printed, not asserted.
bench: deps all
	@bash test/bench/cdo-scale.sh $(BUILD)
	@bash test/bench/kpb-e2e.sh
	@bash test/bench/klp-build.sh
	@bash test/bench/kpb-header.sh
	@bash test/bench/kpb-scale.sh

# kpatch-triage over Debian's next stable update against Debian's kernel,
# every module built loaded in the guest: figures printed, not asserted
# (long; test/bench/sweep.sh says where its logs go).
sweep: deps all
	@bash test/bench/sweep.sh $(SWEEP_DIR)

shellcheck:
	shellcheck -x $$(git ls-files '*.sh' 'kpatch-build/kpatch-build' 'kpatch-build/kpatch-triage' 2>/dev/null)

# kpatch-build, kpatch-keygen and kpatch-triage in bin; the tools
# kpatch-build runs in libexec; its stages and the module template in share
# (the commands find them relative to themselves).
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/kpatch-ng \
		$(DESTDIR)$(PREFIX)/share/kpatch-ng/lib $(DESTDIR)$(PREFIX)/share/kpatch-ng/kmod \
		$(DESTDIR)$(PREFIX)/share/kpatch-ng/arch/x86_64 $(DESTDIR)$(PREFIX)/share/kpatch-ng/arch/arm64
	install -m 755 kpatch-build/kpatch-build kpatch-build/kpatch-keygen kpatch-build/kpatch-triage \
		$(DESTDIR)$(PREFIX)/bin/
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/libexec/kpatch-ng/
	install -m 644 kpatch-build/lib/*.sh $(DESTDIR)$(PREFIX)/share/kpatch-ng/lib/
	install -m 644 arch/x86_64/kpatch-build.sh $(DESTDIR)$(PREFIX)/share/kpatch-ng/arch/x86_64/
	install -m 644 arch/arm64/kpatch-build.sh $(DESTDIR)$(PREFIX)/share/kpatch-ng/arch/arm64/
	install -m 644 kmod/livepatch-main.c kmod/livepatch.lds kmod/livepatch-api.h \
		kmod/livepatch-format.h kmod/kpatch-macros.h kmod/kpatch-syscall.h \
		$(DESTDIR)$(PREFIX)/share/kpatch-ng/kmod/

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJS:.o=.d) $(CDO_OBJS:.o=.d) $(KLP_OBJS:.o=.d) $(CT_OBJS:.o=.d) $(CM_OBJS:.o=.d) $(HI_OBJS:.o=.d) $(TEST_TOOLS:$(BUILD)/test/%=$(BUILD)/obj/test/tools/%.d)
