#!/bin/bash
# Runs the integration suite (or the named tests) with every domscan process under valgrind
# memcheck through tests/valgrind-domscan (any memcheck error or definite/indirect/possible leak
# makes domscan exit 97, which fails the assertion around that scan; one log per process).
# An optional job: about 20x slower than a plain run, so not part of scripts/test.sh.
# Usage: scripts/valgrind.sh [tests/integration/test_x.sh ...]
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
if [ ! -d build-vg ]; then
	meson setup build-vg -Dbuildtype=debugoptimized >build-vg.log 2>&1 ||
		{ tail -20 build-vg.log; exit 1; }
fi
ninja -C build-vg domscan tests/browser/synth_report >>build-vg.log 2>&1 ||
	{ tail -40 build-vg.log; exit 1; }
# test_browser finds its report generator next to DOMSCAN, which is the wrapper here
export DOMSCAN_SYNTH=$root/build-vg/tests/browser/synth_report
logdir=${DOMSCAN_TEST_OUT:-$root/tests/out}/valgrind
rm -rf "$logdir"
# memcheck runs domscan about 20x slower: the few time bounds in the tests scale with this.
VALGRIND_DOMSCAN=$root/build-vg/domscan VALGRIND_LOG_DIR=$logdir DOMSCAN_TEST_SLOWDOWN=20 \
	tests/run-integration tests/valgrind-domscan "$@"
rc=$?
# --quiet: a clean process leaves an empty log
n=$(find "$logdir" -name 'vg.*.log' -size +0 | wc -l)
echo "valgrind: $(ls "$logdir" | wc -l) domscan processes, $n with findings (logs: $logdir)"
[ $rc -eq 0 ] && [ "$n" -eq 0 ]
