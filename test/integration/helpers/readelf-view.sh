#!/usr/bin/env bash
# readelf-view.sh FILE...: what readelf shows of each FILE's sections,
# symbols, relocations and groups, without file offsets (which a writer
# may lay out differently), file names ("File: #N" instead) or runs of
# blanks.  Two lists of files with the same view hold the same sections,
# symbols, relocations and groups, file by file.  One readelf for all the
# files: starting processes is the slow part on these machines.
set -o errexit -o nounset -o pipefail
export LC_ALL=C
readelf -W -S -s -r -g "$@" |
	sed -E '/^There are [0-9]+ section headers/d
		s/ at offset 0x[0-9a-f]+//
		s/^  \[ *([0-9]+)\] /  [\1] /' |
	awk '/^File: / { print "File: #" ++n; next }
	     /^  \[[0-9]+\] / && $3 != "Name" { $5 = "" }
	     { $1 = $1; print }'
