# shellcheck shell=bash
#
# link.sh - the livepatch module's link without re-entering kbuild, once
# kbuild has shown, in the same object tree, that running its recorded
# commands gives its own module.
#
# `make M=DIR modules` spends about 0.7 s reading the top Makefile (the
# arch Makefile's compiler probes) before it links anything; the link
# itself (ld -r and objtool, modpost, the .mod.o, the .ko) takes a tenth of
# that.  kbuild records the exact command of each of those steps in the
# module directory's .cmd files (savedcmd_TARGET := CMD, with $ written $$
# and # written $(pound)).  A warm run whose module directory is as it was
# when those commands were recorded runs them itself, where kbuild ran
# them (link_cwd: the object tree, or on 7.x the module's directory):
#
#	NAME.o		.NAME.o.cmd (ld -r of livepatch-main.o and lp-diff.o;
#			objtool when kbuild runs it on the linked module)
#	Module.symvers	.Module.symvers.cmd (modpost: NAME.mod.c)
#	NAME.mod.o	.NAME.mod.o.cmd, when modpost wrote a new NAME.mod.c,
#			then fixdep as kbuild runs it (the .cmd stays kbuild's)
#	NAME.ko		.NAME.ko.cmd
#
# What kbuild does that no .cmd records (module BTF when the tree has a
# vmlinux, a check a future kbuild adds) is why a replay must be earned:
# after each make that links the module, link_calibrate replays every step
# and compares the module with kbuild's byte for byte.  Only when they are
# the same is the directory's state (link_key: the module's name, the
# Kbuild file, livepatch-main.c and the template's headers, the objects
# make alone compiles and none of their prerequisites newer, every .cmd
# file, the tree's vmlinux, the environment) marked good, in KPB_WARM
# (dropped with the rest of it when SRC changes).  A later run replays
# only in a state so marked, and falls back to make when a step fails
# (make then says why).  KPATCH_NG_WARM=0 turns it off with the rest of
# warm.sh.

# link_cmd CMDFILE: the command a .cmd file records, unescaped as make
# reads it; fails when there is none.
link_cmd() {
	local line
	[ -f "$1" ] && IFS= read -r line <"$1" || return 1
	[[ $line == savedcmd_*' := '?* ]] || return 1
	line=${line#* := }
	# $$ -> $ and $(pound) -> #, left to right, as make expands them.
	perl -e '$_ = $ARGV[0]; s/\$(\$|\(pound\))/$1 eq q($) ? q($) : q(#)/ge; print' -- "$line"
}

# link_key DIR MOD: what must be as it was for MOD's recorded link in DIR
# to be kbuild's (see above); fails when a .cmd file the replay runs is
# missing.
link_key() {
	local dir=$1 mod=$2 f
	for f in ".$mod.o.cmd" .Module.symvers.cmd ".$mod.mod.o.cmd" ".$mod.ko.cmd"; do
		[ -f "$dir/$f" ] || return 1
	done
	[ -f "$dir/livepatch-main.o" ] || return 1
	# make's rule for livepatch-main.o: compiled again when a file its
	# .cmd lists (livepatch-main.c, the template's headers beside it, the
	# kernel's) is newer; then make must link.
	link_fresh "$dir" livepatch-main.o || return 1
	{
		echo "link 2 $mod"
		# (A kbuild without .module-common.o links the .ko without it.)
		for f in Kbuild livepatch-main.c livepatch-api.h livepatch-format.h \
			livepatch-main.o livepatch.lds .module-common.o "$mod.mod" modules.order; do
			if [ -f "$dir/$f" ]; then
				(cd "$dir" && sha256sum "$f")
			else
				echo "no $f"
			fi
		done
		(cd "$dir" && find . -maxdepth 1 -name '.*.cmd' -printf '%f\n' | LC_ALL=C sort)
		for f in ".$mod.o.cmd" .Module.symvers.cmd ".$mod.mod.o.cmd" ".$mod.ko.cmd"; do
			head -n 1 "$dir/$f"
		done
		stat -L -c 'vmlinux %s %Y %i' "$KPB_OBJ/vmlinux" 2>/dev/null || echo "no vmlinux"
		# make reads the environment (KCFLAGS, LDFLAGS_MODULE...): the
		# state is the environment's, as warm_plan_key's plans are.
		warm_env
	} | sha256sum | cut -c1-32
}

# link_fresh DIR OBJ: no file OBJ's .cmd file lists (its deps_, as fixdep
# wrote them, relative to where kbuild compiled it) is newer than OBJ.
link_fresh() {
	local dir=$1 obj=$2 cwd deps d
	cwd=$(link_cwd "$dir" "$dir/.$obj.cmd") || return 1
	deps=$(cmd_deps "$dir/.$obj.cmd") && [ -n "$deps" ] || return 1
	while IFS= read -r d; do
		case $d in /*) ;; *) d=$cwd/$d ;; esac
		[ -e "$d" ] && [ ! "$d" -nt "$dir/$obj" ] || return 1
	done <<<"$deps"
}

# link_steps DIR MOD LOG FORCE: run the recorded steps (the .mod.o always
# with FORCE, else only when modpost wrote a new NAME.mod.c).
link_steps() {
	local dir=$1 mod=$2 log=$3 force=$4 c t cwd dep
	link_step "$log" "$dir" "$dir/.$mod.o.cmd" || return 1
	link_step "$log" "$dir" "$dir/.Module.symvers.cmd" || return 1
	if [ -n "$force" ] || [ "$dir/$mod.mod.c" -nt "$dir/$mod.mod.o" ]; then
		link_step "$log" "$dir" "$dir/.$mod.mod.o.cmd" || return 1
		[ -f "$dir/.$mod.mod.o.d" ] || return 1
		# fixdep as kbuild runs it: DEPFILE TARGET 'CMD as recorded',
		# the depfile named beside the target as the target is named.
		c=$(head -n 1 "$dir/.$mod.mod.o.cmd")
		c=${c#* := }
		t=$(link_target "$dir/.$mod.mod.o.cmd") &&
			cwd=$(link_cwd "$dir" "$dir/.$mod.mod.o.cmd") || return 1
		case $t in
		*/*) dep=${t%/*}/.${t##*/}.d ;;
		*) dep=.$t.d ;;
		esac
		(cd "$cwd" && "$KPB_OBJ/scripts/basic/fixdep" "$dep" "$t" "$c") \
			>"$dir/.$mod.mod.o.cmd.new" 2>>"$log" || return 1
		mv "$dir/.$mod.mod.o.cmd.new" "$dir/.$mod.mod.o.cmd"
		rm -f "$dir/.$mod.mod.o.d"
	fi
	link_step "$log" "$dir" "$dir/.$mod.ko.cmd"
}

# link_cwd DIR CMDFILE: where kbuild ran CMDFILE's command: the object
# tree when it named its target by an absolute path (Linux 6.12 builds an
# external module from the object tree), DIR when by the file's own name
# (7.x builds it in its directory, with paths relative to it); fails
# otherwise.
link_cwd() {
	local t want
	t=$(link_target "$2") || return 1
	want=${2##*/.}
	want=${want%.cmd}
	case $t in
	"$1/$want") echo "$KPB_OBJ" ;;
	"$want") echo "$1" ;;
	*) return 1 ;;
	esac
}

# link_target CMDFILE: the target a .cmd file names (savedcmd_TARGET).
link_target() {
	local line
	IFS= read -r line <"$1" && [[ $line == savedcmd_*' := '* ]] || return 1
	line=${line%% := *}
	echo "${line#savedcmd_}"
}

# link_step LOG DIR CMDFILE: one recorded command, where kbuild ran it
# (link_cwd), with the locale the top Makefile exports.
link_step() {
	local cmd cwd
	cmd=$(link_cmd "$3") || return 1
	cwd=$(link_cwd "$2" "$3") || return 1
	echo "  replay ${3##*/} (in $cwd)" >>"$1"
	run_logged "$1" env -C "$cwd" -u LC_ALL LC_COLLATE=C LC_NUMERIC=C sh -c "$cmd"
}

# link_replay DIR MOD LOG: link MOD in DIR by its recorded commands, when
# DIR is in a state a calibration marked good; fails (and the caller runs
# make) otherwise or when a step fails.
link_replay() {
	local dir=$1 mod=$2 log=$3 key
	[ -n "${KPB_WARM_FRESH:-}" ] && [ -n "${KPB_WARM:-}" ] || return 1
	key=$(link_key "$dir" "$mod") || return 1
	[ -f "$KPB_WARM/link.$key" ] || return 1
	echo "linked by kbuild's recorded commands (kpatch-build/lib/link.sh; state $key)" >>"$log"
	if ! link_steps "$dir" "$mod" "$log" ""; then
		echo "a recorded step failed: make links it" >>"$log"
		rm -f "$KPB_WARM/link.$key"
		return 1
	fi
	[ -f "$dir/$mod.ko" ]
}

# link_calibrate DIR MOD LOG: after make linked MOD in DIR: replay every
# step and mark the state good when the module is kbuild's, byte for byte;
# kbuild's module is kept either way.
link_calibrate() {
	local dir=$1 mod=$2 log=$3 key
	[ -n "${KPB_WARM_FRESH:-}" ] && [ -n "${KPB_WARM:-}" ] || return 0
	key=$(link_key "$dir" "$mod") || return 0
	[ ! -f "$KPB_WARM/link.$key" ] || return 0
	cp -p "$dir/$mod.ko" "$dir/$mod.ko.kbuild"
	echo "calibrating the recorded link (kpatch-build/lib/link.sh; state $key; its output: $log.calibrate)" >>"$log"
	# Its output apart: the module is make's, whose output module_build
	# reads for objtool's warnings.
	if link_steps "$dir" "$mod" "$log.calibrate" force &&
		cmp -s "$dir/$mod.ko" "$dir/$mod.ko.kbuild"; then
		echo "the recorded link gives kbuild's module: later runs in this state replay it" >>"$log"
		: >"$KPB_WARM/link.$key"
	else
		echo "the recorded link does not give kbuild's module: make links every run" >>"$log"
	fi
	mv -f "$dir/$mod.ko.kbuild" "$dir/$mod.ko"
}
