#!/usr/bin/env bash
# Runs the whole benchmark (see BENCHMARKS.md): bench/run.sh [--quick] [--backends postgresql,sqlite] ... (--help)
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m bench.run "$@"
