#!/usr/bin/env bash
# The ledger's concurrency target (issue 13): N concurrent `dpflow run` processes against one ledger whose grant
# fits exactly K runs: exactly K succeed, the rest exit 3, nothing is overspent. Repeated R times, for SQLite
# and for PostgreSQL (a throw-away server: initdb in a temporary folder, a free loopback port; as root it runs
# as the `postgres` user).
#   scripts/ledger-race.sh [sqlite|postgres|both] [K=5] [R=3] [N=16]
# DPFLOW (default .build/debug/dpflow, else .build/release/dpflow) is the binary; PIPELINE the pipeline
# (default pipelines/breast_cancer.yaml, run with --epochs 1).
set -euo pipefail
cd "$(dirname "$0")/.."
which_ledgers=${1:-both}; K=${2:-5}; R=${3:-3}; N=${4:-16}
DPFLOW=${DPFLOW:-$( [ -x .build/release/dpflow ] && echo .build/release/dpflow || echo .build/debug/dpflow )}
PIPELINE=${PIPELINE:-pipelines/breast_cancer.yaml}
[ -x "$DPFLOW" ] || { echo "ledger-race: build dpflow first ($DPFLOW)" >&2; exit 2; }
work=$(mktemp -d /tmp/dpflow-race.XXXXXX); chmod 755 "$work"
pg_stop() { :; }
trap 'pg_stop; rm -rf "$work"' EXIT

start_postgres() {
  local bin; bin=${DPFLOW_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
  [ -x "$bin/initdb" ] || { echo "ledger-race: no PostgreSQL server binaries (scripts/install-deps.sh)" >&2; exit 1; }
  local as=(); [ "$(id -u)" -eq 0 ] && { chown postgres "$work"; as=(runuser -u postgres --); }
  PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "${as[@]}" "$bin/initdb" -D "$work/pg" -A trust -U dpflow --no-sync >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$work/pg" -o "-p $PGPORT -k $work -c listen_addresses=127.0.0.1 -c fsync=off" \
      -l "$work/pg.log" -w start >/dev/null
  PGBIN=$bin; PGAS=("${as[@]}")
  pg_stop() { "${PGAS[@]}" "$PGBIN/pg_ctl" -D "$work/pg" -m immediate -w stop >/dev/null 2>&1 || true; }
}

race() {  # $1 = kind, $2 = round
  local kind=$1 round=$2 ledger
  if [ "$kind" = postgres ]; then
    "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U dpflow "race$round"
    ledger="postgres://dpflow@127.0.0.1:$PGPORT/race$round?sslmode=disable"
  else
    ledger="$work/race$round.sqlite"
  fi
  "$DPFLOW" ledger init --ledger "$ledger" >/dev/null
  # The cost of one run, from a scratch ledger (same pipeline, same settings).
  local scratch="$work/scratch.sqlite"; rm -f "$scratch"
  "$DPFLOW" ledger init --ledger "$scratch" >/dev/null
  "$DPFLOW" run "$PIPELINE" --epochs 1 --quiet --ledger "$scratch" --output "$work/scratch-out" >/dev/null 2>&1
  read -r eps delta < <("$DPFLOW" ledger show --json --ledger "$scratch" | python3 -c '
import json,sys; s=json.load(sys.stdin)["spends"]; print(sum(x["epsilon"] for x in s), sum(x["delta"] for x in s))')
  rm -rf "$work/scratch-out"
  # K runs fit, K+1 do not: grant (K + 1/2) times the cost.
  local ds; ds=$(grep -m1 'dataset:' "$PIPELINE" | awk '{print $2}')
  "$DPFLOW" ledger grant "$ds" --epsilon "$(python3 -c "print($eps*($K+0.5))")" --delta "$(python3 -c "print($delta*($K+0.5))")" \
      --ledger "$ledger" >/dev/null
  local pids=() codes=()
  for i in $(seq "$N"); do
    "$DPFLOW" run "$PIPELINE" --epochs 1 --quiet --ledger "$ledger" --output "$work/out-$kind-$round-$i" >/dev/null 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do if wait "$p"; then codes+=(0); else codes+=($?); fi; done
  local ok=0 refused=0 other=0
  for c in "${codes[@]}"; do case $c in 0) ok=$((ok+1));; 3) refused=$((refused+1));; *) other=$((other+1));; esac; done
  local books; books=$("$DPFLOW" ledger show --json --ledger "$ledger" | python3 -c '
import json,sys; d=json.load(sys.stdin)["datasets"][0]
used=d["committedEpsilon"]+d["reservedEpsilon"]; print("granted=%.6g used=%.6g overspent=%s" % (d["grantedEpsilon"], used, used > d["grantedEpsilon"]))')
  echo "$kind round $round: $ok succeeded, $refused exit 3, $other other ($books)"
  [ "$ok" -eq "$K" ] && [ "$refused" -eq $((N-K)) ] && [[ $books == *"overspent=False"* ]]
}

status=0
for kind in sqlite postgres; do
  [ "$which_ledgers" = both ] || [ "$which_ledgers" = "$kind" ] || continue
  [ "$kind" = postgres ] && start_postgres
  for round in $(seq "$R"); do race "$kind" "$round" || status=1; done
done
[ $status -eq 0 ] && echo "ledger-race: every round: exactly $K of $N runs succeeded, nothing overspent" || echo "ledger-race: FAILED" >&2
exit $status
