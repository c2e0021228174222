#!/usr/bin/env bash
# A small local federation on one machine, governed by its members: A founds it with B and C
# (`federation create`, K = 2 of 3), B and C join with the invitation, and they replicate over the
# authenticated WebSocket gossip protocol. Alerts published on A (English, French, Arabic) reach
# C; one published on C reaches A. Then C goes offline, A publishes again, and C catches up when
# it returns. A fourth node D sets up with `init --join` alone and becomes a member once two
# members have approved it. Installs the dependencies and builds first (both idempotent).
# A also serves the archive: it imports a small legacy archive (tests/fixtures), and the demo
# searches it in four languages through the CLI and the HTTP API of the running node.
# Data and logs live in ./demo-data (recreated on each run); the nodes are stopped at the end,
# unless IFEX_DEMO_SERVE=1: then they keep running (web page on A's port) until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target ifexnode
bin=${IFEX_DEMO_BIN:-build/node/ifexnode}
data=demo-data
rm -rf "$data"
mkdir -p "$data"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
start() {  # start NODE: runs it in the background, its log in demo-data/NODE.log
  "$bin" run --data "$data/$1" 2> "$data/$1.log" &
  pids+=($!)
  eval "pid_$1=$!"
}
wait_for() {  # wait_for NODE COUNT: until NODE holds COUNT alerts (20 s at most)
  for _ in $(seq 200); do
    [ "$("$bin" list --data "$data/$1" --json --limit 1000 | grep -o '"kind":"alert"' | wc -l)" -ge "$2" ] && return 0
    sleep 0.1
  done
  echo "timed out waiting for $1 to hold $2 alerts" >&2
  return 1
}
wait_member() {  # wait_member NODE KEY: until NODE's federation roster lists KEY (20 s at most)
  for _ in $(seq 200); do
    "$bin" federation show --data "$data/$1" --json 2>/dev/null | grep -q "$2" && return 0
    sleep 0.1
  done
  echo "timed out waiting for $1 to list $2 as a member" >&2
  return 1
}
http_get() {  # http_get URL: prints the body (python3 is a dependency already; curl may be absent)
  python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' "$1"
}
wait_indexed() {  # wait_indexed PORT: until the running node has indexed all it holds (20 s at most)
  for _ in $(seq 200); do
    http_get "http://127.0.0.1:$1/api/status" | python3 -c 'import json, sys; s = json.load(sys.stdin); sys.exit(0 if s["indexed"] == s["entries"] else 1)' && return 0
    sleep 0.1
  done
  echo "timed out waiting for the index on port $1" >&2
  return 1
}
alert() {  # alert NODE LANG COUNTRY CATEGORY TITLE
  "$bin" publish --data "$data/$1" --lang "$2" --country "$3" --category "$4" --title "$5" \
    --summary "Demo alert." --body "Published on node $1 of the demo federation." >/dev/null
}

step "create three member nodes; A founds a federation of the three (2 of 3 decide)"
base_port=$((17000 + RANDOM % 2000))
"$bin" init --data "$data/a" --name "Press Freedom Centre (demo)" --listen "127.0.0.1:$base_port" 2>/dev/null
"$bin" init --data "$data/b" --name "Digital Rights Collective (demo)" \
  --listen "127.0.0.1:$((base_port + 1))" 2>/dev/null
"$bin" init --data "$data/c" --name "Journalists' Union (demo)" \
  --listen "127.0.0.1:$((base_port + 2))" 2>/dev/null
for n in a b c; do eval "key_$n=$("$bin" id --data "$data/$n" | head -1)"; done
"$bin" federation create --data "$data/a" --threshold 2 --name "IFEX (demo)" \
  --member "$key_b=Digital Rights Collective (demo)" --member "$key_c=Journalists' Union (demo)" \
  --out "$data/invitation.txt"

step "B and C join with the invitation: its network key, the genesis and A's address"
"$bin" federation join --data "$data/b" --invitation "$data/invitation.txt" --replace-network-key
"$bin" federation join --data "$data/c" --invitation "$data/invitation.txt" --replace-network-key

step "run the three nodes"
start a; start b; start c

step "publish on A; the alerts reach B and C"
alert a en TR criminal-defamation "Columnist sentenced to 14 months for a satirical piece"
alert a fr SN internet-censorship "Coupure de l'internet mobile pendant les manifestations"
alert a ar EG attack-on-journalist "اعتداء على مصور صحفي أثناء تغطية احتجاج"
wait_for c 3
"$bin" list --data "$data/c"

step "publish on C; it reaches A"
alert c es MX attack-on-journalist "Periodista amenazado tras publicar una investigación"
wait_for a 4

step "C goes offline; A publishes; C catches up when it returns"
kill "$pid_c"; wait "$pid_c" 2>/dev/null || true
alert a en IR internet-censorship "Messaging apps blocked nationwide"
wait_for b 5
start c
wait_for c 5
"$bin" list --data "$data/c" --limit 2
"$bin" status --data "$data/b"
"$bin" verify --data "$data/c"

step "D joins with init --join alone; two members approve it; then it receives every log"
"$bin" init --data "$data/d" --name "Community Radio Network (demo)" \
  --listen "127.0.0.1:$((base_port + 3))" --join "$data/invitation.txt" 2>/dev/null
key_d=$("$bin" id --data "$data/d" | head -1)
start d
proposal=$("$bin" federation propose add --data "$data/a" "$key_d" --name "Community Radio Network (demo)" 2>/dev/null)
for _ in $(seq 200); do  # B approves once A's proposal has reached it
  "$bin" federation approve --data "$data/b" "$proposal" 2>/dev/null && break
  sleep 0.1
done
wait_member c "$key_d"
wait_for d 5
"$bin" federation show --data "$data/c"

step "A imports a legacy archive (16 alerts, en/fr/es/ar); they replicate like any other alert"
"$bin" import-archive --data "$data/a" tests/fixtures/legacy_fixture.jsonl
wait_for d 21
wait_indexed "$base_port"

step "search A's archive: stemmed French, Spanish and Arabic queries, and an English phrase"
"$bin" search --data "$data/a" "journaliste emprisonné"
"$bin" search --data "$data/a" "periodista detenido" --lang es
"$bin" search --data "$data/a" "صحفي"
echo "-- the same over HTTP: GET /api/search?q=%22internet+shutdown%22"
http_get "http://127.0.0.1:$base_port/api/search?q=%22internet+shutdown%22&limit=1" | cut -c1-300
echo "-- an Atom feed per language: GET /feed.atom?lang=ar (first lines)"
http_get "http://127.0.0.1:$base_port/feed.atom?lang=ar&limit=2" | sed -n 1,12p

echo
echo "demo done: data and logs are in $data/"
if [ "${IFEX_DEMO_SERVE:-0}" = 1 ]; then
  echo "the nodes keep running: open http://127.0.0.1:$base_port/ (node A's web page); Ctrl-C stops them"
  echo "A's admin token (for the publish form): $(cat "$data/a/admin.token")"
  wait
fi
