#!/usr/bin/env bash
# Runs the whole benchmark (see BENCHMARKS.md): bench/run.sh [--quick] [--backends sqlite] ...
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m bench.run "$@"
