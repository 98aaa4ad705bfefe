#!/usr/bin/env bash
# Runs a sweep's shards with GNU parallel (Debian: apt-get install parallel),
# on this machine (-j) or across machines (-S, parallel's --sshlogin), then
# merges them: the results file equals the one a single machine writes.
# Each shard is a plain command (npm run experiment -- ... --shard K/N);
# scripts/reproduce.sh, docs/cluster/ (SLURM, a CI matrix) run the same ones.
#
#   npm run sweep -- [-n N] [-j JOBS] [-S LOGIN]... [-w DIR] [-d DIR] [-o OUT.json] -- EXPERIMENT FLAGS...
#   npm run sweep -- -n 3 -o results.json -- --preset extrapolation --seeds 1,2,3
#
#   -n N        shards (default 2)
#   -j JOBS     shards at once on each machine (default: all N here; 1 per machine with -S)
#   -S LOGIN    run shards on that machine over ssh (repeatable; ':' is this one);
#               each needs the checkout at -w, `npm ci && npm run corpus` done, and Chromium
#   -w DIR      the checkout on the other machines (default: this one's path relative to
#               your home, parallel's --workdir .)
#   -d DIR      where the shards' files go, relative to the checkout (default sweep-out)
#   -o OUT      the merged results (default results.json, relative to where npm was run)
#
# A shard that fails leaves its finished runs in DIR/shard-K-of-N.json; the merge
# then lists what is missing and the command that finishes it (run it, then merge
# again: npm run merge -- --out OUT DIR/shard-*-of-N.json).
set -euo pipefail
here=${INIT_CWD:-$PWD}
cd "$(dirname "$0")/.."

n=2 jobs='' dir=sweep-out out=results.json workdir=.
logins=()
while getopts 'n:j:S:w:d:o:h' opt; do
  case $opt in
    n) n=$OPTARG ;;
    j) jobs=$OPTARG ;;
    S) logins+=("$OPTARG") ;;
    w) workdir=$OPTARG ;;
    d) dir=$OPTARG ;;
    o) out=$OPTARG ;;
    h) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "sweep: see: npm run sweep -- -h" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ "${1:-}" = -- ] && shift
flags=("$@")
if [ ${#flags[@]} -eq 0 ]; then echo 'sweep: give the experiment after --, e.g. -- --preset extrapolation --seeds 1,2,3' >&2; exit 2; fi
for f in "${flags[@]}"; do
  case $f in --out | --out=* | --shard | --shard=*)
    echo "sweep: $f is the sweep's to set (use -o for the merged results)" >&2; exit 2 ;;
  esac
done
if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ]; then echo "sweep: -n $n is not a number of shards" >&2; exit 2; fi
if ! command -v parallel >/dev/null; then
  echo 'sweep: GNU parallel is not installed (Debian: sudo apt-get install -y parallel)' >&2
  exit 1
fi
case $out in /*) ;; *) out=$here/$out ;; esac

# The corpus (built once per checkout; other machines: npm ci && npm run corpus), then the plan: a bad flag
# fails here once, not in every shard.
npm run --silent corpus >&2
npm run --silent experiment -- "${flags[@]}" --shard "1/$n" --plan >&2

mkdir -p "$dir"
shard="$dir/shard-{}-of-$n.json"
[ -z "$jobs" ] && { [ ${#logins[@]} -gt 0 ] && jobs=1 || jobs=$n; }
args=(--jobs "$jobs" --line-buffer --tagstring "[{}/$n]" --joblog "$dir/joblog-of-$n.txt" -q)
for l in "${logins[@]}"; do args+=(--sshlogin "$l"); done
[ ${#logins[@]} -gt 0 ] && args+=(--workdir "$workdir" --return "$shard")
status=0
t0=$(date +%s)
parallel "${args[@]}" npm run --silent experiment -- "${flags[@]}" --shard "{}/$n" --out "$shard" \
  ::: $(seq 1 "$n") || status=$?
echo "sweep: $n shard(s) ran in $(($(date +%s) - t0)) s; $status failed" >&2
files=()
for k in $(seq 1 "$n"); do [ -f "$dir/shard-$k-of-$n.json" ] && files+=("$dir/shard-$k-of-$n.json"); done
if [ ${#files[@]} -eq 0 ]; then echo 'sweep: no shard wrote results' >&2; exit 1; fi
npm run --silent merge -- --out "$out" "${files[@]}"
