#!/usr/bin/env bash
# Runs every classroom preset as docs/REPRODUCTION.md reports it, at the
# presets' own budget (CLASSROOM in src/experiment/presets.ts), and writes each
# preset's results to docs/figures/<preset>.json. Plots and tables come from
# those files: `npm run report`.
#
# Each preset is a sweep (its runs x seeds 1,2,3), so the reproduction's 165
# runs spread like any sweep (docs/cluster/README.md):
#
#   bash scripts/reproduce.sh [preset ...]                 one machine, one run at a time
#   bash scripts/reproduce.sh -n N [-j J] [-S LOGIN]... [preset ...]
#                                                          every preset in N shards through GNU parallel
#                                                          (-j at once here; -S LOGIN: over ssh, as in
#                                                          scripts/sweep.sh), then merged
#   bash scripts/reproduce.sh --shard K/N [preset ...]     shard K of N of every preset (a SLURM array
#                                                          task, a CI matrix job); then, once all are done:
#   bash scripts/reproduce.sh --merge N [preset ...]       merge every preset's N shards
#
# Shard files go to sweep-out/reproduce/<preset>.shard-K-of-N.json; a shard
# started again skips the runs its file already holds. To try the pipeline on
# tiny runs: REPRODUCE_FLAGS='--steps 8 ...' (added to every run) and
# REPRODUCE_OUT=DIR (instead of docs/figures).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${REPRODUCE_OUT:-docs/figures}
shards=sweep-out/reproduce
read -r -a extra <<<"${REPRODUCE_FLAGS:-}"
seeds=1,2,3
n=1 jobs='' mode=all k='' workdir=.
logins=()
while [ $# -gt 0 ]; do
  case $1 in
    -n) n=$2; shift 2 ;;
    -j) jobs=$2; shift 2 ;;
    -S) logins+=("$2"); shift 2 ;;
    -w) workdir=$2; shift 2 ;;
    --shard) mode=shard; k=${2%/*}; n=${2#*/}; shift 2 ;;
    --merge) mode=merge; n=$2; shift 2 ;;
    -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "reproduce: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) break ;;
  esac
done
presets=("$@")
[ ${#presets[@]} -eq 0 ] && presets=(extrapolation reweight-eval decomposition deconstruct-uniform deconstruct-hybrid how-many positional lssa-parts train-length passkey)
mkdir -p "$out" "$shards"
npm run --silent corpus >&2
# The shard command of one preset: the same flags everywhere, so every machine cuts the same sweep.
shard_file() { echo "$shards/$1.shard-$2-of-$n.json"; }

merge_all() {
  local status=0
  for p in "${presets[@]}"; do
    files=()
    for i in $(seq 1 "$n"); do [ -f "$(shard_file "$p" "$i")" ] && files+=("$(shard_file "$p" "$i")"); done
    if [ ${#files[@]} -eq 0 ]; then echo "reproduce: no shard of $p has results" >&2; status=1; continue; fi
    npm run --silent merge -- --out "$out/$p.json" "${files[@]}" || status=1
  done
  return $status
}

case $mode in
  shard)
    for p in "${presets[@]}"; do
      echo "== $p shard $k/$n $(date -u +%H:%M:%S)" >&2
      npm run --silent experiment -- --preset "$p" "${extra[@]}" --seeds $seeds --shard "$k/$n" \
        --out "$(shard_file "$p" "$k")"
    done ;;
  merge) merge_all ;;
  all)
    if [ "$n" -eq 1 ] && [ ${#logins[@]} -eq 0 ]; then
      for p in "${presets[@]}"; do
        echo "== $p $(date -u +%H:%M:%S)" >&2
        # Three seeds per run: the report gives the mean and spread.
        npm run --silent experiment -- --preset "$p" "${extra[@]}" --seeds $seeds --out "$out/$p.json"
      done
      exit 0
    fi
    command -v parallel >/dev/null || { echo 'reproduce: -n needs GNU parallel (Debian: apt-get install -y parallel)' >&2; exit 1; }
    # Every (preset, shard) pair is one job: the presets' shards share the machines.
    [ -z "$jobs" ] && { [ ${#logins[@]} -gt 0 ] && jobs=1 || jobs=$n; }
    args=(--jobs "$jobs" --line-buffer --tagstring '[{1} {2}/'"$n"']' --joblog "$shards/joblog-of-$n.txt" -q)
    for l in "${logins[@]}"; do args+=(--sshlogin "$l"); done
    [ ${#logins[@]} -gt 0 ] && args+=(--workdir "$workdir" --return "$shards/{1}.shard-{2}-of-$n.json")
    status=0
    parallel "${args[@]}" npm run --silent experiment -- --preset '{1}' "${extra[@]}" --seeds $seeds --shard "{2}/$n" \
      --out "$shards/{1}.shard-{2}-of-$n.json" ::: "${presets[@]}" ::: $(seq 1 "$n") || status=$?
    merge_all || status=1
    exit $status ;;
esac
