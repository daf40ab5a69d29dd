# shellcheck shell=bash
#
# check.sh - the functions the livepatch replaces are the target's own:
# for each diff object, check-target compares the original of every
# function in its .livepatch.funcs (compiled here from SRC, CONFIG and this
# gcc) with that function in the target, vmlinux (-v, or the tree's) or
# the module's .ko, relocated fields and what the kernel's own build does
# differently aside (check-target/edits.c).  A function that differs means
# the source, config or compiler is not the running kernel's: the
# livepatch would replace code it was not built against.

# target_check: check every diff object of KPB_DIFFS; refuse (exit 2) when
# a function differs, unless --skip-target-check (a warning).  Sets
# KPB_CHECK_SUMMARY.
target_check() {
	local i o out rc line names n=0 differs=()
	for i in "${!KPB_DIFFS[@]}"; do
		o=${KPB_DIFF_ORIGS[$i]}
		out=${KPB_DIFFS[$i]}.check
		rc=0
		log_cmd "$KPB_CT" -n "${KPB_DIFF_OBJNAMES[$i]}" -p "$o" -f "${KPB_DIFFS[$i]}" \
			"$KPB_SCRATCH/orig/$o" "${KPB_DIFF_TARGETS[$i]}"
		"$KPB_CT" -n "${KPB_DIFF_OBJNAMES[$i]}" -p "$o" -f "${KPB_DIFFS[$i]}" \
			"$KPB_SCRATCH/orig/$o" "${KPB_DIFF_TARGETS[$i]}" \
			>"$out" 2>"$out.stderr" || rc=$?
		n=$((n + $(grep -c '^same: ' "$out" || true)))
		case $rc in
		0) ;;
		2)
			while read -r line; do
				differs+=("${KPB_DIFF_OBJNAMES[$i]}: $o: $line")
			done < <(grep '^differs: ' "$out")
			;;
		*)
			indent <"$out.stderr" >&2
			if [ -n "$KPB_SKIP_TARGET_CHECK" ]; then
				say "warning: could not check $o against ${KPB_DIFF_TARGETS[$i]} (exit $rc); building anyway (--skip-target-check)"
			else
				die "check-target failed on $o against ${KPB_DIFF_TARGETS[$i]} (exit $rc)"
			fi
			;;
		esac
	done
	if [ "${#differs[@]}" -gt 0 ]; then
		printf '%s\n' "${differs[@]}" | indent >&2
		names=$(printf '%s\n' "${differs[@]}" | sed 's/^[^:]*: [^:]*: differs: \([^ ]*\).*/\1/' | paste -sd ' ')
		if [ -n "$KPB_SKIP_TARGET_CHECK" ]; then
			say "warning: $names: not the running kernel's (above); building anyway (--skip-target-check)"
		else
			refuse "$names: the function compiled here differs from the running kernel's (above): the source, config or compiler does not match the running kernel, and the livepatch would replace code it was not built from (--skip-target-check to build anyway)"
		fi
	fi
	# shellcheck disable=SC2034 # read by kpatch-build
	KPB_CHECK_SUMMARY="$n functions the same in the target, ${#differs[@]} different"
}
