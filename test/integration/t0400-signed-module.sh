#!/usr/bin/env bash
# t0400-signed-module: signed livepatches for kernels that load only
# signed modules.  The test kernel's "sig" variant (config/variant-sig.config)
# has CONFIG_MODULE_SIG_FORCE and trusts one key, made by kpatch-keygen when
# the kernel was built.  kpatch-build --sign-key/--sign-cert checks a key
# before building anything, signs with the kernel's hash, says so last, and
# the signature is the module's last bytes (modinfo shows the signer); in
# the guest an unsigned livepatch and one signed by another key are refused
# by the kernel, and the signed one loads, works, disables and unloads.
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR
# shellcheck disable=SC2034 # read by lib/kernel.sh
KERNEL_VARIANT=sig
# shellcheck source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kpatch-build.sh
. "$BENCH_ROOT/lib/kpatch-build.sh"

P=001-proc-cmdline
TRUSTED=$KERNEL_DIR/trusted
KEYGEN=$BENCH_ROOT/../../kpatch-build/kpatch-keygen
TRUSTED_CN="kpatch-ng test kernel trusted key"

kernel_enforces() {
	grep -x 'CONFIG_MODULE_SIG_FORCE=y' "$KERNEL_BUILD/.config"
	grep -x "CONFIG_MODULE_SIG_KEY=\"$TRUSTED/signing_key.pem\"" "$KERNEL_BUILD/.config"
	# The build embedded the trusted key's certificate.
	cmp <(openssl x509 -in "$TRUSTED/signing_cert.pem" -outform DER) \
		"$KERNEL_BUILD/certs/signing_key.x509"
}

keygen_refuses_overwrite() {
	local rc=0
	"$KEYGEN" -o "$SCRATCH/other" --cn "kpatch-ng untrusted key"
	"$KEYGEN" -o "$SCRATCH/other" >"$SCRATCH/keygen2.log" 2>&1 || rc=$?
	cat "$SCRATCH/keygen2.log"
	[ "$rc" -eq 1 ]
	grep -qF "$SCRATCH/other/signing_key.pem exists; not overwriting a key" "$SCRATCH/keygen2.log"
	[ "$(stat -c %a "$SCRATCH/other/signing_key.pem")" = 600 ]
}

# bad_key NAME TEXT ARGS...: kpatch-build with ARGS fails at once (exit 1,
# no stage started, no module) with TEXT in its output.
bad_key() {
	local name=$1 text=$2 rc=0
	shift 2
	kpb "$name" "$@" "$PATCHES/$P.patch" || rc=$?
	cat "$SCRATCH/$name.log"
	[ "$rc" -eq 1 ] || die "exit status $rc, expected 1"
	grep -qF -- "$text" "$SCRATCH/$name.log" || die "no '$text' in the output"
	! grep -q 'kpatch-build: stage ' "$SCRATCH/$name.log" || die "a stage started before the key was checked"
	[ ! -e "$SCRATCH/$name/livepatch-$name.ko" ]
}

bad_keys() {
	bad_key nokey "$SCRATCH/none.pem: cannot read the private key (--sign-key)" \
		-n nokey --sign-key "$SCRATCH/none.pem" --sign-cert "$TRUSTED/signing_cert.pem"
	bad_key mismatch "is not the private key of $TRUSTED/signing_cert.pem (their public keys differ)" \
		-n mismatch --sign-key "$SCRATCH/other/signing_key.pem" --sign-cert "$TRUSTED/signing_cert.pem"
	printf 'not a certificate\n' >"$SCRATCH/junk.pem"
	bad_key junkcert "$SCRATCH/junk.pem: not an X.509 certificate, PEM or DER (--sign-cert)" \
		-n junkcert --sign-key "$TRUSTED/signing_key.pem" --sign-cert "$SCRATCH/junk.pem"
	bad_key nocert "--sign-key needs --sign-cert" -n nocert --sign-key "$TRUSTED/signing_key.pem"
}

# build NAME [ARGS...]: kpatch-build 001 as livepatch-NAME.ko
build() {
	local name=$1
	shift
	kpb "$name" -n "$P" "$@" "$PATCHES/$P.patch" || {
		cat "$SCRATCH/$name.log"
		die "kpatch-build failed"
	}
	cat "$SCRATCH/$name.log"
	[ -f "$SCRATCH/$name/livepatch-$P.ko" ]
}

# unsigned_part KO: KO without its appended signature (the module_signature
# trailer: 12 bytes whose last 4 are the signature's length, big-endian,
# then the 28-byte marker).
unsigned_part() {
	local ko=$1 size siglen
	size=$(stat -c %s "$ko")
	siglen=$(tail -c 32 "$ko" | head -c 4 | od -An -tu1 |
		awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
	head -c $((size - 28 - 12 - siglen)) "$ko"
}

build_all() {
	build unsigned
	if tail -n 1 "$SCRATCH/unsigned.log" | grep -q ", signed ("; then
		die "the unsigned build's last line says it is signed"
	fi
	build trusted --sign-key "$TRUSTED/signing_key.pem" --sign-cert "$TRUSTED/signing_cert.der"
	tail -n 1 "$SCRATCH/trusted.log" |
		grep -E "^kpatch-build: wrote .*/livepatch-$P\.ko.*, signed \(sha256, $TRUSTED_CN\), in [0-9.]+ s$"
	grep -E '^kpatch-build: stage sign: [0-9.]+ s, signed \(sha256' "$SCRATCH/trusted.log"
	build untrusted --sign-key "$SCRATCH/other/signing_key.pem" --sign-cert "$SCRATCH/other/signing_cert.pem"
}

signature_is_last() {
	local ko=$SCRATCH/trusted/livepatch-$P.ko
	[ "$(tail -c 28 "$ko")" = "~Module signature appended~" ]
	[ "$(modinfo -F signer "$ko")" = "$TRUSTED_CN" ]
	[ "$(modinfo -F sig_hashalgo "$ko")" = sha256 ]
	[ "$(modinfo -F signer "$SCRATCH/untrusted/livepatch-$P.ko")" = "kpatch-ng untrusted key" ]
	[ -z "$(modinfo -F signer "$SCRATCH/unsigned/livepatch-$P.ko")" ]
	# What was signed is the module kpatch-build builds unsigned: nothing
	# rewrote it after signing, and signing changed no byte of it.
	cmp <(unsigned_part "$ko") "$SCRATCH/unsigned/livepatch-$P.ko"
}

guest_cycle() {
	{
		cat <<'GUEST'
# shellcheck shell=sh
# The kernel refuses the unsigned and the untrusted livepatch first.
refused() {
	mark=$(dmesg -r | wc -l)
	if insmod "$1" 2>/tmp/insmod.err; then
		fail "insmod $1 succeeded; the kernel should refuse it ($2)"
	fi
	cat /tmp/insmod.err
	ok "insmod $1 failed"
	dmesg -r | tail -n +$((mark + 1)) | grep -F "$2" ||
		fail "no '$2' in the kernel log"
	ok "the kernel says: $2"
	assert_absent "/sys/module/$KLP_NAME"
	assert_absent "/sys/kernel/livepatch/$KLP_NAME"
}
setup() {
	refused /lib/kpng/unsigned.ko "Loading of unsigned module is rejected"
	refused /lib/kpng/untrusted.ko "Loading of module with unavailable key is rejected"
}
GUEST
		cat "$PATCHES/$P.guest.sh"
	} >"$SCRATCH/checks.sh"
	GUEST_LOG=signed kpb_cycle "$P" "$SCRATCH/trusted/livepatch-$P.ko" "$SCRATCH/checks.sh" \
		"$SCRATCH/unsigned/livepatch-$P.ko" /lib/kpng/unsigned.ko \
		"$SCRATCH/untrusted/livepatch-$P.ko" /lib/kpng/untrusted.ko
}

mkdir -p "$SCRATCH"

check "the test kernel enforces signatures and trusts the key kpatch-keygen made" kernel_enforces
check "kpatch-keygen makes a second key pair and will not overwrite it" keygen_refuses_overwrite
check "a missing, mismatched or malformed key is an error before anything is built" bad_keys
check "kpatch-build: unsigned, signed by the trusted key, signed by another" build_all
check "the signature is the module's last bytes; modinfo shows the signer" signature_is_last
check "guest: unsigned and untrusted refused; the signed livepatch loads, patches, disables, unloads" guest_cycle
test_done
