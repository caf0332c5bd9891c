#!/usr/bin/env bash
# The main job: regenerate the papers' tables and figures with papermill (SynthME, smoke preset by default).
# Extra arguments go to both notebooks, e.g.  bash scripts/run.sh -p preset cpu -p seeds 0,1,2
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
mkdir -p runs
papermill --log-output nbs/tables.ipynb runs/tables.ipynb "$@"        # --log-output: per-run and per-fold progress in the terminal
papermill --log-output nbs/figures.ipynb runs/figures.ipynb "$@"
echo "[facesleuth] executed notebooks: runs/tables.ipynb, runs/figures.ipynb ; tables and figures: figures/<preset>/"
