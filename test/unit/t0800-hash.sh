#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='util/hash.c: the chained hash table under 100000 keys'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# hash-test (test/tools/hash-test.c) prints what it observes, one fact a
# line; an invariant it checks itself (chain tails, chain length at most
# 12, hash_free) prints "FAIL: ..." and makes it exit 1.

test_expect_success 'hash-test runs and its own invariants hold' '
	hash-test >out &&
	tail -n 1 out >actual &&
	echo "all checks passed" >expect &&
	test_cmp expect actual
'

test_expect_success 'hash_str is FNV-1a 64: the published test vectors' '
	grep "^hash_str" out >actual &&
	cat >expect <<-\EOF &&
	hash_str("") = 0xcbf29ce484222325
	hash_str("a") = 0xaf63dc4c8601ec8c
	hash_str("foobar") = 0x85944171f73967e8
	EOF
	test_cmp expect actual
'

test_expect_success 'the table doubles when an insert finds it full, up to 131072 buckets' '
	grep -E "^(initial|grew|count)" out >actual &&
	cat >expect <<-\EOF &&
	initial buckets: 16
	grew 16 -> 32 buckets at insert 17
	grew 32 -> 64 buckets at insert 33
	grew 64 -> 128 buckets at insert 65
	grew 128 -> 256 buckets at insert 129
	grew 256 -> 512 buckets at insert 257
	grew 512 -> 1024 buckets at insert 513
	grew 1024 -> 2048 buckets at insert 1025
	grew 2048 -> 4096 buckets at insert 2049
	grew 4096 -> 8192 buckets at insert 4097
	grew 8192 -> 16384 buckets at insert 8193
	grew 16384 -> 32768 buckets at insert 16385
	grew 32768 -> 65536 buckets at insert 32769
	grew 65536 -> 131072 buckets at insert 65537
	count: 100000, buckets: 131072
	EOF
	test_cmp expect actual
'

test_expect_success 'each of the 100000 keys is found, and only it; absent keys are not' '
	grep -E "^(lookups|absent)" out >actual &&
	cat >expect <<-\EOF &&
	lookups: 100000 found, 0 wrong, 0 missing
	absent keys found: 0 of 1000
	EOF
	test_cmp expect actual
'

test_expect_success 'duplicate keys chain in insertion order across growths; hash_del unlinks any of them' '
	grep -E "^(duplicates|buckets after|zeroed)" out >actual &&
	cat >expect <<-\EOF &&
	duplicates in insertion order: 0 1 2 3 4
	buckets after 5000 inserts from 4: 8192
	duplicates after deleting 2, 0 and 4 and adding 0 again: 1 3 0 (count 4998)
	zeroed table buckets after one insert: 16
	EOF
	test_cmp expect actual
'

test_done
