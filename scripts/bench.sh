#!/usr/bin/env bash
# Builds (Release) and runs every benchmark, printing the figures that docs/performance.md
# records. Nothing here asserts a time: these machines are shared and noisy; compare ratios
# within one run. IFEX_BENCH_QUICK=1 runs smaller sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target ifexnode bench_ingest fill_store

quick=${IFEX_BENCH_QUICK:-0}
entries=$([ "$quick" = 1 ] && echo 5000 || echo 20000)
pair=$([ "$quick" = 1 ] && echo 2000 || echo 10000)

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "== ingest (decode + verify + group commit) against the raw verify rate"
build/tests/bench/bench_ingest --entries "$entries"
echo
echo "== two-node replication over loopback WebSocket"
python3 tests/bench/bench_gossip.py --bin build/node/ifexnode --fill build/tests/bench/fill_store \
  pair --entries "$pair"
echo
echo "== 20-node loopback federation"
python3 tests/bench/bench_gossip.py --bin build/node/ifexnode --fill build/tests/bench/fill_store \
  federation --nodes 20 --alerts 60 --rate 2
