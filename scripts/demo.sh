#!/usr/bin/env bash
# A small demonstration on one machine: two member nodes, alerts published in English, French
# and Arabic on the first, carried to the second as a signed bundle (the sneakernet path), then
# listed and verified there. Installs the dependencies and builds first (both idempotent).
# Data lives in ./demo-data (removed and recreated on each run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
bin=build/node/ifexnode
data=demo-data
rm -rf "$data"
mkdir -p "$data"

step() { printf '\n== %s\n' "$*"; }

step "create two member nodes"
"$bin" init --data "$data/cpj-like" --name "Committee for Reporters (demo)"
"$bin" init --data "$data/smex-like" --name "Digital Rights Collective (demo)"

step "publish three alerts on the first node"
"$bin" publish --data "$data/cpj-like" --lang en --country TR --category criminal-defamation \
  --title "Columnist sentenced to 14 months for a satirical piece" \
  --summary "A court convicted the columnist of insulting a public official." \
  --body "The columnist was sentenced under the criminal defamation law for a satirical column." \
  --event-date 2026-11-20 --source https://example.org/alerts/columnist
"$bin" publish --data "$data/cpj-like" --lang fr --country SN --category internet-censorship \
  --title "Coupure de l'internet mobile pendant les manifestations" \
  --summary "L'accès aux données mobiles a été suspendu pendant trois jours." \
  --body "Les opérateurs ont suspendu l'internet mobile sur ordre des autorités." \
  --event-date 2026-11-22
"$bin" publish --data "$data/cpj-like" --lang ar --country EG --category attack-on-journalist \
  --title "اعتداء على مصور صحفي أثناء تغطية احتجاج" \
  --summary "تعرض مصور صحفي للضرب ومصادرة معداته." \
  --body "اعتدت قوات الأمن على المصور أثناء تغطيته للاحتجاجات وصادرت الكاميرا." \
  --event-date 2026-11-25

step "carry them to the second node in a signed bundle"
"$bin" export --data "$data/cpj-like" --out "$data/alerts.bundle"
"$bin" roster add --data "$data/smex-like" "$("$bin" id --data "$data/cpj-like" | head -1)" \
  --name "Committee for Reporters (demo)"
"$bin" import --data "$data/smex-like" "$data/alerts.bundle"

step "the second node now holds them"
"$bin" list --data "$data/smex-like"
"$bin" verify --data "$data/smex-like"
