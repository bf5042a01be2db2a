#!/bin/bash
# Installs, builds and runs every test suite of domscan; the last line is "N passed, N failed".
#  1. release-style build with warnings as errors: unit tests, fuzz corpus replays, the RFC 7208
#     conformance suite, clang-format check;
#  2. AddressSanitizer + UndefinedBehaviorSanitizer build: the same unit and replay suites, and
#     the integration tests against the real test network (NSD, Unbound, Postfix, nginx in a
#     network namespace), among them the HTML report in headless Chromium
#     (tests/integration/test_browser.sh, driving tests/browser/; each of its assertions counts);
#  3. ThreadSanitizer build: the unit tests and the integration tests again.
# Optional, slower jobs (not run here): scripts/fuzz.sh (timed libFuzzer runs, .ci/fuzz) and
# scripts/valgrind.sh (the integration suite under valgrind memcheck).
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

total_pass=0
total_fail=0
count_meson() { # count_meson BUILD_DIR: add the results of the last `meson test` run
	local p f
	read -r p f < <(/usr/bin/python3 - "$1/meson-logs/testlog.json" <<'PY'
import json, sys
p = f = 0
try:
    for line in open(sys.argv[1]):
        r = json.loads(line)
        if r.get("result") in ("OK", "EXPECTEDFAIL", "SKIP"):
            p += 1
        else:
            f += 1
            print("FAILED:", r.get("name"), file=sys.stderr)
except FileNotFoundError:
    f = 1
print(p, f)
PY
)
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
}
step_fail() {
	echo "FAILED: $*" >&2
	total_fail=$((total_fail + 1))
}

export CMOCKA_MESSAGE_OUTPUT=TAP
# 1. warnings as errors
if meson setup build-ci --wipe -Dwerror=true -Dbuildtype=debugoptimized >build-ci.log 2>&1 ||
	meson setup build-ci -Dwerror=true -Dbuildtype=debugoptimized >build-ci.log 2>&1; then
	if ninja -C build-ci >>build-ci.log 2>&1; then
		meson test -C build-ci --suite unit --suite fuzz-replay --suite conformance \
			--print-errorlogs --num-processes 2
		count_meson build-ci
		if ninja -C build-ci clang-format-check >clang-format.log 2>&1; then
			total_pass=$((total_pass + 1))
		else
			step_fail "clang-format-check (see clang-format.log)"
		fi
	else
		tail -40 build-ci.log
		step_fail "build with -Dwerror=true"
	fi
else
	tail -20 build-ci.log
	step_fail "meson setup"
fi

# 2. sanitizers
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$root/tests/lsan.supp:print_suppressions=0
if { [ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
	-Dwerror=true -Dbuildtype=debug >build-asan.log 2>&1; } && ninja -C build-asan >>build-asan.log 2>&1; then
	meson test -C build-asan --suite unit --suite fuzz-replay --print-errorlogs --num-processes 2
	count_meson build-asan
	it_log=$(mktemp)
	# the browser test's 50,000-row report is written by the optimised build (much faster)
	[ -x build-ci/tests/browser/synth_report ] &&
		export DOMSCAN_SYNTH=$root/build-ci/tests/browser/synth_report
	tests/run-integration build-asan/domscan | tee "$it_log"
	read -r p f < <(sed -n 's/^integration: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$it_log")
	total_pass=$((total_pass + ${p:-0}))
	total_fail=$((total_fail + ${f:-1}))
	rm -f "$it_log"
else
	tail -40 build-asan.log
	step_fail "sanitizer build"
fi

# 3. ThreadSanitizer: the unit tests and the integration suite (every scan is concurrent: shared
#    DNS cache, validator, SMTP prober, memo). TSan exits 66 on a finding, which fails the
#    assertion around that scan. Suppressions (one benign jansson header race): tests/tsan.supp.
export TSAN_OPTIONS="second_deadlock_stack=1 suppressions=$root/tests/tsan.supp"
if { [ -d build-tsan ] || meson setup build-tsan -Db_sanitize=thread -Db_lundef=false \
	-Dbuildtype=debug >build-tsan.log 2>&1; } && ninja -C build-tsan >>build-tsan.log 2>&1; then
	meson test -C build-tsan --suite unit --print-errorlogs --num-processes 2
	count_meson build-tsan
	it_log=$(mktemp)
	DOMSCAN_TEST_OUT=$root/tests/out-tsan tests/run-integration build-tsan/domscan | tee "$it_log"
	read -r p f < <(sed -n 's/^integration: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$it_log")
	total_pass=$((total_pass + ${p:-0}))
	total_fail=$((total_fail + ${f:-1}))
	rm -f "$it_log"
else
	tail -40 build-tsan.log
	step_fail "ThreadSanitizer build"
fi

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
