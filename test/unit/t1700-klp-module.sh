#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='create-klp-module: .livepatch.relocs entries become .klp.rela sections and .klp.sym symbols'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# The stand-in livepatch module: the diff objects of call-other (two
# entries: log_it and handler_b, in .text.dispatch) and of
# static-local-renumbered-user (two entries to the same calls.3, in
# .text.counted), linked with ld -r and a file holding what a module
# carries besides: .modinfo, __versions, and .gnu.linkonce.this_module
# with a relocation to its init function.  On arm64 the init function is
# notrace, as the kernel's __init functions are: aarch64-linux-gnu-ld
# refuses to merge the __patchable_function_entries of a compiled object
# (SHF_LINK_ORDER, sh_link its function) with a diff object's (sh_link 0).  The expected offsets, types and
# addends are those t1100 and t1200 pin in the diff objects.  Beside each
# entry, a diff object holds its placeholder: an ordinary relocation at the
# place, of the entry's type and addend, against an undefined
# .klp.sym.OBJ.NAME,POS; create-klp-module removes it and makes that
# symbol the klp symbol.

# mod_source: the module's own parts, freestanding C.
mod_source() {
	cat <<-\EOF
	struct module { char name[56]; int (*init)(void); int (*exit)(void); };
	#ifdef __aarch64__
	__attribute__((patchable_function_entry(0, 0)))	/* notrace, as __init is */
	#endif
	static int lp_init(void) { return 0; }
	__attribute__((section(".gnu.linkonce.this_module")))
	struct module __this_module = { .name = "livepatch_test", .init = lp_init };
	__attribute__((section(".modinfo"), used))
	static const char modinfo[] = "livepatch=Y\0license=GPL\0name=livepatch_test";
	struct modversion_info { unsigned long crc; char name[56]; };
	__attribute__((section("__versions"), used))
	static const struct modversion_info versions[] = { { 0x12345678, "module_layout" } };
	EOF
}

# klp OBJ OUT: run create-klp-module, its stdout to OUT.stdout, stderr to
# OUT.stderr; returns its exit status.
klp() {
	create-klp-module "$1" "$2" >"$2.stdout" 2>"$2.stderr"
}

# section_list OBJ: "NAME TYPE FLAGS link=NAME info=NAME" of every
# .klp.rela section, from readelf, sh_link and sh_info read as the names
# of the sections they index.
klp_sections() {
	readelf -W -S "$1" | sed -E -n 's/^ *\[ *([0-9]+)\] /\1 /p' | awk '
		{ name[$1] = $2; line[$1] = $0 }
		END {
			for (i = 0; i in name; i++) {
				if (name[i] !~ /^\.klp\.rela\./)
					continue
				n = split(line[i], f, " +")
				# Index Name Type Addr Off Size ES [Flg] Lk Inf Al
				flags = n == 11 ? f[8] : "-"
				print name[i], f[3], flags, "link=" name[f[n - 2]], "info=" name[f[n - 1]]
			}
		}'
}

# klp_relocs OBJ: "SECTION: OFFSET TYPE SYMBOL +/- ADDEND" of every
# relocation in a .klp.rela section, from readelf.
klp_relocs() {
	readelf -W -r "$1" | awk '
		/^Relocation section/ { sec = $3; gsub(/\047/, "", sec); next }
		sec ~ /^\.klp\.rela\./ && $1 ~ /^[0-9a-f]+$/ {
			print sec ": 0x" substr($1, match($1, /[1-9a-f]|0$/)), $3, $5, $6, $7
		}'
}

# placeholders OBJ: klp_relocs' lines of every relocation outside the
# .klp.rela sections against a .klp.sym symbol.
placeholders() {
	readelf -W -r "$1" | awk '
		/^Relocation section/ { sec = $3; gsub(/\047/, "", sec); next }
		sec !~ /^\.klp\.rela\./ && $1 ~ /^[0-9a-f]+$/ && $5 ~ /^\.klp\.sym\./ {
			print sec ": 0x" substr($1, match($1, /[1-9a-f]|0$/)), $3, $5, $6, $7
		}'
}

# symbol_index OBJ NAME: the symbol table index of symbol NAME.
symbol_index() {
	kelf-dump -s "$1" | awk -v n="$2" '$3 == n { print $2 }'
}

# klp_symbols OBJ: readelf's line of every .klp.sym symbol, without its index.
klp_symbols() {
	readelf -W -s "$1" | awk '$NF ~ /^\.klp\.sym\./' | sed -E 's/^ *[0-9]+: //'
}

# sections_but OBJ PATTERN: kelf-dump's section lines, without the index,
# but those whose name matches PATTERN and the tables the writer rebuilds.
sections_but() {
	kelf-dump -S "$1" | sed -e 's/^S [0-9]* /S /' |
		awk -v p="$2" '$2 !~ p && $2 != ".symtab" && $2 != ".strtab" && $2 != ".shstrtab"'
}

# contents OBJ: readelf -x of every section with contents but the
# relocation, symbol and string tables and .livepatch.relocs (without the
# note saying whether relocations apply to it).
contents() {
	local s
	for s in $(kelf-dump -S "$1" | awk '$4 != "SHT_RELA" && $4 != "SHT_SYMTAB" &&
		$4 != "SHT_STRTAB" && $4 != "SHT_NOBITS" && $3 != ".livepatch.relocs" { print $3 }'); do
		readelf -x "$s" "$1" | grep -v "^ NOTE: This section has relocations"
	done
}

# section_offset OBJ NAME: the file offset of section NAME, in decimal.
section_offset() {
	local hex
	hex=$(readelf -W -S "$1" | sed -E -n 's/^ *\[ *[0-9]+\] //p' |
		awk -v n="$2" '$1 == n { print $4 }')
	echo $((0x$hex))
}

# section_size OBJ NAME: the size of section NAME, in decimal.
section_size() {
	local hex
	hex=$(readelf -W -S "$1" | sed -E -n 's/^ *\[ *[0-9]+\] //p' |
		awk -v n="$2" '$1 == n { print $5 }')
	echo $((0x$hex))
}

test_expect_success 'setup: diff objects linked into stand-in livepatch modules' '
	cdo_pairs x86_64 call-other static-local-renumbered-user &&
	cdo_pairs arm64 call-other &&
	test_expect_code 0 cdo call-other.x86_64 &&
	test_expect_code 0 cdo static-local-renumbered-user.x86_64 &&
	test_expect_code 0 cdo call-other.arm64 &&
	mod_source >mod.c &&
	kernel_cc x86_64 mod.c mod.x86_64.o &&
	kernel_cc arm64 mod.c mod.arm64.o &&
	ld -r -z noexecstack -o lp.ko call-other.x86_64/out.o \
		static-local-renumbered-user.x86_64/out.o mod.x86_64.o &&
	ld -r -z noexecstack -o plain.ko mod.x86_64.o &&
	aarch64-linux-gnu-ld -r -z noexecstack -o lp-arm64.ko \
		call-other.arm64/out.o mod.arm64.o &&
	lp-dump lp.ko >actual &&
	cat >expect <<-\EOF &&
	F dispatch dispatch vmlinux sympos=0
	F counted counted vmlinux sympos=0
	F last last vmlinux sympos=0
	K .text.dispatch+0x9 R_X86_64_PC32 log_it vmlinux addend=-4 sympos=0
	K .text.dispatch+0x10 R_X86_64_PLT32 handler_b vmlinux addend=-4 sympos=0
	K .text.counted+0x7 R_X86_64_PC32 calls.3 vmlinux addend=-4 sympos=0
	K .text.counted+0x11 R_X86_64_PC32 calls.3 vmlinux addend=-4 sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: four entries, two sections, three symbols (calls.3 made once)' '
	test_expect_code 0 klp lp.ko out.ko &&
	echo "create-klp-module: 4 klp relocations in 2 sections, 3 symbols" >expect &&
	test_cmp expect out.ko.stdout &&
	test_file_empty out.ko.stderr
'

test_expect_success 'x86_64: one .klp.rela.vmlinux section per relocated section: RELA, SHF_ALLOC|SHF_INFO_LINK|SHF_RELA_LIVEPATCH, sh_info its section' '
	klp_sections out.ko >actual &&
	cat >expect <<-\EOF &&
	.klp.rela.vmlinux..text.dispatch RELA AIo link=.symtab info=.text.dispatch
	.klp.rela.vmlinux..text.counted RELA AIo link=.symtab info=.text.counted
	EOF
	test_cmp expect actual &&
	kelf-dump -S out.ko | awk "\$3 ~ /^\\.klp\\.rela/ { print \$3, \$5, \$8 }" >actual &&
	cat >expect <<-\EOF &&
	.klp.rela.vmlinux..text.dispatch flags=0x100042 align=8
	.klp.rela.vmlinux..text.counted flags=0x100042 align=8
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: each relocation: the place'"'"'s offset, the entry'"'"'s type and addend, a .klp.sym symbol' '
	klp_relocs out.ko >actual &&
	cat >expect <<-\EOF &&
	.klp.rela.vmlinux..text.dispatch: 0x9 R_X86_64_PC32 .klp.sym.vmlinux.log_it,0 - 4
	.klp.rela.vmlinux..text.dispatch: 0x10 R_X86_64_PLT32 .klp.sym.vmlinux.handler_b,0 - 4
	.klp.rela.vmlinux..text.counted: 0x7 R_X86_64_PC32 .klp.sym.vmlinux.calls.3,0 - 4
	.klp.rela.vmlinux..text.counted: 0x11 R_X86_64_PC32 .klp.sym.vmlinux.calls.3,0 - 4
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: the .klp.sym symbols are global, SHN_LIVEPATCH (0xff20), value 0' '
	klp_symbols out.ko >actual &&
	cat >expect <<-\EOF &&
	0000000000000000     0 NOTYPE  GLOBAL DEFAULT OS [0xff20] .klp.sym.vmlinux.calls.3,0
	0000000000000000     0 NOTYPE  GLOBAL DEFAULT OS [0xff20] .klp.sym.vmlinux.handler_b,0
	0000000000000000     0 NOTYPE  GLOBAL DEFAULT OS [0xff20] .klp.sym.vmlinux.log_it,0
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: each placeholder is gone; its klp relocation has its place, type and addend, and its symbol, now SHN_LIVEPATCH' '
	placeholders lp.ko >placed &&
	test "$(wc -l <placed)" = 4 &&
	sed -e "s/^\.rela\./.klp.rela.vmlinux../" placed >expect &&
	klp_relocs out.ko >actual &&
	test_cmp expect actual &&
	placeholders out.ko >actual &&
	test_file_empty actual &&
	readelf -W -s lp.ko | awk "\$NF ~ /^\\.klp\\.sym\\./ { print \$5, \$7, \$8 }" >expect &&
	cat >expect.lp <<-\EOF &&
	GLOBAL UND .klp.sym.vmlinux.calls.3,0
	GLOBAL UND .klp.sym.vmlinux.handler_b,0
	GLOBAL UND .klp.sym.vmlinux.log_it,0
	EOF
	test_cmp expect.lp expect &&
	kelf-dump -s lp.ko | sed -e "s/^Y [0-9]* /Y /" |
		grep -v " \.livepatch\.relocs off=" |
		sed -e "/^Y \.klp\.sym\./s/ UNDEF / LIVEPATCH /" >expect &&
	kelf-dump -s out.ko | sed -e "s/^Y [0-9]* /Y /" >actual &&
	test_cmp expect actual
'

test_expect_success 'x86_64: .livepatch.relocs and its relocations are gone' '
	kelf-dump -S lp.ko | awk "\$3 ~ /livepatch\\.relocs/ { print \$3 }" >actual &&
	printf "%s\n" .livepatch.relocs .rela.livepatch.relocs >expect &&
	test_cmp expect actual &&
	kelf-dump -S out.ko | awk "\$3 ~ /livepatch\\.relocs/ { print \$3 }" >actual &&
	test_file_empty actual &&
	readelf -W -s out.ko >syms &&
	test_must_fail grep -F livepatch.relocs syms
'

test_expect_success 'x86_64: every other section has the same header and the same bytes, but two placeholders fewer in .rela.text.dispatch and .rela.text.counted' '
	sections_but lp.ko "livepatch\\.relocs" |
		sed -E "/ \.rela\.text\.(dispatch|counted) /s/ size=72 / size=24 /" >expect &&
	sections_but out.ko "^\\.klp\\.rela\\." >actual &&
	test_cmp expect actual &&
	grep -E " (\\.modinfo|__versions|\\.gnu\\.linkonce\\.this_module|\\.livepatch\\.funcs|\\.livepatch\\.strings|\\.text\\.dispatch) " actual >kept &&
	test "$(wc -l <kept)" = 6 &&
	contents lp.ko >expect &&
	contents out.ko >actual &&
	test_cmp expect actual &&
	grep -c "^Hex dump" actual >count &&
	test "$(cat count)" -ge 10
'

test_expect_success 'x86_64: every other relocation is as it was' '
	kelf-dump -r lp.ko | grep -v -e "^R \\.livepatch\\.relocs+" -e " \\.klp\\.sym\\." >expect &&
	kelf-dump -r out.ko | grep -v " \\.klp\\.sym\\." >actual &&
	test_cmp expect actual &&
	grep "^R \\.gnu\\.linkonce\\.this_module+0x38 R_X86_64_64 \\.text\\.lp_init +0\$" actual
'

test_expect_success 'an object without .livepatch.relocs is copied byte for byte' '
	test_expect_code 0 klp plain.ko plain-out.ko &&
	echo "create-klp-module: 0 klp relocations in 0 sections, 0 symbols" >expect &&
	test_cmp expect plain-out.ko.stdout &&
	cmp plain.ko plain-out.ko &&
	test_expect_code 0 klp out.ko again.ko &&
	cmp out.ko again.ko
'

test_expect_success 'a patched module: .klp.rela.demo_mod sections, .klp.sym.demo_mod symbols, sympos kept' '
	mkdir neighbour &&
	cp -P call-other.x86_64/orig.o call-other.x86_64/patched.o \
		call-other.x86_64/Module.symvers neighbour/ &&
	(cd neighbour && "${CDO_X86_64_CC[@]}" -o neighbour.o "$CDO_FIXTURES/call-other/neighbour.c") &&
	ld -r -o neighbour/demo-mod.ko neighbour/neighbour.o neighbour/orig.o &&
	(cd neighbour && create-diff-object orig.o patched.o demo-mod.ko Module.symvers out.o \
		>stdout 2>stderr) &&
	ld -r -z noexecstack -o lp-mod.ko neighbour/out.o mod.x86_64.o &&
	test_expect_code 0 klp lp-mod.ko out-mod.ko &&
	echo "create-klp-module: 2 klp relocations in 1 sections, 2 symbols" >expect &&
	test_cmp expect out-mod.ko.stdout &&
	{ klp_sections out-mod.ko && klp_relocs out-mod.ko; } >actual &&
	cat >expect <<-\EOF &&
	.klp.rela.demo_mod..text.dispatch RELA AIo link=.symtab info=.text.dispatch
	.klp.rela.demo_mod..text.dispatch: 0x9 R_X86_64_PC32 .klp.sym.demo_mod.log_it,2 - 4
	.klp.rela.demo_mod..text.dispatch: 0x10 R_X86_64_PLT32 .klp.sym.demo_mod.handler_b,0 - 4
	EOF
	test_cmp expect actual
'

# Under CONFIG_MODVERSIONS modpost writes every undefined name of the
# module into __versions, 55 characters at most, and refuses a longer one
# ("too long symbol"): a placeholder of a longer klp symbol name is
# .klp.ph. and the name's FNV-1a hash (c5c4d620fe53f72e, as Python's
# FNV-1a 64 of the name gives it), renamed back here.
test_expect_success 'a long klp symbol name: a short placeholder through modpost, the klp symbol after' '
	cdo_pairs x86_64 long-name &&
	test_expect_code 0 cdo long-name.x86_64 &&
	name=.klp.sym.vmlinux.kpng_count_the_pages_of_a_rather_long_named_range_start,0 &&
	test ${#name} -eq 74 &&
	kelf-dump -s long-name.x86_64/out.o | awk '"'"'$6 == "UNDEF" { print $3, length($3) }'"'"' >actual &&
	cat >expect <<-\EOF &&
	__fentry__ 10
	.klp.ph.c5c4d620fe53f72e 24
	printk 6
	EOF
	test_cmp expect actual &&
	lp-dump long-name.x86_64/out.o | grep "^K" >actual &&
	echo "K .text.report+0xa R_X86_64_PLT32 kpng_count_the_pages_of_a_rather_long_named_range_start vmlinux addend=-4 sympos=0" >expect &&
	test_cmp expect actual &&
	ld -r -z noexecstack -o lp-long.ko long-name.x86_64/out.o mod.x86_64.o &&
	test_expect_code 0 klp lp-long.ko out-long.ko &&
	echo "create-klp-module: 1 klp relocations in 1 sections, 1 symbols" >expect &&
	test_cmp expect out-long.ko.stdout &&
	{ klp_relocs out-long.ko && klp_symbols out-long.ko &&
	  readelf -W -s out-long.ko | grep -c "\.klp\.ph\." || :; } >actual &&
	cat >expect <<-EOF &&
	.klp.rela.vmlinux..text.report: 0xa R_X86_64_PLT32 $name - 4
	0000000000000000     0 NOTYPE  GLOBAL DEFAULT OS [0xff20] $name
	0
	EOF
	test_cmp expect actual
'

test_expect_success 'arm64: CALL26 places keep their instruction bytes; no zero rule' '
	test_expect_code 0 klp lp-arm64.ko out-arm64.ko &&
	echo "create-klp-module: 2 klp relocations in 1 sections, 2 symbols" >expect &&
	test_cmp expect out-arm64.ko.stdout &&
	test_file_empty out-arm64.ko.stderr &&
	{ klp_sections out-arm64.ko && klp_relocs out-arm64.ko && klp_symbols out-arm64.ko; } >actual &&
	cat >expect <<-\EOF &&
	.klp.rela.vmlinux..text.dispatch RELA AIo link=.symtab info=.text.dispatch
	.klp.rela.vmlinux..text.dispatch: 0x18 R_AARCH64_CALL26 .klp.sym.vmlinux.log_it,0 + 0
	.klp.rela.vmlinux..text.dispatch: 0x20 R_AARCH64_CALL26 .klp.sym.vmlinux.handler_b,0 + 0
	0000000000000000     0 NOTYPE  GLOBAL DEFAULT OS [0xff20] .klp.sym.vmlinux.handler_b,0
	0000000000000000     0 NOTYPE  GLOBAL DEFAULT OS [0xff20] .klp.sym.vmlinux.log_it,0
	EOF
	test_cmp expect actual &&
	placeholders lp-arm64.ko | sed -e "s/^\.rela\./.klp.rela.vmlinux../" >expect &&
	klp_relocs out-arm64.ko >actual &&
	test_cmp expect actual &&
	placeholders out-arm64.ko >actual &&
	test_file_empty actual &&
	aarch64-linux-gnu-objcopy -O binary --only-section=.text.dispatch out-arm64.ko text.bin &&
	od -An -tx4 -j 24 -N 12 text.bin | tr -s " " >actual &&
	echo " 94000000 2a1303e0 94000000" >expect &&
	test_cmp expect actual &&
	contents lp-arm64.ko >expect &&
	contents out-arm64.ko >actual &&
	test_cmp expect actual
'

test_expect_success 'arm64: a klp relocation of a GOT type, which the module loader does not apply, is refused' '
	cp lp-arm64.ko got-arm64.ko &&
	elf-patch got-arm64.ko word .livepatch.relocs 8 311 >/dev/null &&
	test_expect_code 1 klp got-arm64.ko got-arm64.out &&
	echo "create-klp-module: error: got-arm64.ko: .livepatch.relocs entry 0: R_AARCH64_ADR_GOT_PAGE: the module loader of arm64 does not apply this relocation type (arch/arm64/kernel/module.c): the module would not load" >expect &&
	test_cmp expect got-arm64.out.stderr &&
	test ! -e got-arm64.out
'

test_expect_success 'ld -r: a diff object after another object'"'"'s part of its section; a diff object alone' '
	cat >before.s <<-\EOF &&
		.section .text.dispatch,"ax",@progbits
		.globl	before_dispatch
		.type	before_dispatch, @function
	before_dispatch:
		call	helper
		ret
		.size	before_dispatch, .-before_dispatch
		.section .note.GNU-stack,"",@progbits
	EOF
	as -o before.o before.s &&
	ld -r -z noexecstack -o shared.ko before.o call-other.x86_64/out.o mod.x86_64.o &&
	test_expect_code 0 klp shared.ko shared-out.ko &&
	echo "create-klp-module: 2 klp relocations in 1 sections, 2 symbols" >expect &&
	test_cmp expect shared-out.ko.stdout &&
	test_file_empty shared-out.ko.stderr &&
	{ klp_relocs shared-out.ko && placeholders shared-out.ko && relocs shared-out.ko .text.dispatch; } >actual &&
	cat >expect <<-\EOF &&
	.klp.rela.vmlinux..text.dispatch: 0x19 R_X86_64_PC32 .klp.sym.vmlinux.log_it,0 - 4
	.klp.rela.vmlinux..text.dispatch: 0x20 R_X86_64_PLT32 .klp.sym.vmlinux.handler_b,0 - 4
	R .text.dispatch+0x1 R_X86_64_PLT32 helper -4
	R .text.dispatch+0x11 R_X86_64_PLT32 __fentry__ -4
	R .text.dispatch+0x19 R_X86_64_PC32 .klp.sym.vmlinux.log_it,0 -4
	R .text.dispatch+0x20 R_X86_64_PLT32 .klp.sym.vmlinux.handler_b,0 -4
	EOF
	test_cmp expect actual &&
	test_expect_code 0 klp call-other.x86_64/out.o alone.ko &&
	echo "create-klp-module: 2 klp relocations in 1 sections, 2 symbols" >expect &&
	test_cmp expect alone.ko.stdout &&
	{ klp_relocs alone.ko && placeholders alone.ko; } >actual &&
	cat >expect <<-\EOF &&
	.klp.rela.vmlinux..text.dispatch: 0x9 R_X86_64_PC32 .klp.sym.vmlinux.log_it,0 - 4
	.klp.rela.vmlinux..text.dispatch: 0x10 R_X86_64_PLT32 .klp.sym.vmlinux.handler_b,0 - 4
	EOF
	test_cmp expect actual
'

# bad NAME ARGS...: NAME.ko, a copy of lp.ko patched by "elf-patch NAME.ko ARGS...".
bad() {
	local name=$1
	shift
	cp lp.ko "$name.ko" &&
	elf-patch "$name.ko" "$@" >/dev/null
}

# refused NAME MESSAGE: create-klp-module NAME.ko fails with exit status 1,
# printing exactly "create-klp-module: error: NAME.ko: MESSAGE", nothing
# on stdout and no output file.
refused() {
	test_expect_code 1 klp "$1.ko" "$1.out" &&
	echo "create-klp-module: error: $1.ko: $2" >"$1.expect" &&
	test_cmp "$1.expect" "$1.out.stderr" &&
	test_file_empty "$1.out.stdout" &&
	cdo_missing "$1.out" &&
	test -z "$(find . -maxdepth 1 -name "$1.out.*" ! -name "*.stdout" ! -name "*.stderr")"
}

test_expect_success 'refused: a nonzero place on x86_64' '
	cp lp.ko nonzero.ko &&
	elf-patch nonzero.ko byte $(($(section_offset lp.ko .text.dispatch) + 0x10)) 0x5a &&
	refused nonzero ".livepatch.relocs entry 1: place: .text.dispatch+0x10 holds nonzero bytes (5a 00 00 00); the x86_64 module loader writes a klp relocation (R_X86_64_PLT32 to handler_b) only over zeros"
'

test_expect_success 'refused: a place over an ordinary relocation, two entries at one place' '
	bad over-fentry rela .rela.livepatch.relocs 0 r_addend 1 &&
	refused over-fentry ".livepatch.relocs entry 0: place .text.dispatch+0x1 overlaps the relocation at .text.dispatch+0x1 in .rela.text.dispatch (R_X86_64_PLT32 to __fentry__)" &&
	bad same-place rela .rela.livepatch.relocs 3 r_addend 9 &&
	refused same-place ".livepatch.relocs entry 1: place .text.dispatch+0x9 overlaps the place of entry 0 (.text.dispatch+0x9)"
'

test_expect_success 'refused: at a place, an ordinary relocation to another symbol, or of another addend, than its placeholder'"'"'s' '
	bad other-klp-sym rela .rela.text.dispatch 1 r_sym "$(symbol_index lp.ko .klp.sym.vmlinux.handler_b,0)" &&
	refused other-klp-sym ".livepatch.relocs entry 0: place .text.dispatch+0x9 overlaps the relocation at .text.dispatch+0x9 in .rela.text.dispatch (R_X86_64_PC32 to .klp.sym.vmlinux.handler_b,0)" &&
	bad other-sym rela .rela.text.dispatch 1 r_sym "$(symbol_index lp.ko __fentry__)" &&
	refused other-sym ".livepatch.relocs entry 0: place .text.dispatch+0x9 overlaps the relocation at .text.dispatch+0x9 in .rela.text.dispatch (R_X86_64_PC32 to __fentry__)" &&
	bad other-addend rela .rela.text.dispatch 1 r_addend -5 &&
	refused other-addend ".livepatch.relocs entry 0: place .text.dispatch+0x9 overlaps the relocation at .text.dispatch+0x9 in .rela.text.dispatch (R_X86_64_PC32 to .klp.sym.vmlinux.log_it,0)"
'

# leftover NAME SYMBOL: NAME.ko, lp.ko linked with an object whose
# .text.leftover calls SYMBOL.
leftover() {
	printf "\t%s\n" ".section .text.leftover,\"ax\",@progbits" "ret" \
		"call \"$2\"" ".section .note.GNU-stack,\"\",@progbits" >"$1.s" &&
	as -o "$1.o" "$1.s" &&
	ld -r -z noexecstack -o "$1.ko" lp.ko "$1.o"
}

test_expect_success 'refused: an ordinary relocation to a .klp.sym symbol without its entry' '
	bad moved-placeholder rela .rela.text.dispatch 1 r_offset 0x14 &&
	refused moved-placeholder ".text.dispatch+0x14: relocation to .klp.sym.vmlinux.log_it,0 has no .livepatch.relocs entry" &&
	leftover left-foo ".klp.sym.vmlinux.foo,0" &&
	refused left-foo ".text.leftover+0x2: relocation to .klp.sym.vmlinux.foo,0 has no .livepatch.relocs entry" &&
	leftover left-entry ".klp.sym.vmlinux.log_it,0" &&
	refused left-entry ".text.leftover+0x2: relocation to .klp.sym.vmlinux.log_it,0 has no .livepatch.relocs entry"
'

test_expect_success 'refused: a short placeholder symbol left without its entry, with or without a relocation to it' '
	leftover left-ph ".klp.ph.0123456789abcdef" &&
	refused left-ph ".text.leftover+0x2: relocation to .klp.ph.0123456789abcdef has no .livepatch.relocs entry" &&
	printf "\t%s\n" ".globl .klp.ph.0123456789abcdef" ".section .note.GNU-stack,\"\",@progbits" >unref-ph.s &&
	as -o unref-ph.o unref-ph.s &&
	ld -r -z noexecstack -o unref-ph.ko lp.ko unref-ph.o &&
	refused unref-ph "placeholder symbol .klp.ph.0123456789abcdef stands for no .livepatch.relocs entry"
'

test_expect_success 'refused: a truncated .livepatch.relocs' '
	bad truncated shdr .livepatch.relocs sh_size 159 &&
	refused truncated "section .livepatch.relocs: size 159 is not a multiple of the 40-byte entry"
'

test_expect_success 'refused: a place outside its section, or whose field runs past its end' '
	bad place-out rela .rela.livepatch.relocs 0 r_addend 0x100 &&
	refused place-out ".livepatch.relocs entry 0: place: relocation to .text.dispatch+256 points outside section .text.dispatch (0x19 bytes)" &&
	bad place-neg rela .rela.livepatch.relocs 0 r_addend -1 &&
	refused place-neg ".livepatch.relocs entry 0: place: relocation to .text.dispatch-1 points outside section .text.dispatch (0x19 bytes)" &&
	bad place-end rela .rela.livepatch.relocs 0 r_addend 0x17 &&
	refused place-end ".livepatch.relocs entry 0: place: .text.dispatch+0x17: the 4 bytes R_X86_64_PC32 writes run past the end of the section (0x19 bytes)"
'

test_expect_success 'refused: a string offset outside .livepatch.strings, an unterminated or empty string' '
	size=$(section_size lp.ko .livepatch.strings) &&
	bad name-out rela .rela.livepatch.relocs 1 r_addend 0x1000 &&
	refused name-out ".livepatch.relocs entry 0: name: relocation to .livepatch.strings+4096 points outside section .livepatch.strings ($(printf %#x "$size") bytes)" &&
	bad unterminated byte $(($(section_offset lp.ko .livepatch.strings) + size - 1)) 0x58 &&
	elf-patch unterminated.ko rela .rela.livepatch.relocs 1 r_addend $((size - 1)) &&
	refused unterminated ".livepatch.relocs entry 0: name: string at .livepatch.strings+$(printf %#x $((size - 1))) is not NUL-terminated within the section" &&
	bad no-objname rela .rela.livepatch.relocs 2 r_addend $((size - 1)) &&
	refused no-objname ".livepatch.relocs entry 0: objname: empty string at .livepatch.strings+$(printf %#x $((size - 1)))"
'

test_expect_success 'refused: a place in a section the module loader does not load' '
	bad not-alloc shdr .text.dispatch sh_flags 4 &&
	refused not-alloc ".livepatch.relocs entry 0: place: .text.dispatch+0x9: the section is not SHF_ALLOC, and the module loader skips the relocations of sections it does not load"
'

test_expect_success 'refused: a field without its one R_X86_64_64, a relocation of plain data, an unknown type' '
	bad field-type rela .rela.livepatch.relocs 0 r_type 2 &&
	refused field-type ".livepatch.relocs entry 0: place: relocation type R_X86_64_PC32, expected R_X86_64_64" &&
	bad field-undef rela .rela.livepatch.relocs 0 r_sym 0 &&
	refused field-undef ".livepatch.relocs entry 0: place: relocation to no symbol, which is not defined in a section" &&
	bad on-type rela .rela.livepatch.relocs 0 r_offset 0x20 &&
	refused on-type ".livepatch.relocs entry 0: relocation at offset 0x20 modifies a plain-data field (addend, type or sympos)" &&
	bad twice rela .rela.livepatch.relocs 4 r_offset 0x8 &&
	refused twice ".livepatch.relocs entry 0: name: more than one relocation at offset 0x8, expected one" &&
	bad missing shdr .rela.livepatch.relocs sh_size $((11 * 24)) &&
	refused missing ".livepatch.relocs entry 3: objname: no relocation at offset 0x88, expected one" &&
	bad unknown-type word .livepatch.relocs 8 0x99 &&
	refused unknown-type ".livepatch.relocs entry 0: relocation type 153 is not an x86_64 relocation this tool knows" &&
	bad got-type word .livepatch.relocs 8 9 &&
	refused got-type ".livepatch.relocs entry 0: R_X86_64_GOTPCREL: the module loader of x86_64 does not apply this relocation type (arch/x86/kernel/module.c): the module would not load"
'

test_expect_success 'refused: an entry index out of range is caught while reading' '
	bad rel-out rela .rela.livepatch.relocs 0 r_offset 0x1000 &&
	refused rel-out "section .rela.livepatch.relocs: relocation 0: offset 0x1000 lies outside .livepatch.relocs (0xa0 bytes)"
'

test_expect_success 'ELF layer: kelf_remove_section() drops what objcopy -R drops' '
	kelf-copy -R .livepatch.relocs lp.ko removed.ko &&
	objcopy -R .livepatch.relocs lp.ko objcopied.ko &&
	elf_view objcopied.ko | grep -v " \\.shstrtab " | sed -e "s/objcopied/X/" >expect &&
	elf_view removed.ko | grep -v " \\.shstrtab " | sed -e "s/removed/X/" >actual &&
	test_cmp expect actual &&
	grep -c "^Symbol table\\|^Relocation section" actual >count &&
	test "$(cat count)" -ge 8
'

test_expect_success 'ELF layer: kelf_remove_section() refuses while something still needs the section' '
	test_expect_code 1 kelf-copy -R .text.dispatch lp.ko x.ko 2>err &&
	echo "kelf-copy: error: lp.ko: cannot remove section .text.dispatch: .livepatch.relocs+0x28 still refers to its symbol .text.dispatch" >expect &&
	test_cmp expect err &&
	test_expect_code 1 kelf-copy -R .strtab lp.ko x.ko 2>err &&
	echo "kelf-copy: error: lp.ko: cannot remove section .strtab: the file'"'"'s symbol or string table" >expect &&
	test_cmp expect err &&
	cdo_missing x.ko
'

test_expect_success 'ELF layer: kelf_remove_relocs() drops relocations from their section and their symbol'"'"'s references' '
	kelf-copy -X .klp.sym.vmlinux.calls.3,0 lp.ko dropped.ko &&
	kelf-dump -r lp.ko | grep -v " \\.klp\\.sym\\.vmlinux\\.calls\\.3,0 " >expect &&
	kelf-dump -r dropped.ko >actual &&
	test_cmp expect actual &&
	test "$(wc -l <expect)" = "$(($(kelf-dump -r lp.ko | wc -l) - 2))" &&
	kelf-dump -s lp.ko >expect &&
	kelf-dump -s dropped.ko >actual &&
	test_cmp expect actual &&
	kelf-copy -X __fentry__ -X .klp.sym.vmlinux.log_it,0 -X .klp.sym.vmlinux.handler_b,0 lp.ko emptied.ko &&
	{ section dropped.ko .rela.text.counted && section emptied.ko .rela.text.dispatch; } >actual &&
	cat >expect <<-\EOF &&
	S .rela.text.counted SHT_RELA flags=0x40 size=24 link=.symtab align=8 entsize=24
	S .rela.text.dispatch SHT_RELA flags=0x40 size=0 link=.symtab align=8 entsize=24
	EOF
	test_cmp expect actual &&
	test_expect_code 1 kelf-copy -X dispatch -R .text.dispatch lp.ko x.ko 2>err &&
	echo "kelf-copy: error: lp.ko: cannot remove section .text.dispatch: .livepatch.relocs+0x28 still refers to its symbol .text.dispatch" >expect &&
	test_cmp expect err &&
	kelf-copy -X dispatch -X .text.dispatch -R .text.dispatch lp.ko no-dispatch.ko &&
	kelf-dump -r lp.ko | grep -v -e "^R \\.text\\.dispatch+" \
		-e " R_X86_64_64 \\(\\.text\\.\\)\\?dispatch " >expect &&
	kelf-dump -r no-dispatch.ko >actual &&
	test_cmp expect actual &&
	test_expect_code 1 kelf-copy -X nothing lp.ko x.ko 2>err &&
	echo "kelf-copy: error: lp.ko: no relocation against nothing to remove" >expect &&
	test_cmp expect err &&
	cdo_missing x.ko
'

test_expect_success 'no corruption of the module crashes it: 200 single bytes, exit status 0 or 1' '
	mkdir fuzz &&
	elf-patch lp.ko corrupt 1 200 fuzz >patches &&
	for f in fuzz/*.o; do
		rc=0
		create-klp-module "$f" "$f.out" >/dev/null 2>>fuzz.err || rc=$?
		case $rc in
		0|1) ;;
		*) echo "$f: exit status $rc"; exit 1 ;;
		esac
	done &&
	test "$(ls fuzz/*.o | wc -l)" = 200
'

test_expect_success 'no byte of the table or its relocations crashes it: 0x80 in each of the first entries' '
	mkdir fuzz-table &&
	table=$(section_offset lp.ko .livepatch.relocs) &&
	rela=$(section_offset lp.ko .rela.livepatch.relocs) &&
	for at in $(seq "$table" $((table + 79))) $(seq "$rela" $((rela + 143))); do
		cp lp.ko "fuzz-table/$at.ko" &&
		elf-patch "fuzz-table/$at.ko" byte "$at" 0x80 >/dev/null &&
		rc=0 &&
		create-klp-module "fuzz-table/$at.ko" "fuzz-table/$at.out" \
			>/dev/null 2>>fuzz-table.err || rc=$?
		case $rc in
		0|1) echo "$rc" ;;
		*) echo "fuzz-table/$at.ko: exit status $rc" >&2; exit 1 ;;
		esac
	done >statuses &&
	grep -c "^1\$" statuses >refused &&
	test "$(cat refused)" -ge 100
'

test_set_prereq_valgrind

test_expect_success VALGRIND 'valgrind: no invalid access or leak, converting and refusing' '
	valgrind -q --error-exitcode=99 --leak-check=full \
		create-klp-module lp.ko vg.ko >/dev/null &&
	test_expect_code 1 valgrind -q --error-exitcode=99 --leak-check=full \
		create-klp-module nonzero.ko vg-bad.ko 2>/dev/null &&
	test_expect_code 1 valgrind -q --error-exitcode=99 --leak-check=full \
		create-klp-module left-entry.ko vg-left.ko 2>/dev/null
'

test_done
