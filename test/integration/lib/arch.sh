# shellcheck shell=bash
# The ARCH_* variables are for the scripts that source this file.
# shellcheck disable=SC2034
#
# arch.sh - the per-architecture facts of the VM test bench, as data.
#
# arch_setup ARCH fills the ARCH_* variables below; nothing else in the
# bench names an architecture.  Adding one means adding a case here, a
# config/ARCH.config fragment, and nothing more.
#
#	ARCH_NAME		the bench's name for it (x86_64, arm64)
#	ARCH_KERNEL		ARCH= for the kernel's make (x86_64, arm64)
#	ARCH_CROSS_COMPILE	CROSS_COMPILE= for the kernel's make ('' = native)
#	ARCH_IMAGE_TARGET	the make target of the bootable image (bzImage)
#	ARCH_IMAGE		that image, relative to the build directory
#	ARCH_QEMU		the qemu binary
#	ARCH_QEMU_ARGS		machine, CPU and device arguments (array)
#	ARCH_CMDLINE		kernel command line arguments the machine
#				needs: serial console, reboot method (array)
#	ARCH_DISTRO_QEMU_ARGS	ARCH_QEMU_ARGS for a distribution's kernel
#				(lib/debian.sh), which expects a real PC (array)
#	ARCH_SERIES		the kernel series of its test kernel (lib/kernel.sh,
#				KERNEL_SERIES): 6.12, or 7 where 6.12 cannot
#				livepatch
#	ARCH_DEB		Debian's name for it (amd64, arm64): the
#				guest's busybox is busybox-static:ARCH_DEB
#	ARCH_TESTS		the test files run.sh runs by default, as
#				globs of test/integration/ (array)
#	ARCH_TESTS_NOTE		why the others do not apply ('' = all apply)

# One host thread runs all the guest's CPUs (still two of them, so
# livepatch transitions meet tasks on another CPU).  With a thread per CPU,
# a CPU can run code translated before another one rewrote it: when the
# kernel flips a static key (sched_clock marked stable, just after boot)
# by int3 patching, a CPU then traps on an int3 already gone ("Oops:
# int3" in unmap_page_range, seen once in a full run).
ARCH_TCG=(-accel "tcg,thread=single")

# arch_setup ARCH: set the ARCH_* variables, or die if ARCH is unknown.
arch_setup() {
	ARCH_NAME=$1
	case $ARCH_NAME in
	x86_64)
		ARCH_KERNEL=x86_64
		ARCH_CROSS_COMPILE=
		ARCH_IMAGE_TARGET=bzImage
		ARCH_IMAGE=arch/x86/boot/bzImage
		ARCH_QEMU=qemu-system-x86_64
		# TCG (no KVM here).  "-cpu max" is every feature TCG emulates;
		# it has no CET, so the kernel's IBT is compiled in but stays
		# off at run time (ENDBR64 executes as a NOP), as on any
		# non-CET host running a Debian kernel.
		#
		# microvm, not pc: the test kernel has no ACPI, and on "pc"
		# SeaBIOS's MP table lists only the boot CPU, so -smp 2 gave
		# one CPU; microvm's firmware lists them all.  It also boots
		# faster (no PCI bus, no option ROMs).  -nic none: no network.
		ARCH_QEMU_ARGS=(-machine microvm -cpu max -nic none "${ARCH_TCG[@]}")
		# ttyS0: microvm's ISA serial port, qemu's stdio under
		# -nographic.  reboot=t: reset by triple fault, which -no-reboot
		# turns into qemu exiting; microvm has no keyboard controller,
		# the kernel's default way, and hangs in "Restarting system".
		ARCH_CMDLINE=(console=ttyS0 reboot=t)
		# Debian's cloud kernel (ACPI, PCI) hangs on microvm's
		# defaults after "tsc: Unable to calibrate against PIT" (microvm
		# with rtc=on or pit=on boots); q35 is the PC it is built for,
		# for 0.7 s more.  Same console and reboot method.
		ARCH_DISTRO_QEMU_ARGS=(-machine q35 -cpu max -nic none "${ARCH_TCG[@]}")
		ARCH_SERIES=6.12
		ARCH_DEB=amd64
		ARCH_TESTS=('t[0-9][0-9][0-9][0-9]-*.sh')
		ARCH_TESTS_NOTE=
		;;
	arm64)
		ARCH_KERNEL=arm64
		ARCH_CROSS_COMPILE=aarch64-linux-gnu-
		# The uncompressed Image: qemu boots it directly (arm64 has no
		# self-decompressing image; Image.gz would only save disk).
		ARCH_IMAGE_TARGET=Image
		ARCH_IMAGE=arch/arm64/boot/Image
		ARCH_QEMU=qemu-system-aarch64
		# TCG.  virt: the generic board (GICv2, PL011, PSCI, device
		# tree), nothing to probe.  "-cpu max" has pointer
		# authentication and BTI, so unlike x86's IBT under TCG the
		# kernel's PAC (config/arm64.config) runs for real.
		# pauth-impdef=on: an implementation-defined PAC algorithm
		# instead of QARMA5, which TCG computes in software on every
		# signed return: the boot took twice as long (2.3 s, not 1.2 s).
		ARCH_QEMU_ARGS=(-machine virt -cpu "max,pauth-impdef=on" -nic none "${ARCH_TCG[@]}")
		# ttyAMA0: virt's PL011, qemu's stdio under -nographic.  No
		# reboot= is needed: the kernel resets through PSCI
		# SYSTEM_RESET (the firmware interface virt describes in its
		# device tree), which -no-reboot turns into qemu exiting.
		ARCH_CMDLINE=(console=ttyAMA0)
		# No distribution kernel is booted on arm64 (lib/debian.sh
		# is Debian's cloud-amd64 kernel); virt would be its machine.
		ARCH_DISTRO_QEMU_ARGS=("${ARCH_QEMU_ARGS[@]}")
		# Linux 6.12 has no livepatching on arm64 (arch/arm64/Kconfig
		# selects neither HAVE_LIVEPATCH nor HAVE_RELIABLE_STACKTRACE);
		# 7.x has both (upstream since 6.17): the test kernel is 7.x,
		# config/arm64-7.config.
		ARCH_SERIES=7
		ARCH_DEB=arm64
		ARCH_TESTS=(t0002-modules-load.sh t0003-elf-roundtrip.sh t0500-arm64-patches.sh)
		ARCH_TESTS_NOTE="the x86_64 suite's patches are for Linux 6.12 (t0500 runs the arch-neutral ones that apply to 7.x), and the Debian kernel of t0300 is amd64"
		;;
	*)
		die "unknown arch '$ARCH_NAME' (supported: x86_64, arm64)"
		;;
	esac
}
