#!/usr/bin/env bash
# `npm run model:train`: the whole model pipeline, end to end and resumable (docs/training.md):
#   1. generate the training cohort (seed 1) and export it as model tensors;
#   2. train the fusion model and the three unimodal ablations, calibrate, export ONNX, package
#      models/<id>/<version>/ with the manifest written last (tools/training/pipeline.py);
#   3. generate a held-out cohort with a seed the training never saw (seed 2) and evaluate the packaged
#      model on it through the serving code path (`mosaic model evaluate`), which writes evaluation.json,
#      the model card's tables and the refreshed manifest into the model folder.
# Re-running continues where an interrupted run stopped. Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."

work="${MOSAIC_TRAIN_DIR:-tmp/training}"
train_patients="${MOSAIC_TRAIN_PATIENTS:-3000}"
test_patients="${MOSAIC_TEST_PATIENTS:-1000}"
train_seed="${MOSAIC_TRAIN_SEED:-1}"
test_seed="${MOSAIC_TEST_SEED:-2}"
model_id="${MOSAIC_MODEL_ID:-mosaic-fusion-demo}"
version="${MOSAIC_MODEL_VERSION:-1.2.0}"
threads="${MOSAIC_TRAIN_THREADS:-1}"

for module in torch onnx numpy; do
  if ! /usr/bin/python3 -c "import ${module}" 2>/dev/null; then
    echo "model:train needs Debian's python3-${module}: run tools/install-system-deps.sh as root" >&2
    exit 1
  fi
done

mkdir -p "$work"
started=$(date +%s)
step_started=$started
step() {
  local now
  now=$(date +%s)
  echo "[model:train] $1 done in $((now - step_started)) s (total $((now - started)) s)" >&2
  step_started=$now
}

if [ ! -f "$work/cohort-train/cohort.json" ]; then
  rm -rf "$work/cohort-train"
  node bin/mosaic.js cohort generate --patients "$train_patients" --seed "$train_seed" --out "$work/cohort-train" >"$work/cohort-train.json"
fi
step "training cohort"

if [ ! -f "$work/export-train/index.json" ]; then
  rm -rf "$work/export-train"
  node bin/mosaic.js cohort export "$work/cohort-train" --out "$work/export-train" >"$work/export-train.json"
fi
step "training export"

resume=()
[ -d "$work/run" ] && resume=(--resume)
OMP_NUM_THREADS="$threads" /usr/bin/python3 tools/training/pipeline.py --data "$work/export-train" --work "$work/run" \
  --out models --model-id "$model_id" --version "$version" --threads "$threads" "${resume[@]}" >"$work/pipeline.json"
step "training, calibration, ONNX export and packaging"

if [ ! -f "$work/cohort-test/cohort.json" ]; then
  rm -rf "$work/cohort-test"
  node bin/mosaic.js cohort generate --patients "$test_patients" --seed "$test_seed" --out "$work/cohort-test" >"$work/cohort-test.json"
fi
step "held-out cohort"

node bin/mosaic.js model evaluate --model "models/$model_id/$version" --cohort "$work/cohort-test" \
  --out "$work/report.json" --threads "$threads"
step "evaluation"
