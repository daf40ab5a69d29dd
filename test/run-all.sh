#!/usr/bin/env bash
# Run the unit suite, then the VM suite, and end with one summary line
# `N passed, N failed` over both; with ASAN_BUILD_DIR (make asan-tools),
# the unit suite once more with the sanitized tools, between them.
# Usage: test/run-all.sh BUILD_DIR ARCH [ASAN_BUILD_DIR]
set -o errexit -o errtrace -o nounset -o pipefail

build=${1:-build}
arch=${2:-x86_64}
asan=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0
status=0

# Run one suite, echoing its output, and add its closing counts.
run_suite() {
	local name=$1 log line p f
	shift
	log=$(mktemp)
	echo "=== $name ==="
	"$@" 2>&1 | tee "$log" || status=1
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
	rm -f "$log"
	if [ -z "$line" ]; then
		echo "$name: the suite ended without its summary line" >&2
		failed=$((failed + 1))
		status=1
		return
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	passed=$((passed + p))
	failed=$((failed + f))
}

run_suite unit bash "$here/unit/run.sh" "$build"
[ -z "$asan" ] || run_suite unit-asan bash "$here/unit/run.sh" "$asan"
run_suite integration bash "$here/integration/run.sh" "$arch"

echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
