#!/usr/bin/env bash
# Regenerate README.md from nbs/index.ipynb (nbdev_readme needs quarto, which is not installed here).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
python scripts/readme.py > README.md
