#!/usr/bin/python3
"""End-to-end model pipeline: train the fusion model and the three unimodal ablations, calibrate,
export ONNX with parity golden files, check them in onnxruntime-node, and package the model folder.

  pipeline.py --data EXPORT_DIR [--work DIR] [--out models] [--resume]
  pipeline.py --smoke [--data EXPORT_DIR] [--work DIR]

Every stage records completion in WORK/stages/; `--resume` skips finished stages and continues
training from the last epoch checkpoint. Progress goes to stderr, the final summary (JSON) to stdout.
Exit codes: 0 success, 1 failure, 2 usage.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

ABLATIONS = ("text_only", "image_only", "vitals_only")


class UsageError(Exception):
    pass


def log(msg):
    print(f"[pipeline] {msg}", file=sys.stderr, flush=True)


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Mosaic model training pipeline")
    ap.add_argument("--data", help="directory written by `mosaic cohort export` (index.json + .npy)")
    ap.add_argument("--work", help="working directory for checkpoints and exports (default tmp/model-train)")
    ap.add_argument("--out", default=os.path.join(REPO, "models"), help="models root (default: models/)")
    ap.add_argument("--model-id", default="mosaic-fusion-demo")
    ap.add_argument("--version", default="1.2.0")
    ap.add_argument("--resume", action="store_true", help="continue an interrupted run in --work")
    ap.add_argument("--smoke", action="store_true", help="64 patients, ~1 minute; asserts the loss falls")
    ap.add_argument("--epochs", type=int, default=None, help="fusion epochs (default 16; smoke 6)")
    ap.add_argument("--ablation-epochs", type=int, default=None, help="each ablation (default 16; smoke 1)")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--temperature-mode", choices=["per-label", "single"], default="per-label")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1: faster than 2 for this model)")
    ap.add_argument("--skip-ablations", action="store_true")
    a = ap.parse_args(argv)
    if not a.smoke and not a.data:
        raise UsageError("--data is required (except with --smoke)")
    if a.epochs is None:
        a.epochs = 6 if a.smoke else 16
    if a.ablation_epochs is None:
        # Same budget as the fusion model, so the ablation comparison is not won by undertraining.
        a.ablation_epochs = 1 if a.smoke else 16
    if a.work is None:
        a.work = os.path.join(REPO, "tmp", "model-smoke" if a.smoke else "model-train")
    return a


class Stages:
    def __init__(self, work, resume):
        self.dir = os.path.join(work, "stages")
        earlier = (os.path.isdir(self.dir) and os.listdir(self.dir)) or os.path.isdir(os.path.join(work, "runs"))
        if earlier and not resume:
            raise UsageError(f"{work} holds an earlier run: pass --resume, or choose a fresh --work")
        os.makedirs(self.dir, exist_ok=True)

    def done(self, name):
        path = os.path.join(self.dir, f"{name}.json")
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                return json.load(f)
        return None

    def run(self, name, fn):
        prev = self.done(name)
        if prev is not None:
            log(f"stage {name}: already done, skipped")
            return prev["result"]
        log(f"stage {name}: start")
        t = time.time()
        result = fn()
        rec = {"stage": name, "seconds": time.time() - t, "result": result}
        with open(os.path.join(self.dir, f"{name}.json"), "w", encoding="utf-8") as f:
            json.dump(rec, f, indent=2)
        log(f"stage {name}: done in {rec['seconds']:.1f}s")
        return result


def node_check(mode, dirs):
    script = os.path.join(HERE, "node", "onnx-check.js")
    proc = subprocess.run(["node", script, mode, *dirs], cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        sys.stderr.write(proc.stdout)
        raise RuntimeError(f"onnxruntime-node {mode} check failed")
    return json.loads(proc.stdout)


def run(a):
    import torch

    torch.set_num_threads(a.threads)
    from mosaic_training.calibrate import calibrate
    from mosaic_training.dataset import TensorExport, read_vocab
    from mosaic_training.export import export_onnx, parity_rows, write_golden
    from mosaic_training.train import load_best, train

    os.makedirs(a.work, exist_ok=True)
    stages = Stages(a.work, a.resume)
    t0 = time.time()

    if a.smoke and not a.data:
        a.data = os.path.join(a.work, "fake-export")

        def fake():
            from make_fake_export import make

            make(a.data, 64, a.seed, 400)
            return {"data": a.data, "note": "fake export, development only"}

        stages.run("fake_export", fake)

    data = TensorExport(a.data)
    _, vocab = read_vocab(data.root, data.index)
    variants = ["fusion"] + ([] if a.skip_ablations else list(ABLATIONS))
    run_dir = lambda v: os.path.join(a.work, "runs", v)  # noqa: E731
    export_dir = lambda v: os.path.join(a.work, "export", v)  # noqa: E731

    results = {}
    for v in variants:
        epochs = a.epochs if v == "fusion" else a.ablation_epochs
        results[v] = stages.run(
            f"train_{v}",
            lambda v=v, epochs=epochs: _strip_history(
                train(
                    data,
                    run_dir(v),
                    variant=v,
                    vocab_size=len(vocab),
                    epochs=epochs,
                    batch_size=a.batch_size,
                    lr=a.lr,
                    seed=a.seed,
                    resume=a.resume,
                    log_every=5 if a.smoke else 20,
                )
            ),
        )

    if a.smoke:
        with open(os.path.join(run_dir("fusion"), "train_result.json"), encoding="utf-8") as f:
            hist = json.load(f)["history"]
        first, last = hist[0]["first_step_loss"], hist[-1]["train_loss"]
        if not last < first:
            raise RuntimeError(f"smoke: training loss did not fall ({first:.4f} -> {last:.4f})")
        log(f"smoke: loss fell {first:.4f} -> {last:.4f}")

    for v in variants:

        def cal_and_export(v=v):
            model = load_best(run_dir(v))
            cal = calibrate(model, data, run_dir(v), a.temperature_mode)
            hashes = export_onnx(model, export_dir(v))
            # The served model's golden file covers 100 held-out rows; an ablation's, 16 (size).
            n, detail = (100, 16) if v == "fusion" else (16, 4)
            golden = write_golden(model, data, parity_rows(data, n), export_dir(v), hashes, detail_rows=detail)
            return {"calibration": cal, "onnx": hashes, "paritySamples": golden["samples"]}

        results[f"export_{v}"] = stages.run(f"export_{v}", cal_and_export)

    dirs = [export_dir(v) for v in variants]
    stages.run("ort_load", lambda: node_check("load", dirs)["ok"])
    stages.run("ort_parity", lambda: {d: r["maxAbsDiff"] for d, r in node_check("parity", dirs)["reports"].items()})

    if a.smoke and a.out == os.path.join(REPO, "models"):
        a.out = os.path.join(a.work, "models")  # a smoke run never touches the committed models

    def package():
        from package_model import package as pkg

        target = os.path.join(a.out, a.model_id, a.version)
        return pkg(
            work=a.work,
            data_dir=data.root,
            out_dir=target,
            model_id=a.model_id,
            version=a.version,
            variants=variants,
            smoke=a.smoke,
        )

    packaged = stages.run("package", package)
    stages.run("manifest_check", lambda: node_check("manifest", [packaged["dir"]])["ok"])
    summary = {
        "ok": True,
        "smoke": a.smoke,
        "model": packaged["dir"],
        "onnxBytes": packaged["onnxBytes"],
        "validation": results["export_fusion"]["calibration"]["validation"],
        "timing": {
            "totalSeconds": time.time() - t0,
            **{
                f"{v}": {
                    "secondsPerStep": results[v]["seconds_per_step"],
                    "secondsPerEpoch": results[v]["seconds_per_epoch"],
                    "trainSeconds": results[v]["train_seconds"],
                    "epochs": results[v]["epochs"],
                    "trainRows": results[v]["train_rows"],
                }
                for v in variants
            },
        },
    }
    with open(os.path.join(a.work, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
    return summary


def _strip_history(r):
    return {k: v for k, v in r.items() if k != "history"}


def main(argv=None):
    try:
        a = parse_args(argv if argv is not None else sys.argv[1:])
        summary = run(a)
    except UsageError as e:
        print(f"usage error: {e}", file=sys.stderr)
        return 2
    except SystemExit as e:  # argparse
        return 2 if e.code else 0
    except Exception as e:  # noqa: BLE001 - report and exit 1, per the CLI contract
        import traceback

        traceback.print_exc()
        print(f"pipeline failed: {e}", file=sys.stderr)
        return 1
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
