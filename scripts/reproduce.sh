#!/usr/bin/env bash
# Runs every classroom preset as docs/REPRODUCTION.md reports it, at the
# presets' own budget (CLASSROOM in src/experiment/presets.ts), and writes each
# preset's results to docs/figures/<preset>.json. Plots and tables come from
# those files: `npm run report`. Usage: bash scripts/reproduce.sh [preset ...]
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/figures
mkdir -p "$out"
presets=("$@")
[ ${#presets[@]} -eq 0 ] && presets=(extrapolation reweight-eval decomposition deconstruct-uniform deconstruct-hybrid how-many positional)
for p in "${presets[@]}"; do
  echo "== $p $(date -u +%H:%M:%S)" >&2
  # Three seeds per run: the report gives the mean and spread.
  npm run --silent experiment -- --preset "$p" --seeds 1,2,3 --out "$out/$p.json"
done
