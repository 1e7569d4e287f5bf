#!/usr/bin/env bash
# End-to-end model pipeline (see docs/training.md). Uses Debian's Python with python3-torch and
# python3-onnx, never a virtualenv or PyPI; two intra-op threads unless the caller says otherwise.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
exec /usr/bin/python3 "$here/pipeline.py" "$@"
