# shellcheck shell=bash
#
# sign.sh - signing the finished livepatch (--sign-key KEY --sign-cert CERT)
# for kernels that load only signed modules (CONFIG_MODULE_SIG_FORCE,
# lockdown).  The kernel's own sign-file appends the signature; nothing
# may rewrite the module after it (the signature covers every byte before
# it), so signing is the last thing done to the module.
#
# KEY is a PEM private key (it may hold the certificate too, as the
# kernel's signing_key.pem and kpatch-keygen's do) or a PKCS#11 URI
# ("pkcs11:..."), as sign-file takes them; CERT is the X.509 certificate,
# PEM or DER.  A passphrase comes from KBUILD_SIGN_PIN, as for sign-file.

# sign_check: before anything is built: KEY and CERT are readable, CERT is
# a certificate, KEY is its private key; KPB_SIGN_HASH is the target's
# CONFIG_MODULE_SIG_HASH.
sign_check() {
	local keypub certpub pass=(-passin "pass:${KBUILD_SIGN_PIN:-}")
	[ -n "$KPB_SIGN_KEY$KPB_SIGN_CERT" ] || return 0
	[ -n "$KPB_SIGN_KEY" ] || die "--sign-cert needs --sign-key (the private key of $KPB_SIGN_CERT)"
	[ -n "$KPB_SIGN_CERT" ] || die "--sign-key needs --sign-cert (the X.509 certificate of $KPB_SIGN_KEY)"
	command -v openssl >/dev/null || die "--sign-key: openssl is not installed (Debian package openssl)"
	[ -r "$KPB_SIGN_CERT" ] || die "$KPB_SIGN_CERT: cannot read the certificate (--sign-cert)"
	certpub=$(openssl x509 -in "$KPB_SIGN_CERT" -noout -pubkey 2>/dev/null ||
		openssl x509 -inform DER -in "$KPB_SIGN_CERT" -noout -pubkey 2>/dev/null) ||
		die "$KPB_SIGN_CERT: not an X.509 certificate, PEM or DER (--sign-cert)"
	KPB_SIGN_SIGNER=$( { openssl x509 -in "$KPB_SIGN_CERT" -noout -subject -nameopt multiline 2>/dev/null ||
		openssl x509 -inform DER -in "$KPB_SIGN_CERT" -noout -subject -nameopt multiline; } |
		sed -n 's/^ *commonName *= *//p')
	case $KPB_SIGN_KEY in
	pkcs11:*)
		say "note: --sign-key is a PKCS#11 URI: sign-file checks it when it signs, at the end"
		;;
	*)
		[ -r "$KPB_SIGN_KEY" ] || die "$KPB_SIGN_KEY: cannot read the private key (--sign-key)"
		keypub=$(openssl pkey -in "$KPB_SIGN_KEY" "${pass[@]}" -pubout 2>/dev/null) ||
			die "$KPB_SIGN_KEY: not a PEM private key, or its passphrase (KBUILD_SIGN_PIN) is wrong (--sign-key)"
		[ "$keypub" = "$certpub" ] ||
			die "$KPB_SIGN_KEY is not the private key of $KPB_SIGN_CERT (their public keys differ); a module signed with it would be refused"
		KPB_SIGN_KEY=$(realpath "$KPB_SIGN_KEY")
		;;
	esac
	KPB_SIGN_CERT=$(realpath "$KPB_SIGN_CERT")
	KPB_SIGN_HASH=$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"$/\1/p' "$KPB_CONFIG")
	if [ -z "$KPB_SIGN_HASH" ]; then
		KPB_SIGN_HASH=sha256
		say "warning: $KPB_CONFIG has no CONFIG_MODULE_SIG_HASH (CONFIG_MODULE_SIG is off): that kernel does not check signatures; signing with $KPB_SIGN_HASH anyway"
	fi
	[[ $KPB_SIGN_HASH =~ ^[a-z0-9-]+$ ]] || die "$KPB_CONFIG: CONFIG_MODULE_SIG_HASH=\"$KPB_SIGN_HASH\" is no hash name"
}

# sign_file_find: KPB_SIGN_FILE, the kernel's sign-file: the prepared tree's
# (built when the config signs modules), Debian's linux-kbuild package's
# for this version, or compiled from SRC's scripts/sign-file.c into the
# scratch directory (libssl-dev).
sign_file_find() {
	local v k
	v=$(src_version)
	v=${v%.*}
	for k in "${KPB_OBJ:+$KPB_OBJ/scripts/sign-file}" "/usr/lib/linux-kbuild-$v/scripts/sign-file"; do
		if [ -n "$k" ] && [ -x "$k" ]; then
			KPB_SIGN_FILE=$k
			return 0
		fi
	done
	KPB_SIGN_FILE=$KPB_SCRATCH/sign-file
	log_cmd gcc -O2 -I "$KPB_SRC/scripts" -o "$KPB_SIGN_FILE" "$KPB_SRC/scripts/sign-file.c" -lcrypto
	gcc -O2 -I "$KPB_SRC/scripts" -o "$KPB_SIGN_FILE" "$KPB_SRC/scripts/sign-file.c" -lcrypto \
		>"$KPB_SCRATCH/sign-file.log" 2>&1 || {
		tail_log "$KPB_SCRATCH/sign-file.log"
		die "no sign-file in $KPB_OBJ/scripts or /usr/lib/linux-kbuild-$v, and compiling $KPB_SRC/scripts/sign-file.c failed (needs libssl-dev)"
	}
}

# sign_module FILE: append the signature to FILE (through a copy renamed
# over it: an interrupted run leaves no half-signed module); the last line's
# words in KPB_SIGN_SUMMARY.
sign_module() {
	local f=$1 log=$KPB_SCRATCH/sign.log
	sign_file_find
	cp "$f" "$f.signing"
	log_cmd "$KPB_SIGN_FILE" "$KPB_SIGN_HASH" "$KPB_SIGN_KEY" "$KPB_SIGN_CERT" "$f.signing"
	"$KPB_SIGN_FILE" "$KPB_SIGN_HASH" "$KPB_SIGN_KEY" "$KPB_SIGN_CERT" "$f.signing" >"$log" 2>&1 || {
		rm -f "$f.signing" "$f"
		tail_log "$log"
		die "signing $f with $KPB_SIGN_KEY failed (sign-file above); no module written"
	}
	tail -c 28 "$f.signing" | grep -q 'Module signature appended' || {
		rm -f "$f.signing" "$f"
		die "sign-file left no signature on $f; no module written"
	}
	mv "$f.signing" "$f"
	# shellcheck disable=SC2034 # kpatch-build's last line
	KPB_SIGN_SUMMARY="signed ($KPB_SIGN_HASH, ${KPB_SIGN_SIGNER:-$KPB_SIGN_CERT})"
}
