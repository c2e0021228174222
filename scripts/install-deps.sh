#!/usr/bin/env bash
# Installs every build and test dependency of ifexnode from Debian 12 packages.
# Idempotent: packages already present are left alone; apt-get is run only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  clang
  libboost1.81-dev libboost-json1.81-dev
  libsodium-dev liblmdb-dev lmdb-utils libcereal-dev libssl-dev openssl
  catch2 libcli11-dev libtomlplusplus-dev
  libxapian-dev xapian-tools
  python3
  chromium
  prometheus
  help2man dpkg-dev systemd adduser
  nginx
  dante-server
)
# libssl-dev: TLS (wss://, https://) through Boost.Asio's ssl; openssl: the tests make their CA
# and certificates with it (tests/net/tls_test.py).
# clang: scripts/check_thread_safety.sh runs its -Wthread-safety analysis over node/net.
# prometheus: its promtool checks /metrics in tests/privacy (metrics_test.py).
# xapian-tools: xapian-tcpsrv serves search shards in tests/search (remote_shards_test.py).
# help2man, dpkg-dev, systemd, adduser: the Debian package (packaging/deb): the man page from
# --help, dpkg-shlibdeps for its Depends, systemd-analyze verify/security on its unit, and the
# maintainer scripts that tests/packaging runs in a throwaway root.
# nginx: tests/ops/nginx_cache_test.py runs contrib/nginx/ifexnode-cache.conf in front of a node
# (its own prefix and port; the package's service is not needed).
# dante-server: tests/net/socks5_test.py dials peers through a danted it starts on loopback with
# its own config (the package's service is not needed).
# The browser test (tests/web) runs playwright-core from npm: Debian's Node.js unless one is there.
if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
