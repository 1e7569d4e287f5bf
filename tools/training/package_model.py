#!/usr/bin/python3
"""Packages a trained run into models/<model-id>/<version>/ (ARCHITECTURE.md §Model contract).

Copies the ONNX graphs, parity golden file and vocabulary, derives the preprocessing parameters
from the export's index.json, writes MODEL_CARD.md and writes manifest.json LAST, with the sha256 of
every file, so a manifest never describes a half-written folder. Ablation models go to ablations/<name>/
with their own manifest (role "ablation"); the top-level manifest pins each by its manifest's sha256.

  package_model.py --work WORK --data EXPORT_DIR --out models/<id>/<version> [--model-id ID --version V]
  package_model.py --refresh models/<id>/<version> [--evaluation evaluation.json]

`--refresh` re-hashes a packaged folder after files were added or changed (for example
evaluation.json and the evaluation tables in MODEL_CARD.md) and rewrites the manifest last.
"""

import argparse
import datetime
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from mosaic_training import contract as C  # noqa: E402
from mosaic_training.dataset import TensorExport, read_vocab  # noqa: E402
from mosaic_training.export import GRAPHS, sha256_file  # noqa: E402

SCHEMA_VERSION = "mosaic-model/1"
MAX_SERVED_ONNX_BYTES = 20 * 1024 * 1024
VARIANT_MODALITIES = {
    "fusion": ["text", "image", "vitals"],
    "text_only": ["text"],
    "image_only": ["image"],
    "vitals_only": ["vitals"],
}
NOT_FOR_CLINICAL_USE = (
    "NOT FOR CLINICAL USE. Demonstration model trained only on synthetic data; it has never been "
    "validated on real patients and must not inform any clinical decision."
)


class PackageError(Exception):
    pass


def _labels(data):
    """Label slugs with display names and codes: the export's own details, else label_catalog.json."""
    details = data.index.get("labelDetails")
    if not details:
        with open(os.path.join(HERE, "label_catalog.json"), encoding="utf-8") as f:
            details = json.load(f)["labels"]
    by_slug = {d["slug"]: d for d in details}
    out = []
    for slug in data.labels:
        d = by_slug.get(slug)
        if d is None or not d.get("snomedCt") or not d.get("icd10"):
            raise PackageError(f"label {slug!r} has no SNOMED CT / ICD-10 codes")
        out.append(
            {
                "slug": slug,
                "display": d.get("display", slug),
                "snomedCt": {"system": "http://snomed.info/sct", "code": str(d["snomedCt"])},
                "icd10": {"system": "http://hl7.org/fhir/sid/icd-10", "code": str(d["icd10"])},
            }
        )
    return out


def _vitals_stats(data):
    """Normalisation statistics {mean[6], std[6]} from wherever the export recorded them."""
    pre = data.preprocessing().get("vitals", {})
    candidates = [pre.get("stats"), pre if "mean" in pre else None]
    stats_file = pre.get("statsFile") or data.index.get("files", {}).get("vitals_stats") or "vitals_stats.json"
    path = os.path.join(data.root, stats_file)
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            candidates.append(json.load(f))
    for c in candidates:
        if isinstance(c, dict) and len(c.get("mean", [])) == C.VITALS_VALUE_CHANNELS and len(
            c.get("std", [])
        ) == C.VITALS_VALUE_CHANNELS:
            return {"mean": [float(x) for x in c["mean"]], "std": [float(x) for x in c["std"]]}
    raise PackageError("the export records no vitals normalisation statistics (mean/std for 6 channels)")


def _preprocessing(data, vocab):
    pre = data.preprocessing()
    text, image, vitals = pre.get("text", {}), pre.get("image", {}), pre.get("vitals", {})
    stats = _vitals_stats(data)
    return {
        "text": {
            "vocabFile": "vocab.txt",
            "vocabSize": len(vocab),
            "maxTokens": C.TEXT_LEN,
            "specialTokens": {"pad": C.PAD_ID, "unk": C.UNK_ID, "cls": C.CLS_ID, "sep": C.SEP_ID},
            "params": text,
        },
        "image": {
            "size": [C.IMAGE_SIZE, C.IMAGE_SIZE],
            "channels": 1,
            "grid": {"rows": C.IMAGE_GRID, "cols": C.IMAGE_GRID},
            "windowing": image.get("windowing"),
            "normalisation": image.get("normalisation", image.get("normalization")),
            "params": image,
        },
        "vitals": {
            "timeGrid": {"steps": C.VITALS_STEPS, "stepSeconds": 3600, "order": "oldest-first"},
            "statsFile": "vitals_stats.json",
            "channels": [
                {
                    "index": i,
                    "loinc": code,
                    "display": display,
                    "ucum": unit,
                    "mean": stats["mean"][i],
                    "std": stats["std"][i],
                    "maskChannel": i + C.VITALS_VALUE_CHANNELS,
                }
                for i, (code, display, unit) in enumerate(C.VITALS_LOINC)
            ],
            "params": vitals,
        },
    }, stats


def _io(name, dtype, shape):
    return {"name": name, "dtype": dtype, "shape": shape}


def _graph_specs(d, k):
    b = "batch"
    return {
        "encoders": {
            "text": {
                "file": "text_encoder.onnx",
                "inputs": [_io("input_ids", "int64", [b, C.TEXT_LEN]), _io("attention_mask", "int64", [b, C.TEXT_LEN])],
                "outputs": [_io("tokens", "float32", [b, C.TEXT_LEN, d])],
            },
            "image": {
                "file": "image_encoder.onnx",
                "inputs": [_io("pixels", "float32", [b, 1, C.IMAGE_SIZE, C.IMAGE_SIZE])],
                "outputs": [_io("tokens", "float32", [b, C.IMAGE_TOKENS, d])],
            },
            "vitals": {
                "file": "vitals_encoder.onnx",
                "inputs": [_io("vitals", "float32", [b, C.VITALS_STEPS, C.VITALS_CHANNELS])],
                "outputs": [_io("tokens", "float32", [b, C.VITALS_STEPS, d])],
            },
        },
        "fusion": {
            "file": "fusion.onnx",
            "tokenDim": d,
            "inputs": [
                _io("text_tokens", "float32", [b, C.TEXT_LEN, d]),
                _io("text_mask", "float32", [b, C.TEXT_LEN]),
                _io("image_tokens", "float32", [b, C.IMAGE_TOKENS, d]),
                _io("image_mask", "float32", [b, C.IMAGE_TOKENS]),
                _io("vitals_tokens", "float32", [b, C.VITALS_STEPS, d]),
                _io("vitals_mask", "float32", [b, C.VITALS_STEPS]),
            ],
            "outputs": [
                _io("logits", "float32", [b, k]),
                _io("label_attention", "float32", [b, k, C.TOTAL_TOKENS]),
                _io("self_attention", "float32", [b, C.TOTAL_TOKENS, C.TOTAL_TOKENS]),
            ],
            "positions": {m: {"start": s, "end": e} for m, (s, e) in C.POSITIONS.items()},
            "masks": {
                "text": "attention_mask of the text encoder, as float (1 = real token)",
                "image": "image present (1) or missing (0), repeated over all 64 patch tokens",
                "vitals": "any vitals present (1) or none (0), repeated over all 48 hourly tokens",
            },
            "attention": "head-averaged softmax weights; label_attention rows sum to 1 unless every modality is masked (then 0)",
        },
    }


def _files(folder, exclude_dirs=("ablations",)):
    out = []
    for root, dirs, names in os.walk(folder):
        rel_root = os.path.relpath(root, folder)
        if rel_root == ".":
            dirs[:] = [d for d in dirs if d not in exclude_dirs]
        dirs.sort()
        for n in sorted(names):
            rel = os.path.normpath(os.path.join(rel_root, n)).replace(os.sep, "/")
            if rel == "manifest.json" or n.endswith(".tmp"):
                continue
            p = os.path.join(root, n)
            out.append({"path": rel, "sha256": sha256_file(p), "bytes": os.path.getsize(p)})
    return out


def _write_manifest_last(folder, manifest):
    """Hashes every file, then writes manifest.json atomically as the folder's final write."""
    manifest["files"] = _files(folder)
    onnx = [f for f in manifest["files"] if f["path"].endswith(".onnx") and "/" not in f["path"]]
    manifest["size"] = {"onnxBytes": sum(f["bytes"] for f in onnx), "maxOnnxBytes": MAX_SERVED_ONNX_BYTES}
    if manifest["role"] == "served" and manifest["size"]["onnxBytes"] > MAX_SERVED_ONNX_BYTES:
        raise PackageError(f"served ONNX files total {manifest['size']['onnxBytes']} bytes > 20 MB")
    tmp = os.path.join(folder, "manifest.json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    os.replace(tmp, os.path.join(folder, "manifest.json"))
    return manifest


def _blocks(n):
    return "" if not n else f" + {n} transformer block{'s' if n > 1 else ''}"


def _model_card(manifest, train_results):
    labels = "\n".join(
        f"| `{l['slug']}` | {l['display']} | {l['snomedCt']['code']} | {l['icd10']['code']} |" for l in manifest["labels"]
    )
    t = manifest["training"]
    cal = manifest["calibration"]
    fusion = train_results.get("fusion", {})
    cfg = fusion.get("config", {})
    values = (
        " (keys after the self-attention, values before it: a label reads evidence only where it attends)"
        if cfg.get("local_values")
        else ""
    )
    supervision = (
        f", auxiliary per-encoder label losses (weight {cfg['aux_weight']})" if cfg.get("aux_weight") else ""
    ) + (
        f" and evidence supervision of the label attention (weight {cfg['evidence_weight']}): on training"
        " patients, the share of a present label's attention within a modality that falls on the ground-truth"
        " evidence (note spans, finding masks, vitals windows) is a training loss, so attention hit rates"
        " measure localisation learned under that supervision"
        if cfg.get("evidence_weight")
        else ""
    )
    return f"""# {manifest['modelId']} {manifest['version']}

> **{NOT_FOR_CLINICAL_USE}**

## Intended use

Demonstration of the Mosaic model contract: ranked diagnoses with attention explanations over a
clinical note, a chest radiograph and 48 hours of vital signs. For software development, testing
and teaching only.

## Labels

| slug | display | SNOMED CT | ICD-10 |
| --- | --- | --- | --- |
{labels}

## Inputs and preprocessing

- Text: WordPiece ids, at most {C.TEXT_LEN} tokens ([CLS] ... [SEP]); vocabulary `vocab.txt` ({manifest['preprocessing']['text']['vocabSize']} tokens), built from the training split.
- Image: 1x{C.IMAGE_SIZE}x{C.IMAGE_SIZE} (aspect-preserving resize and pad, windowed, normalised; libs/dicom); {C.IMAGE_GRID}x{C.IMAGE_GRID} patch tokens.
- Vitals: {C.VITALS_STEPS} hourly steps, oldest first; HR, RR, SpO2, temperature, SBP, DBP (LOINC, UCUM in manifest.json) z-scored with `vitals_stats.json`, plus observed masks.
- A missing modality is masked, never imputed.

## Model

Per-modality encoders (text: {cfg.get('text_layers', '?')}-layer transformer; image: strided CNN{_blocks(cfg.get('image_layers'))}; vitals: temporal conv{_blocks(cfg.get('vitals_layers'))}), d={manifest['fusion']['tokenDim']},
a joint self-attention layer over the 240 concatenated tokens with modality-type embeddings, then one query per label
cross-attending over them{values}. {fusion.get('parameters', '?'):,} parameters. Trained with modality dropout (p={fusion.get('modality_dropout', '?')}){supervision}.

## Training data

Synthetic cohort only. Generator {t['cohort'].get('generatorVersion')}, seed {t['cohort'].get('seed')}, {t['cohort'].get('patients')} patients
(train {t['splits'].get('train', 0)}, val {t['splits'].get('val', 0)}, test {t['splits'].get('test', 0)}).
Ground-truth digest `{t['dataDigest']}`; export index sha256 `{t['exportIndexSha256']}`.

## Calibration and thresholds

Temperature scaling ({cal['mode']}) fitted on the val split; thresholds maximise F1 per label on the calibrated val probabilities.
Validation macro AUROC {t['validation']['macroAuroc']:.4f}; macro ECE (15 bins) {t['validation']['eceBefore']:.4f} before, {t['validation']['eceAfter']:.4f} after.

## Evaluation

Filled in by `mosaic model evaluate` (evaluation.json), on a held-out cohort generated with an unseen seed.

## Known limitations

- Synthetic data only: performance says nothing about real patients.
- Attention weights are an explanation aid, not proof of causal evidence.
- One note, one image and one 48-hour vitals window per assessment.
"""


def _manifest(model_id, version, role, variant, labels, preprocessing, d, calibration, training, ablations, smoke):
    specs = _graph_specs(d, len(labels))
    return {
        "schemaVersion": SCHEMA_VERSION,
        "modelId": model_id,
        "version": version,
        "role": role,
        "variant": variant,
        "modalities": VARIANT_MODALITIES[variant],
        "notForClinicalUse": True,
        "notice": NOT_FOR_CLINICAL_USE,
        "smokeTest": smoke,
        "createdAt": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "labels": labels,
        "preprocessing": preprocessing,
        "encoders": specs["encoders"],
        "fusion": specs["fusion"],
        "calibration": {
            "method": calibration["method"],
            "mode": calibration["mode"],
            "fittedOn": calibration["fittedOn"],
            "temperatures": calibration["temperatures"],
            "formula": "p_k = sigmoid(logit_k / temperatures[k])",
        },
        "thresholds": calibration["thresholds"],
        "training": training,
        "evaluation": None,
        "ablations": ablations,
        "parity": {"golden": "parity/golden.json", "tolerance": 1e-4},
    }


def package(work, data_dir, out_dir, model_id, version, variants=("fusion",), smoke=False):
    data = TensorExport(data_dir)
    vocab_path, vocab = read_vocab(data.root, data.index)
    labels = _labels(data)
    preprocessing, stats = _preprocessing(data, vocab)
    splits = {s: int((data.split == s).sum()) for s in ("train", "val", "test")}
    cohort = data.index.get("cohort", {})
    train_results = {}
    for v in variants:
        with open(os.path.join(work, "runs", v, "train_result.json"), encoding="utf-8") as f:
            train_results[v] = json.load(f)

    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)

    def fill(folder, variant):
        src = os.path.join(work, "export", variant)
        for name in GRAPHS:
            shutil.copyfile(os.path.join(src, f"{name}.onnx"), os.path.join(folder, f"{name}.onnx"))
        shutil.copytree(os.path.join(src, "parity"), os.path.join(folder, "parity"))
        shutil.copyfile(vocab_path, os.path.join(folder, "vocab.txt"))
        with open(os.path.join(folder, "vitals_stats.json"), "w", encoding="utf-8") as f:
            json.dump(stats, f, indent=2)
        with open(os.path.join(work, "runs", variant, "calibration.json"), encoding="utf-8") as f:
            cal = json.load(f)
        r = train_results[variant]
        training = {
            "dataDigest": data.digest(),
            "exportIndexSha256": data.index_sha256,
            "cohort": cohort,
            "splits": splits,
            "seed": r["seed"],
            "epochs": r["epochs"],
            "bestEpoch": r["best_epoch"],
            "batchSize": r["batch_size"],
            "optimizer": {"name": "AdamW", "lr": r["lr"], "weightDecay": r["weight_decay"], "schedule": "linear warmup + cosine"},
            "modalityDropout": r["modality_dropout"],
            "parameters": r["parameters"],
            "validation": cal["validation"],
            "historyFile": "training_history.json",
        }
        with open(os.path.join(folder, "training_history.json"), "w", encoding="utf-8") as f:
            json.dump({"variant": variant, "config": r["config"], "history": r["history"]}, f, indent=2)
        return cal, training, r["config"]["d"]

    ablations = []
    for v in variants:
        if v == "fusion":
            continue
        folder = os.path.join(out_dir, "ablations", v)
        os.makedirs(folder)
        cal, training, d = fill(folder, v)
        m = _manifest(model_id, version, "ablation", v, labels, preprocessing, d, cal, training, [], smoke)
        _write_manifest_last(folder, m)
        ablations.append(
            {
                "name": v,
                "path": f"ablations/{v}",
                "modalities": VARIANT_MODALITIES[v],
                "manifestSha256": sha256_file(os.path.join(folder, "manifest.json")),
            }
        )

    cal, training, d = fill(out_dir, "fusion")
    m = _manifest(model_id, version, "served", "fusion", labels, preprocessing, d, cal, training, ablations, smoke)
    with open(os.path.join(out_dir, "MODEL_CARD.md"), "w", encoding="utf-8") as f:
        f.write(_model_card(m, train_results))
    m = _write_manifest_last(out_dir, m)
    return {"dir": out_dir, "onnxBytes": m["size"]["onnxBytes"], "files": len(m["files"])}


def refresh(folder, evaluation=None):
    """Re-hashes a packaged folder (and its ablations) and rewrites the manifests last."""
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
        m = json.load(f)
    if evaluation:
        with open(evaluation, encoding="utf-8") as f:
            ev = json.load(f)
        if os.path.abspath(evaluation) != os.path.abspath(os.path.join(folder, "evaluation.json")):
            shutil.copyfile(evaluation, os.path.join(folder, "evaluation.json"))
        m["evaluation"] = {"file": "evaluation.json", "summary": ev.get("summary", ev.get("variants"))}
    for a in m.get("ablations", []):
        sub = os.path.join(folder, a["path"])
        with open(os.path.join(sub, "manifest.json"), encoding="utf-8") as f:
            am = json.load(f)
        _write_manifest_last(sub, am)
        a["manifestSha256"] = sha256_file(os.path.join(sub, "manifest.json"))
    _write_manifest_last(folder, m)
    return {"dir": folder, "files": len(m["files"])}


def main():
    ap = argparse.ArgumentParser(description="Package a trained Mosaic model folder")
    ap.add_argument("--work")
    ap.add_argument("--data")
    ap.add_argument("--out")
    ap.add_argument("--model-id", default="mosaic-fusion-demo")
    ap.add_argument("--version", default="1.0.0")
    ap.add_argument("--variants", default="fusion,text_only,image_only,vitals_only")
    ap.add_argument("--refresh", metavar="MODEL_DIR")
    ap.add_argument("--evaluation", help="with --refresh: evaluation.json to embed")
    a = ap.parse_args()
    try:
        if a.refresh:
            res = refresh(a.refresh, a.evaluation)
        elif a.work and a.data and a.out:
            res = package(a.work, a.data, a.out, a.model_id, a.version, a.variants.split(","))
        else:
            ap.print_usage(sys.stderr)
            return 2
    except (PackageError, OSError, KeyError) as e:
        print(f"package failed: {e}", file=sys.stderr)
        return 1
    print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
