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

# arch_setup ARCH: set the ARCH_* variables, or die if ARCH is unknown or
# not supported yet.
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
		ARCH_QEMU_ARGS=(-machine microvm -cpu max -nic none)
		# ttyS0: microvm's ISA serial port, qemu's stdio under
		# -nographic.  reboot=t: reset by triple fault, which -no-reboot
		# turns into qemu exiting; microvm has no keyboard controller,
		# the kernel's default way, and hangs in "Restarting system".
		ARCH_CMDLINE=(console=ttyS0 reboot=t)
		# Debian's cloud kernel (ACPI, PCI) hangs on microvm's
		# defaults after "tsc: Unable to calibrate against PIT" (microvm
		# with rtc=on or pit=on boots); q35 is the PC it is built for,
		# for 0.7 s more.  Same console and reboot method.
		ARCH_DISTRO_QEMU_ARGS=(-machine q35 -cpu max -nic none)
		;;
	arm64)
		die "arch arm64 is not supported yet by the VM test bench (only x86_64)"
		;;
	*)
		die "unknown arch '$ARCH_NAME' (supported: x86_64)"
		;;
	esac
}
