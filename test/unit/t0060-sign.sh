#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='kpatch-keygen, and kpatch-build checking --sign-key/--sign-cert before it builds'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034 # used in the test bodies
KEYGEN=$SRC/kpatch-build/kpatch-keygen
KPB=$SRC/kpatch-build/kpatch-build

test_expect_success 'kpatch-keygen: key + certificate PEM, certificate PEM and DER' '
	"$KEYGEN" -o keys --cn "unit test key" >out &&
	echo "kpatch-keygen: wrote keys/signing_key.pem (private: keep it safe), keys/signing_cert.pem, keys/signing_cert.der; CN=unit test key" >expect &&
	test_cmp expect out &&
	test "$(stat -c %a keys/signing_key.pem)" = 600 &&
	openssl pkey -in keys/signing_key.pem -noout &&
	openssl x509 -in keys/signing_key.pem -noout &&
	openssl x509 -in keys/signing_cert.pem -outform DER | cmp - keys/signing_cert.der &&
	openssl x509 -in keys/signing_cert.pem -noout -subject >subject &&
	echo "subject=CN = unit test key" >expect &&
	test_cmp expect subject &&
	openssl x509 -in keys/signing_cert.pem -noout -ext basicConstraints,keyUsage >ext &&
	grep -q "CA:FALSE" ext && grep -q "Digital Signature" ext
'

test_expect_success 'kpatch-keygen: never overwrites a key' '
	cp keys/signing_key.pem before &&
	test_expect_code 1 "$KEYGEN" -o keys 2>err &&
	echo "kpatch-keygen: error: keys/signing_key.pem exists; not overwriting a key (remove it, or use another -o)" >expect &&
	test_cmp expect err &&
	cmp before keys/signing_key.pem
'

test_expect_success 'kpatch-keygen --ecdsa: a P-384 key' '
	"$KEYGEN" -o ec --ecdsa >/dev/null &&
	openssl pkey -in ec/signing_key.pem -noout -text | grep -q "NIST CURVE: P-384"
'

# kpb_key_error TEXT ARGS...: kpatch-build fails with exactly this error
# before looking at the (absent) source tree.
kpb_key_error() {
	local text=$1
	shift
	echo "CONFIG_MODULE_SIG_HASH=\"sha512\"" >config &&
	printf -- "--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n" >x.patch &&
	test_expect_code 1 "$KPB" -s "$PWD/nosrc" -c config "$@" x.patch 2>err &&
	echo "kpatch-build: error: $text" >expect &&
	test_cmp expect err
}

test_expect_success 'kpatch-build: an unreadable key' '
	kpb_key_error "none.pem: cannot read the private key (--sign-key)" \
		--sign-key none.pem --sign-cert keys/signing_cert.pem
'

test_expect_success 'kpatch-build: a key that is not the certificate'"'"'s' '
	kpb_key_error "ec/signing_key.pem is not the private key of keys/signing_cert.pem (their public keys differ); a module signed with it would be refused" \
		--sign-key ec/signing_key.pem --sign-cert keys/signing_cert.pem
'

test_expect_success 'kpatch-build: a certificate that is none' '
	echo junk >junk.pem &&
	kpb_key_error "junk.pem: not an X.509 certificate, PEM or DER (--sign-cert)" \
		--sign-key keys/signing_key.pem --sign-cert junk.pem
'

test_expect_success 'kpatch-build: a key that is no key' '
	kpb_key_error "keys/signing_cert.pem: not a PEM private key, or its passphrase (KBUILD_SIGN_PIN) is wrong (--sign-key)" \
		--sign-key keys/signing_cert.pem --sign-cert keys/signing_cert.der
'

test_expect_success 'kpatch-build: a key without its certificate, and the reverse' '
	kpb_key_error "--sign-key needs --sign-cert (the X.509 certificate of keys/signing_key.pem)" \
		--sign-key keys/signing_key.pem &&
	kpb_key_error "--sign-cert needs --sign-key (the private key of keys/signing_cert.pem)" \
		--sign-cert keys/signing_cert.pem
'

test_expect_success 'kpatch-build: a good key pair passes the check (the missing tree is next)' '
	test_expect_code 1 "$KPB" -s "$PWD/nosrc" -c config \
		--sign-key keys/signing_key.pem --sign-cert keys/signing_cert.der x.patch 2>err &&
	echo "kpatch-build: error: $PWD/nosrc: no such directory (-s)" >expect &&
	test_cmp expect err
'

test_done
