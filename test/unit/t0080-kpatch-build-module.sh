#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='kpatch-build'"'"'s module stage (lib/module.sh): what the livepatch'"'"'s source gets from the diff objects'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# ns NAMES SYMVERS: symvers_namespaces of kpatch-build/lib/module.sh.
ns() {
	bash -c 'set -o errexit -o nounset -o pipefail; . "$1/kpatch-build/lib/module.sh"; symvers_namespaces "$2" "$3"' \
		ns "$SRC" "$1" "$2"
}

# Debian 6.12.118's arch/x86/mm/pat/set_memory.c calls
# cpu_cache_has_invalidate_memregion, EXPORT_SYMBOL_NS_GPL(..., DEVMEM):
# modpost refused the livepatch until it imported DEVMEM.
test_expect_success 'the namespaces of the exports the diff objects use, once each, sorted' '
	printf "0x1\t%s\tvmlinux\t%s\t%s\n" \
		cpu_cache_has_invalidate_memregion EXPORT_SYMBOL_GPL DEVMEM \
		cpu_cache_invalidate_memregion EXPORT_SYMBOL_GPL DEVMEM \
		insert_resource_expand_to_fit EXPORT_SYMBOL_GPL CXL \
		printk EXPORT_SYMBOL "" \
		dma_buf_get EXPORT_SYMBOL_GPL DMA_BUF >Module.symvers &&
	printf "%s\n" printk cpu_cache_invalidate_memregion cpu_cache_has_invalidate_memregion \
		insert_resource_expand_to_fit .klp.sym.vmlinux.cpa_flush,0 >undefined &&
	ns undefined Module.symvers >actual &&
	printf "CXL\nDEVMEM\n" >expect &&
	test_cmp expect actual &&
	echo printk >plain &&
	ns plain Module.symvers >actual &&
	test_file_empty actual
'

test_done
