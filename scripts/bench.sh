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
echo "== durable publish through POST /api/alerts: one client, then 16 at once (group commit)"
python3 tests/bench/bench_publish.py --bin build/node/ifexnode --alerts "$entries" --clients 1,16
echo
echo "== two-node replication over loopback WebSocket"
python3 tests/bench/bench_gossip.py --bin build/node/ifexnode --fill build/tests/bench/fill_store \
  pair --entries "$pair"
gossip=(python3 tests/bench/bench_gossip.py --bin build/node/ifexnode --fill build/tests/bench/fill_store)
if [ "$quick" = 1 ]; then
  federations=("10 20")                                        # nodes alerts
  catchups=("10 500 1" "10 5000 1" "40 5000 1" "10 500 2")      # authors alerts providers
else
  federations=("20 60" "80 120")
  catchups=("10 10000 1" "10 100000 1" "80 100000 1" "10 10000 2")
fi
for f in "${federations[@]}"; do
  set -- $f
  echo
  echo "== $1-node loopback federation (hub + members with 4-8 peers), $2 alerts at 2/s"
  "${gossip[@]}" federation --nodes "$1" --alerts "$2" --rate 2
done
for c in "${catchups[@]}"; do
  set -- $c
  echo
  echo "== catch-up: a node rejoins through $3 provider(s) after $2 alerts of $1 authors"
  "${gossip[@]}" catchup --authors "$1" --alerts "$2" --providers "$3"
done
echo
archive=$([ "$quick" = 1 ] && echo 10000 || echo 100000)
echo "== archive: import, reindex, search and API pages on $archive generated alerts"
python3 tests/bench/bench_archive.py --bin build/node/ifexnode --alerts "$archive"
echo
echo "== roster changes (issue 13): K signatures, time until every node applies them"
if [ "$quick" = 1 ]; then
  python3 tests/bench/bench_roster.py --bin build/node/ifexnode --nodes 10 --threshold 6 \
    --changes 6 --low-threshold 3 --low-changes 6
else
  python3 tests/bench/bench_roster.py --bin build/node/ifexnode --nodes 20 --threshold 11 \
    --changes 20 --low-threshold 3 --low-changes 20
fi
echo
echo "== readers through the nginx cache (contrib/nginx/ifexnode-cache.conf) against the node directly"
python3 tests/bench/bench_cache.py --bin build/node/ifexnode --alerts "$([ "$quick" = 1 ] && echo 200 || echo 1000)" \
  --requests "$([ "$quick" = 1 ] && echo 1000 || echo 4000)" --clients 4
echo
echo "== two-node catch-up over ws://, wss://, through nginx and through SOCKS5 (issue 15)"
python3 tests/bench/bench_transports.py --bin build/node/ifexnode --fill build/tests/bench/fill_store \
  --entries "$pair" --rounds "$([ "$quick" = 1 ] && echo 2 || echo 5)"
