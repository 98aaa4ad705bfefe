#!/usr/bin/env bash
# A sweep on SLURM: one array task per shard, and a merge job that runs when
# every task has ended (afterany: a failed shard's runs are listed by the merge
# with the command that finishes them). Run on the login node, from the
# checkout (npm ci done, so the corpus is built):
#
#   bash docs/cluster/slurm.sh submit N OUT.json -- EXPERIMENT FLAGS...
#   bash docs/cluster/slurm.sh submit 8 results.json -- --preset deconstruct-hybrid --seeds 1,2,3
#
# Environment: GRES (default gpu:1; empty for CPU-only nodes, where WebGPU runs
# on SwiftShader), PARTITION (optional), CHROMIUM_PATH (a Chrome or Chromium on
# the nodes), CHROMIUM_FLAGS (default: the GPU flags below).
#
# Shard K writes sweep-out/shard-K-of-N.json and logs to
# sweep-out/slurm-JOB_K.log. A lost shard: run `sbatch --array=K
# docs/cluster/slurm.sh shard N FLAGS...` (it skips the runs its file holds),
# then `sbatch docs/cluster/slurm.sh merge N OUT.json`.
#
#SBATCH --job-name=attention-sweep
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=04:00:00
#SBATCH --output=sweep-out/slurm-%A_%a.log
set -euo pipefail
# In a batch job the script runs from a spool copy: the checkout is where sbatch was called.
cd "${SLURM_SUBMIT_DIR:-$(dirname "$0")/../..}"

# WebGPU in headless Chromium on an NVIDIA node: Vulkan through ANGLE, no window surface, the GPU blocklist off.
# The node needs the NVIDIA Vulkan driver (an ICD in /usr/share/vulkan/icd.d/, e.g. nvidia_icd.json; check with
# `vulkaninfo --summary`). Without one Chromium falls back to SwiftShader (slow, still correct): each shard's log
# names its adapter ("... runs on <adapter>"), and the merge warns when shards ran on different adapters.
export CHROMIUM_FLAGS="${CHROMIUM_FLAGS:---headless=new --use-angle=vulkan --enable-features=Vulkan,VulkanFromANGLE \
--disable-vulkan-surface --ignore-gpu-blocklist --enable-unsafe-webgpu}"

mode=${1:-}
case $mode in
  submit)
    n=$2 out=$3
    shift 3
    [ "${1:-}" = -- ] && shift
    mkdir -p sweep-out
    npm run --silent corpus
    # The plan first, on the login node: a bad flag fails here, not in N jobs.
    npm run --silent experiment -- "$@" --shard "1/$n" --plan
    opts=(--parsable ${PARTITION:+--partition="$PARTITION"})
    gres=${GRES-gpu:1}
    array=$(sbatch "${opts[@]}" ${gres:+--gres="$gres"} --array="1-$n" "$0" shard "$n" "$@")
    array=${array%%;*}
    merge=$(sbatch "${opts[@]}" --dependency="afterany:$array" --job-name=attention-merge \
      --output=sweep-out/slurm-merge-%j.log "$0" merge "$n" "$out")
    echo "submitted: shards $array (array 1-$n), merge ${merge%%;*} -> $out"
    ;;
  shard)
    n=$2
    shift 2
    k=${SLURM_ARRAY_TASK_ID:?run shards as an array job: sbatch --array=1-N}
    npm run --silent experiment -- "$@" --shard "$k/$n" --out "sweep-out/shard-$k-of-$n.json"
    ;;
  merge)
    n=$2 out=$3
    files=()
    for k in $(seq 1 "$n"); do [ -f "sweep-out/shard-$k-of-$n.json" ] && files+=("sweep-out/shard-$k-of-$n.json"); done
    npm run --silent merge -- --out "$out" "${files[@]}"
    ;;
  *)
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
