#!/usr/bin/env bash
# The main job. Until nbs/tables.ipynb exists: run the demo notebook with papermill, which builds
# every model variant on SynthME-sized random input and prints the parameter table.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
mkdir -p runs
papermill nbs/demo.ipynb runs/demo.ipynb "$@"
echo "[facesleuth] executed notebook: runs/demo.ipynb ; parameter table: figures/params.csv, figures/params.md"
