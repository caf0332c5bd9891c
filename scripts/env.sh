#!/usr/bin/env bash
# Create (once) and refresh the project's virtual environment in .venv.
# Sourced by scripts/run.sh and scripts/test.sh; needs only python3.11 and pip.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "[facesleuth] creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
VPY="$ROOT/.venv/bin/python"
# Re-install only when the dependency declarations changed.
STAMP=.venv/.facesleuth-deps
WANT="$(cat settings.ini setup.py scripts/env.sh | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "[facesleuth] installing dependencies into .venv (first run takes a few minutes)"
  "$VPY" -m pip install -q --upgrade pip
  # torch/torchvision pinned to the builds available on this workplace's disk (x86_64, Python 3.11)
  "$VPY" -m pip install -q "torch==2.14.1" "torchvision==0.29.1"
  "$VPY" -m pip install -q -e ".[dev,ray]"
  "$VPY" -m ipykernel install --sys-prefix --name python3 >/dev/null
  echo "$WANT" > "$STAMP"
fi
export PATH="$ROOT/.venv/bin:$PATH"
export MPLBACKEND=Agg
