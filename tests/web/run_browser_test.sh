#!/usr/bin/env bash
# The web page in Debian's Chromium against a real node (browser_test.mjs).
#   run_browser_test.sh IFEXNODE_BIN [TMP_DIR]
# Installs playwright-core from package-lock.json into tests/web/node_modules (npm ci, only when
# the lock file changed since the last install). TMP_DIR defaults to $IFEX_TEST_TMP/browser_test
# (ctest sets IFEX_TEST_TMP), else a new directory under /tmp; screenshots go to
# $IFEX_SCREENSHOT_DIR, else TMP_DIR/screenshots.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 IFEXNODE_BIN [TMP_DIR]" >&2
  exit 2
fi
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "browser_test: $tool is missing; run scripts/install-deps.sh" >&2
    exit 1
  fi
done
chromium_bin=${IFEX_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium_bin" ]; then
  echo "browser_test: $chromium_bin is missing; run scripts/install-deps.sh" >&2
  exit 1
fi

# One npm ci at a time (ctest may run the release and sanitizer trees side by side).
exec 9>"${TMPDIR:-/tmp}/ifexnode-browser-test-npm.lock"
flock -w 300 9
want=$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1)
stamp="$here/node_modules/.ifex-installed"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
fi
flock -u 9

if [ $# -eq 2 ]; then
  tmp=$2
elif [ -n "${IFEX_TEST_TMP:-}" ]; then
  tmp=$IFEX_TEST_TMP/browser_test
else
  tmp=$(mktemp -d /tmp/ifexnode-browser-test.XXXXXX)
fi
mkdir -p "$tmp"

cd "$here"
exec node browser_test.mjs "$bin" "$tmp"
