#!/usr/bin/env bash
# Run every test: all notebooks (nbdev_test) and tests/ (pytest).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
echo "[facesleuth] nbdev_test over nbs/"
OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" nbdev_test --n_workers "${NBDEV_WORKERS:-2}" --timing
echo "[facesleuth] pytest tests/"
python -m pytest -q tests/
