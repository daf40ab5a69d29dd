# shellcheck shell=bash
#
# vm.sh - boot the test kernel with an initramfs under qemu (TCG) and
# judge the run from its serial console.
#
#	vm_cmdline [ARG...]		the kernel command line vm_run passes,
#					exactly as /proc/cmdline shows it
#	vm_run LOG INITRD [ARG...]	boot; 0 when the guest passed
#	vm_stop				kill a running qemu (for EXIT traps)
#
# A run passes only when the console shows "KPNG-RESULT: PASS" (printed by
# guest/init after /test.sh succeeded) and no kernel panic, oops, BUG or
# WARNING.  The console is saved to LOG (carriage returns removed) whatever
# happens; on failure its path and last 40 lines are printed.
#
# Settings (environment):
#	KPNG_VM_TIMEOUT	seconds before qemu is killed (default 120)
#	KPNG_VM_MEMORY	guest memory in MiB (default 512)
#	KPNG_VM_SMP	guest CPUs (default 2: livepatch transitions then
#			meet tasks running on another CPU)
#
# A test that boots another kernel than the test kernel (t0300: Debian's)
# sets VM_IMAGE to its boot image and the array VM_QEMU_ARGS to its
# machine arguments (debian_vm_setup); unset, they are $KERNEL_IMAGE and
# ARCH_QEMU_ARGS.
#
# Needs lib/common.sh, lib/arch.sh and lib/kernel.sh (kernel_ensure done).

VM_TIMEOUT=${KPNG_VM_TIMEOUT:-120}
VM_MEMORY=${KPNG_VM_MEMORY:-512}
VM_SMP=${KPNG_VM_SMP:-2}
VM_PID=
# Lines of a console log that fail a run even when the guest passed.
VM_CRASH_PATTERN='Kernel panic|Oops|BUG:|WARNING:|general protection fault|Unable to handle kernel|Call Trace:'

# vm_cmdline [ARG...]: the kernel command line.  panic=-1 reboots at once
# on a panic and oops=panic turns an oops into one, so a crashed guest
# ends the run (-no-reboot) instead of waiting for the timeout.
vm_cmdline() {
	local args=("${ARCH_CMDLINE[@]}" panic=-1 oops=panic "$@")
	echo "${args[*]}"
}

# vm_run LOG INITRD [ARG...]: boot $KERNEL_IMAGE with INITRD and the
# command line `vm_cmdline ARG...`; the console goes to LOG.  Returns 0
# when the guest passed, 1 otherwise (with the reason on stderr).  Sets
# VM_SECONDS to the run's wall time.
vm_run() {
	local try
	for try in 1 2; do
		vm_run_once "$@" && return 0
		# A kernel that died while booting, before guest/init printed
		# anything, ran nothing of the test's (the modules load from
		# /test.sh): an emulator or boot flake (a double fault in early
		# kmalloc was seen once in 25 boots of Debian's kernel under
		# TCG).  Once more, saying so; a failure after that counts.
		grep -q '^KPNG-GUEST:' "$1" && return 1
		[ "$try" -eq 1 ] || return 1
		mv "$1" "$1.boot$try"
		warn "the kernel died before /init ran ($1.boot$try); booting once more"
	done
}

vm_run_once() {
	local log=$1 initrd=$2 rc=0 t0 reason=
	local machine=("${ARCH_QEMU_ARGS[@]}")
	shift 2
	[ -z "${VM_QEMU_ARGS+set}" ] || machine=("${VM_QEMU_ARGS[@]}")
	local cmd=(timeout --kill-after=5 "$VM_TIMEOUT"
		"$ARCH_QEMU" "${machine[@]}"
		-nographic -no-reboot
		-m "$VM_MEMORY" -smp "$VM_SMP"
		-kernel "${VM_IMAGE:-$KERNEL_IMAGE}" -initrd "$initrd"
		-append "$(vm_cmdline "$@")")
	mkdir -p "$(dirname "$log")"
	{
		echo "# $(printf '%q ' "${cmd[@]}")"
	} >"$log.cmd"
	t0=$(now)
	# In the background so an INT/TERM trap of the caller can vm_stop it.
	"${cmd[@]}" </dev/null >"$log" 2>&1 &
	VM_PID=$!
	wait "$VM_PID" || rc=$?
	VM_PID=
	VM_SECONDS=$(elapsed "$t0")
	sed -i -e 's/\r$//' "$log"

	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		reason="timed out after $VM_TIMEOUT s (KPNG_VM_TIMEOUT); qemu was killed"
	elif [ "$rc" -ne 0 ]; then
		reason="qemu exited with status $rc (command: $log.cmd)"
	elif grep -E -q "$VM_CRASH_PATTERN" "$log"; then
		reason="the kernel crashed or warned: $(grep -E -m 1 "$VM_CRASH_PATTERN" "$log")"
	elif grep -q '^KPNG-RESULT: FAIL' "$log"; then
		reason="the guest test failed: $(grep -m 1 '^KPNG-RESULT: FAIL' "$log")"
	elif ! grep -q '^KPNG-RESULT: PASS$' "$log"; then
		reason="the console shows no KPNG-RESULT line (did the kernel boot and run /init?)"
	fi
	if [ -z "$reason" ]; then
		return 0
	fi
	warn "VM run failed after $VM_SECONDS: $reason"
	if grep -q '^FAIL: ' "$log"; then
		echo "$PROG: the guest's failed check:" >&2
		grep -A 2 '^FAIL: ' "$log" | sed -e 's/^/    /' >&2
	fi
	show_tail "$log" 40
	warn "console log kept: $log"
	return 1
}

# vm_stop: kill the qemu of a vm_run in progress, if any (timeout passes
# the signal on to qemu).
vm_stop() {
	if [ -n "${VM_PID:-}" ]; then
		kill "$VM_PID" 2>/dev/null || true
		wait "$VM_PID" 2>/dev/null || true
		VM_PID=
	fi
}
