#!/usr/bin/env bash
# Runs every classroom preset at the reproduction's "software adapter" size
# (docs/REPRODUCTION.md says why this size) and writes each preset's results
# to docs/figures/<preset>.json. Plots and tables come from those files:
# `npm run report`. Usage: bash scripts/reproduce.sh [preset ...]
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/figures
mkdir -p "$out"
# One budget for every run: 4 layers, width 32, 2 heads (head width 16),
# batch 8 x T 32, 600 steps at lr 0.01, 16 validation windows per length.
size=(--width 32 --heads 2 --batch 8 --seq-len 32 --steps 600 --set train.lr=0.01 --windows 16)
presets=("$@")
[ ${#presets[@]} -eq 0 ] && presets=(extrapolation reweight-eval decomposition deconstruct-uniform deconstruct-hybrid how-many positional)
for p in "${presets[@]}"; do
  case "$p" in
    # The extrapolation questions get three seeds (mean and spread).
    extrapolation | reweight-eval | decomposition | positional) extra=(--layers 4 --seeds 1,2,3) ;;
    # The how-many patterns need 8 layers (quarter = 2 of 8).
    how-many) extra=(--layers 8 --seed 1) ;;
    *) extra=(--layers 4 --seed 1) ;;
  esac
  echo "== $p $(date -u +%H:%M:%S)" >&2
  npm run --silent experiment -- --preset "$p" "${size[@]}" "${extra[@]}" --out "$out/$p.json"
done
