#!/usr/bin/env bash
# Clang's thread-safety analysis (-Wthread-safety) over node/base and node/net: every .cpp whose own file or
# header carries an annotation from node/base/thread_annotations.hpp (GUARDED_BY, REQUIRES,
# EXCLUDES, MutexLock) is parsed by clang++ with the analysis's warnings as errors, so a guarded
# member touched without its mutex fails the test run. Syntax only: nothing is built. Takes the
# -D/-I flags CMake uses for these files from BUILD_DIR/compile_commands.json (default build/).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
cxx=${IFEX_CLANG:-clang++}

if ! command -v "$cxx" >/dev/null; then
  echo "check_thread_safety: $cxx not found (scripts/install-deps.sh installs clang)" >&2
  exit 1
fi
if [ ! -f "$build_dir/compile_commands.json" ]; then
  echo "check_thread_safety: no $build_dir/compile_commands.json: configure with cmake first" >&2
  exit 1
fi

files=()
for cpp in node/base/*.cpp node/net/*.cpp; do
  hpp=${cpp%.cpp}.hpp
  candidates=("$cpp")
  [ -f "$hpp" ] && candidates+=("$hpp")
  if grep -qE 'MutexLock|GUARDED_BY|REQUIRES\(|EXCLUDES\(' "${candidates[@]}"; then
    files+=("$cpp")
  fi
done

# The flags of ifex_net (one target: one set of flags), minus the compiler's own options.
mapfile -t flags < <(python3 - "$build_dir/compile_commands.json" <<'PY'
import json, shlex, sys
for entry in json.load(open(sys.argv[1])):
    if entry["file"].endswith("node/net/node_core.cpp"):
        args = entry.get("arguments") or shlex.split(entry["command"])
        keep, i = [], 0
        while i < len(args):
            a = args[i]
            if a in ("-I", "-D", "-isystem"):
                keep += [a, args[i + 1]]; i += 2; continue
            if a.startswith(("-I", "-D", "-isystem")):
                keep.append(a)
            i += 1
        print("\n".join(keep))
        break
else:
    sys.exit("node/net/node_core.cpp is not in compile_commands.json")
PY
)

start=$(date +%s%N)
printf '%s\n' "${files[@]}" |
  xargs -P"$(nproc)" -I{} "$cxx" -std=c++20 -fsyntax-only -Wthread-safety -Werror=thread-safety \
    "${flags[@]}" {}
ms=$((($(date +%s%N) - start) / 1000000))
printf 'thread-safety analysis: %d files in %d.%01d s (%s)\n' "${#files[@]}" $((ms / 1000)) \
  $((ms % 1000 / 100)) "${files[*]}"
