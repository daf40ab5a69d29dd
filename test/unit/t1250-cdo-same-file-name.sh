#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='create-diff-object and check-target: an object whose source file name the target links several times (net/{core,ipv4,ipv6}/datagram.c), placed by the target'"'"'s DWARF or by its local symbols'"'"' order, or refused'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

SRC=$FIXTURES/same-file-name

# tree DIR [CC OPTION...]: the three datagram.c compiled in kernel tree
# DIR, from its top as kbuild compiles (the DWARF names
# net/ipv6/datagram.c), linked into DIR/vmlinux; DIR/orig.o and
# DIR/patched.o are ipv6's before and after the patch, without -g.
tree() {
	local dir=$1 d
	shift
	for d in core ipv4 ipv6; do
		mkdir -p "$dir/net/$d" &&
		cp "$SRC/$d.c" "$dir/net/$d/datagram.c" &&
		(cd "$dir" && "${CDO_X86_64_CC[@]}" "$@" -o "net/$d/datagram.o" \
			"net/$d/datagram.c") || return 1
	done
	ld -Ttext=0x1000000 -e 0 --unresolved-symbols=ignore-all -o "$dir/vmlinux" \
		"$dir"/net/{core,ipv4,ipv6}/datagram.o &&
	(cd "$dir" && "${CDO_X86_64_CC[@]}" -o orig.o net/ipv6/datagram.c) &&
	mkdir -p "$dir/b/net/ipv6" &&
	cp "$SRC/ipv6-patched.c" "$dir/b/net/ipv6/datagram.c" &&
	(cd "$dir/b" && "${CDO_X86_64_CC[@]}" -o ../patched.o net/ipv6/datagram.c) &&
	cdo_symvers "$dir/Module.symvers"
}

# cdo_in DIR [OPTION...]: create-diff-object on DIR's pair against its
# vmlinux; stdout, stderr and out.o in DIR.
cdo_in() {
	local dir=$1
	shift
	(cd "$dir" && create-diff-object -n vmlinux "$@" orig.o patched.o vmlinux \
		Module.symvers out.o >stdout 2>stderr)
}

test_expect_success 'setup: the trees, with and without DWARF, with and without the extra functions' '
	tree dwarf -g &&
	tree nodwarf &&
	tree nodwarf-extra -DEXTRA &&
	tree dwarf-extra -g -DEXTRA
'

test_expect_success 'the fixture is what it pins: three datagram.c, each with a helper' '
	readelf -sW dwarf/vmlinux | awk "\$4 == \"FILE\" || \$8 == \"helper\" { print \$4, \$8 }" >actual &&
	cat >expect <<-\EOF &&
	FILE datagram.c
	FUNC helper
	FILE datagram.c
	FUNC helper
	FILE datagram.c
	FUNC helper
	EOF
	test_cmp expect actual &&
	! readelf -SW nodwarf/vmlinux | grep -q debug_info
'

test_expect_success 'with DWARF and the tree path: placed by the DWARF, ipv6'"'"'s helper (position 3)' '
	test_expect_code 0 cdo_in dwarf -p net/ipv6/datagram.o &&
	echo "changed function: ip6_dgram (code)" >expect &&
	test_cmp expect dwarf/stdout &&
	grep -v "read the paths of" dwarf/stderr >actual &&
	echo "create-diff-object: orig.o: placed as block 3 of the 3 of source file datagram.c in vmlinux, by the target'"'"'s DWARF (compile unit $TRASH/dwarf/net/ipv6/datagram.c)" >expect &&
	test_cmp expect actual &&
	grep -q "^create-diff-object: vmlinux: read the paths of 3 compile units from its DWARF in [0-9.]* s$" dwarf/stderr &&
	lp-dump dwarf/out.o | grep helper >actual &&
	echo "K .text.ip6_dgram+0x6 R_X86_64_PC32 helper vmlinux addend=-4 sympos=3" >expect &&
	test_cmp expect actual
'

test_expect_success 'position 3 is the helper ipv6'"'"'s ip6_dgram calls: the third by address' '
	nm -n dwarf/vmlinux | awk "\$3 == \"helper\" { print \$1 }" | sed -n 3p |
		sed "s/^0*//" >expect &&
	objdump -d dwarf/vmlinux | sed -n "/<ip6_dgram>:/,/^$/p" |
		sed -n "s/.*call *\([0-9a-f]*\) <helper>.*/\1/p" >actual &&
	test_cmp expect actual
'

test_expect_success 'check-target places it the same way, when it checks a local' '
	(cd dwarf && check-target -n vmlinux -p net/ipv6/datagram.o orig.o vmlinux helper \
		>ct.stdout 2>ct.stderr) &&
	echo "same: helper" >expect &&
	test_cmp expect dwarf/ct.stdout &&
	grep -q "^check-target: orig.o: placed as block 3 of the 3 of source file datagram.c in vmlinux, by the target'"'"'s DWARF" dwarf/ct.stderr &&
	(cd dwarf && test_expect_code 1 check-target -n vmlinux orig.o vmlinux helper \
		>ct.stdout 2>ct.stderr) &&
	grep -q "^check-target: error: orig.o: 3 of the 3 blocks of source file datagram.c in vmlinux hold all of its local symbols, and neither rule tells" dwarf/ct.stderr
'

test_expect_success 'with DWARF but without the tree path, nor a telling order: refused, naming both rules' '
	rm -f dwarf/out.o &&
	test_expect_code 1 cdo_in dwarf &&
	grep -F "create-diff-object: error: orig.o: 3 of the 3 blocks of source file datagram.c in vmlinux hold all of its local symbols, and neither rule tells which is this object: DWARF: the object'"'"'s path in the kernel tree is not known (create-diff-object -p); local symbol order: 3 of them match; give the target with its DWARF (Debian: the vmlinux of linux-image-*-dbg) and the object'"'"'s path in the tree" dwarf/stderr &&
	cdo_missing dwarf/out.o
'

test_expect_success 'without DWARF, only ipv6'"'"'s block has exactly its local symbols: placed by their order' '
	test_expect_code 0 cdo_in nodwarf-extra -p net/ipv6/datagram.o &&
	echo "create-diff-object: orig.o: placed as block 3 of the 3 of source file datagram.c in vmlinux, the only one whose local symbols are its own in its order" >expect &&
	test_cmp expect nodwarf-extra/stderr &&
	lp-dump nodwarf-extra/out.o | grep helper >actual &&
	echo "K .text.ip6_dgram+0x6 R_X86_64_PC32 helper vmlinux addend=-4 sympos=3" >expect &&
	test_cmp expect actual
'

test_expect_success 'with DWARF too, the DWARF decides first' '
	test_expect_code 0 cdo_in dwarf-extra -p net/ipv6/datagram.o &&
	grep -q "placed as block 3 of the 3 of source file datagram.c in vmlinux, by the target'"'"'s DWARF" dwarf-extra/stderr
'

test_expect_success 'without DWARF, and the three blocks alike: refused' '
	test_expect_code 1 cdo_in nodwarf -p net/ipv6/datagram.o &&
	grep -F "create-diff-object: error: orig.o: 3 of the 3 blocks of source file datagram.c in vmlinux hold all of its local symbols, and neither rule tells which is this object: DWARF: vmlinux has no DWARF information; local symbol order: 3 of them match;" nodwarf/stderr &&
	cdo_missing nodwarf/out.o
'

test_expect_success 'a wrong tree path: no compile unit of that path, refused' '
	test_expect_code 1 cdo_in dwarf -p net/sctp/datagram.o &&
	grep -F "DWARF: no compile unit of its DWARF is net/sctp/datagram.c;" dwarf/stderr
'

# kernel/signal.c and arch/x86/kernel/signal.c, linked arch first as in
# vmlinux: both units' paths end with kernel/signal.c, both blocks hold
# helper; the unit named kernel/signal.c in its build directory is it.
test_expect_success 'a path that is the end of another: the unit of exactly that path places it (kernel/signal.c)' '
	mkdir -p sig/arch/x86/kernel sig/kernel sig/b/kernel &&
	cp "$SRC/signal-arch.c" sig/arch/x86/kernel/signal.c &&
	cp "$SRC/signal-kernel.c" sig/kernel/signal.c &&
	cp "$SRC/signal-kernel-patched.c" sig/b/kernel/signal.c &&
	(cd sig && "${CDO_X86_64_CC[@]}" -g -o arch/x86/kernel/signal.o arch/x86/kernel/signal.c &&
		"${CDO_X86_64_CC[@]}" -g -o kernel/signal.o kernel/signal.c &&
		"${CDO_X86_64_CC[@]}" -o orig.o kernel/signal.c) &&
	(cd sig/b && "${CDO_X86_64_CC[@]}" -o ../patched.o kernel/signal.c) &&
	ld -Ttext=0x1000000 -e 0 --unresolved-symbols=ignore-all -o sig/vmlinux \
		sig/arch/x86/kernel/signal.o sig/kernel/signal.o &&
	cdo_symvers sig/Module.symvers &&
	test_expect_code 0 cdo_in sig -p kernel/signal.o &&
	echo "changed function: kernel_signal (code)" >expect &&
	test_cmp expect sig/stdout &&
	grep -v "read the paths of" sig/stderr >actual &&
	echo "create-diff-object: orig.o: placed as block 2 of the 2 of source file signal.c in vmlinux, by the target'"'"'s DWARF (compile unit $TRASH/sig/kernel/signal.c)" >expect &&
	test_cmp expect actual &&
	lp-dump sig/out.o | grep helper >actual &&
	echo "K .text.kernel_signal+0x6 R_X86_64_PC32 helper vmlinux addend=-4 sympos=2" >expect &&
	test_cmp expect actual
'

test_expect_success 'the other signal.c is placed by its own unit' '
	mkdir -p sig2/b/arch/x86/kernel &&
	cp sig/vmlinux sig/Module.symvers sig2/ &&
	(cd sig && "${CDO_X86_64_CC[@]}" -o ../sig2/orig.o arch/x86/kernel/signal.c) &&
	sed "s/+ 7;/+ 8;/" "$SRC/signal-arch.c" >sig2/b/arch/x86/kernel/signal.c &&
	(cd sig2/b && "${CDO_X86_64_CC[@]}" -o ../patched.o arch/x86/kernel/signal.c) &&
	test_expect_code 0 cdo_in sig2 -p arch/x86/kernel/signal.o &&
	grep -v "read the paths of" sig2/stderr >actual &&
	echo "create-diff-object: orig.o: placed as block 1 of the 2 of source file signal.c in vmlinux, by the target'"'"'s DWARF (compile unit $TRASH/sig/arch/x86/kernel/signal.c)" >expect &&
	test_cmp expect actual
'

test_expect_success 'an object that needs none of its locals is not placed at all' '
	mkdir -p noloc &&
	cp nodwarf/vmlinux nodwarf/Module.symvers noloc/ &&
	mkdir -p noloc/a/net/ipv6 noloc/b/net/ipv6 &&
	printf "int ip6_dgram(int x)\n{\n\treturn x + 1;\n}\n" >noloc/a/net/ipv6/datagram.c &&
	printf "int ip6_dgram(int x)\n{\n\treturn x + 2;\n}\n" >noloc/b/net/ipv6/datagram.c &&
	(cd noloc/a && "${CDO_X86_64_CC[@]}" -o ../orig.o net/ipv6/datagram.c) &&
	(cd noloc/b && "${CDO_X86_64_CC[@]}" -o ../patched.o net/ipv6/datagram.c) &&
	test_expect_code 0 cdo_in noloc &&
	echo "changed function: ip6_dgram (code)" >expect &&
	test_cmp expect noloc/stdout &&
	test_file_empty noloc/stderr
'

test_done
