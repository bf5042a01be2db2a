#!/bin/bash
# Runs the integration suite (or the named tests) with every domscan process under valgrind
# memcheck (definite and indirect leaks, invalid accesses, uninitialised values): an optional job,
# too slow for every CI run. A valgrind finding makes domscan exit 99, which fails the assertion
# around that scan; the per-process logs are kept in $OUT/valgrind/ (see tests/out/).
# Usage: scripts/valgrind.sh [tests/integration/test_x.sh ...]
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
if [ ! -d build-vg ]; then
	meson setup build-vg -Dbuildtype=debug -Dtests=disabled >build-vg.log 2>&1 ||
		{ tail -20 build-vg.log; exit 1; }
fi
ninja -C build-vg domscan >>build-vg.log 2>&1 || { tail -40 build-vg.log; exit 1; }
logdir=${DOMSCAN_TEST_OUT:-$root/tests/out}/valgrind
mkdir -p "$logdir"
wrapper=$(mktemp -d)/domscan
cat >"$wrapper" <<WRAP
#!/bin/bash
exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \\
	--errors-for-leak-kinds=definite,indirect --track-origins=yes \\
	--suppressions=$root/tests/valgrind.supp --log-file=$logdir/vg.%p.log \\
	$root/build-vg/domscan "\$@"
WRAP
chmod +x "$wrapper"
# memcheck runs domscan about 20x slower: the few time bounds in the tests scale with this.
DOMSCAN_TEST_SLOWDOWN=20 tests/run-integration "$wrapper" "$@"
rc=$?
n=$(grep -l 'ERROR SUMMARY: [1-9]\|definitely lost\|Invalid' "$logdir"/vg.*.log 2>/dev/null | wc -l)
echo "valgrind: $(ls "$logdir" | wc -l) domscan processes, $n with findings (logs: $logdir)"
[ $rc -eq 0 ] && [ "$n" -eq 0 ]
