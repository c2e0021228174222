#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz (docs/fuzzing.md), one after the other.
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET=60] [target...]     (all targets when none named)
# Installs clang 14 and its libFuzzer runtime if missing, builds build-fuzz (clang, IFEX_FUZZ=ON:
# libFuzzer + ASan + UBSan), writes the seed corpus, then fuzzes each target starting from its
# seeds, its committed regressions and what earlier runs found (kept in build-fuzz/corpus/).
# Prints per target: runs, runs per second, coverage, corpus size and any crash file. Exits 1 on
# a finding. IFEX_FUZZ_JOBS sets the build's parallelism (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
if [ $# -gt 0 ]; then shift; fi
all=(entry gossip handshake bundle legacy_record alert_json query_string http_api http_reader roster backup_archive clock_file)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=("${all[@]}"); fi

# Inputs longer than the largest valid input by a margin only slow the search down.
declare -A max_len=(
  [entry]=4096 [gossip]=8192 [handshake]=512 [bundle]=16384
  [legacy_record]=8192 [alert_json]=8192 [query_string]=1024 [http_api]=4096
  [http_reader]=16384 [roster]=4096 [backup_archive]=16384 [clock_file]=2048
)
for t in "${targets[@]}"; do
  if [ -z "${max_len[$t]:-}" ]; then echo "fuzz: unknown target '$t' (known: ${all[*]})" >&2; exit 2; fi
done

bash scripts/install-deps.sh
# libclang-rt-14-dev holds libclang_rt.fuzzer for clang 14 (dpkg -S libclang_rt.fuzzer).
missing=()
for p in clang-14 libclang-rt-14-dev; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  echo "fuzz: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

out=build-fuzz
cmake -S . -B "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DIFEX_FUZZ=ON -DIFEX_BUILD_BENCH=OFF >/dev/null
build_targets=(fuzz_seeds)
for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
cmake --build "$out" -j"${IFEX_FUZZ_JOBS:-2}" --target "${build_targets[@]}"

rm -rf "$out/seeds"
"$out/tests/fuzz/fuzz_seeds" "$out/seeds"
# The importer's fixture, a real archive excerpt, one line per seed: small inputs fuzz faster.
split -l 1 -d -a 3 tests/fixtures/legacy_fixture.jsonl "$out/seeds/legacy_record/fixture-line-"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
findings=0
report=()
for t in "${targets[@]}"; do
  corpus="$out/corpus/$t"
  artifacts="$out/artifacts/$t"
  log="$out/logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$out/logs"
  inputs=("$corpus" "$out/seeds/$t")
  if [ -d "tests/fuzz/regressions/$t" ]; then inputs+=("tests/fuzz/regressions/$t"); fi
  echo "== fuzz_$t for ${seconds}s (log: $log)"
  status=0
  # New inputs go to the first directory, the kept corpus; crashes to the artifacts directory.
  "$out/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len="${max_len[$t]}" \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "${inputs[@]}" >"$log" 2>&1 || status=$?
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  per_s=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  files=$(find "$corpus" -type f | wc -l)
  crash=$(ls -t "$artifacts" 2>/dev/null | head -1)
  if [ "$status" -ne 0 ]; then
    findings=$((findings + 1))
    line="$t: FINDING (exit $status): $artifacts/${crash:-?}; see $log"
  else
    line="$t: ${runs:-?} runs, ${per_s:-?}/s, cov ${cov:-?}, ft ${ft:-?}, corpus $files files"
  fi
  echo "$line"
  report+=("$line")
done

echo "== summary (${seconds}s per target)"
printf '%s\n' "${report[@]}"
if [ "$findings" -gt 0 ]; then
  echo "fuzz: $findings target(s) found a crash or a broken property" >&2
  exit 1
fi
