#!/usr/bin/env bash
# The whole test suite from a fresh Debian 12 machine: installs the dependencies (idempotent),
# builds in Release and runs every test, then builds under AddressSanitizer and
# UndefinedBehaviorSanitizer and runs the unit, fuzz-replay and protocol-level tests there.
# IFEX_SKIP_SANITIZE=1 skips the sanitizer pass (local iteration).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
jobs=$(nproc)

echo "== Include direction (docs/architecture.md, the layer table)"
python3 scripts/check_layers.py

echo "== Release build and tests"
bash scripts/build.sh
bash scripts/check_thread_safety.sh build
ctest --test-dir build --output-on-failure -j"$jobs"

if [ "${IFEX_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== ASan+UBSan build and tests"
  # -O1 with line tables: what the sanitizers need for exact reports, at half the compile time
  # of -O2 -g (gossip_session.cpp: 122 s against 255 s on this 2-core machine).
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIFEX_SANITIZE=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DIFEX_BUILD_BENCH=OFF >/dev/null
  cmake --build build-asan -j"$jobs"
  # Under the sanitizers: the unit tests, the fuzz-corpus replays, the protocol-level end-to-end
  # tests (gossip against the hostile peer, TLS, SOCKS5, forks, reserved kinds, hostile HTTP
  # input, the CLI) and the simulator. The suites that drive whole nodes through their operator
  # surface (crashes and full disks, governance, operations, privacy, the browser, the package,
  # nginx, shards) run 5-10x slower there, exercise the same C++ as those, and run in the Release
  # pass only: with them the whole run took 70 minutes on this 2-core machine, past its hour.
  release_only='^(fault_|governance_|ops_|privacy_|browser_test$|packaging_|import_running_test$|search_remote_shards_test$|net_tls_proxy_test$|reader_view_test$)'
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" -E "$release_only"
fi
