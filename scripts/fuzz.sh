#!/bin/bash
# The optional timed fuzzing job (docs/fuzzing.md): builds every libFuzzer target with clang
# (-Dfuzz=enabled: ASan + UBSan + coverage), runs each for SECONDS (default 60) starting from its
# seed corpus in tests/fuzz/corpus/NAME, and prints one line per target (runs, new corpus
# entries, crashes). Crashing inputs are kept in build-fuzz/crashes/NAME/ and make the job fail;
# copy each into tests/fuzz/corpus/NAME/ once fixed, so every CI run replays it.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]     (as root on Debian 12: installs clang)
set -u
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
command -v clang >/dev/null || apt-get install -y -q clang >/dev/null
if [ ! -d build-fuzz ]; then
	CC=clang meson setup build-fuzz -Dfuzz=enabled -Dtests=disabled -Db_lundef=false \
		-Dbuildtype=debugoptimized >build-fuzz.log 2>&1 || { tail -20 build-fuzz.log; exit 1; }
fi
ninja -C build-fuzz >>build-fuzz.log 2>&1 || { tail -40 build-fuzz.log; exit 1; }
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in build-fuzz/tests/fuzz/fuzz_*; do
		[ -x "$f" ] && [ -f "$f" ] && targets+=("${f##*/fuzz_}")
	done
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
printf '%-16s %10s %8s %8s %s\n' target runs corpus new crashes
for t in "${targets[@]}"; do
	work=build-fuzz/work/$t
	crashes=build-fuzz/crashes/$t
	mkdir -p "$work" "$crashes"
	seeds=tests/fuzz/corpus/$t
	before=$(find "$work" "$seeds" -type f 2>/dev/null | wc -l)
	log=build-fuzz/fuzz-$t.log
	build-fuzz/tests/fuzz/fuzz_"$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -artifact_prefix="$crashes/" "$work" "$seeds" >"$log" 2>&1
	rc=$?
	runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
	[ -n "$runs" ] || runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
	after=$(find "$work" "$seeds" -type f | wc -l)
	n_crash=$(find "$crashes" -type f | wc -l)
	printf '%-16s %10s %8s %8s %s\n' "$t" "${runs:-?}" "$after" "$((after - before))" "$n_crash"
	if [ $rc -ne 0 ] || [ "$n_crash" -gt 0 ]; then
		failed=$((failed + 1))
		grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -5 | sed 's/^/    /'
	fi
done
[ $failed -eq 0 ] && echo "fuzz: ${#targets[@]} targets, ${secs} s each, no crash" ||
	echo "fuzz: $failed of ${#targets[@]} targets crashed (inputs in build-fuzz/crashes/)"
[ $failed -eq 0 ]
