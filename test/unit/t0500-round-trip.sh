#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='kelf-copy writes back what it read'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# round_trip OBJ: the copy (copy/OBJ: elf_view then prints the same
# name) reads the same, passes eu-elflint, and a copy of the copy is the
# same file byte for byte.
round_trip() {
	local obj=$1
	kelf-copy "$obj" "copy/$obj" &&
	kelf-copy "copy/$obj" "copy2/$obj" &&
	elf_view "$obj" >"$obj.expect" &&
	elf_view "copy/$obj" >"$obj.actual" &&
	test_cmp "$obj.expect" "$obj.actual" &&
	eu-elflint --gnu-ld "copy/$obj" >"$obj.lint" &&
	echo "No errors" >"$obj.nolint" &&
	test_cmp "$obj.nolint" "$obj.lint" &&
	cmp "copy/$obj" "copy2/$obj"
}

test_expect_success 'setup: the fixtures, and the duplicate names linked into one object' '
	setup_fixtures &&
	mkdir copy copy2 &&
	for arch in x86_64 arm64; do
		kernel_ld $arch -r -o dup-local-name.$arch.o \
			dup-local-name-func.$arch.o dup-local-name-var.$arch.o
	done
'

for arch in "${FIXTURE_ARCHES[@]}"; do
	for name in "${ALL_FIXTURES[@]}" dup-local-name; do
		test_expect_success "round trip: $name.$arch.o" "
			round_trip $name.$arch.o
		"
	done
done

test_expect_success 'the view sees a difference: a changed symbol size is caught' '
	mkdir changed &&
	cp static-local.x86_64.o changed/ &&
	elf-patch changed/static-local.x86_64.o sym bump st_size 20 &&
	elf_view static-local.x86_64.o >expect &&
	elf_view changed/static-local.x86_64.o >actual &&
	test_expect_code 1 test_cmp expect actual >diff &&
	grep -c "^[-+] " diff >count &&
	echo 2 >expect &&
	test_cmp expect count
'

test_expect_success 'kelf-copy writes over an existing file and leaves no temporary' '
	echo old >out.o &&
	kelf-copy static-local.x86_64.o out.o &&
	cmp copy/static-local.x86_64.o out.o &&
	ls out.o* >actual &&
	echo out.o >expect &&
	test_cmp expect actual
'

test_done
