#!/usr/bin/env bash
# One Slurm array task per range of shards; a dependent job writes the manifest.
#   sbatch --array=0-3 scripts/slurm_array.sh shards/
#   sbatch --dependency=afterok:<array job id> --wrap "plotdigit manifest shards/"
#SBATCH --job-name=plotdigit
#SBATCH --cpus-per-task=16
#SBATCH --time=04:00:00
set -euo pipefail
OUT=${1:?usage: slurm_array.sh OUT}
N=${N:-100000}               # charts in the whole run
SHARD_SIZE=${SHARD_SIZE:-1000}
PER_TASK=${PER_TASK:-25}     # shards per array task: 100 shards over --array=0-3
A=$(( SLURM_ARRAY_TASK_ID * PER_TASK ))
exec plotdigit generate --n "$N" --shard-size "$SHARD_SIZE" --seed "${SEED:-0}" --out "$OUT" \
    --shards "$A:$(( A + PER_TASK ))" --workers "${SLURM_CPUS_PER_TASK:-1}"
