#!/usr/bin/python3
"""DEVELOPMENT AND TEST ONLY: writes a fake `mosaic cohort export` directory.

The arrays follow docs/model/tensor-contract.md exactly, but the content is random noise with a
simple planted signal per label (an evidence token in the text, a bright blob in the image, a raised
channel in a vitals window), so a smoke run can check that the loss falls. It is not a cohort and
must never be used to train a model that is shipped: real exports come from `mosaic cohort export`.

Usage: make_fake_export.py --out DIR [--patients 64] [--seed 0] [--vocab-size 400]
"""

import argparse
import hashlib
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mosaic_training import contract as C  # noqa: E402

LABELS = [
    "pneumonia",
    "acute_heart_failure",
    "sepsis",
    "pulmonary_embolism",
    "pneumothorax",
    "pleural_effusion",
    "copd_exacerbation",
    "pulmonary_nodule",
]


def make(out, patients, seed, vocab_size):
    rng = np.random.default_rng(seed)
    n, k = patients, len(LABELS)
    os.makedirs(out, exist_ok=True)

    labels = (rng.random((n, k)) < 0.18).astype(np.float32)
    text_ids = np.zeros((n, C.TEXT_LEN), np.int64)
    text_mask = np.zeros((n, C.TEXT_LEN), np.uint8)
    image = np.zeros((n, 1, C.IMAGE_SIZE, C.IMAGE_SIZE), np.float32)
    vitals = np.zeros((n, C.VITALS_STEPS, C.VITALS_CHANNELS), np.float32)
    has_text = rng.random(n) > 0.05
    has_image = rng.random(n) > 0.2
    has_vitals = rng.random(n) > 0.1
    evidence = np.zeros((n, k, C.TOTAL_TOKENS), np.uint8)
    t0, i0, v0 = (C.POSITIONS[m][0] for m in C.MODALITIES)

    for p in range(n):
        if has_text[p]:
            length = int(rng.integers(40, C.TEXT_LEN + 1))
            ids = rng.integers(4 + 2 * k, vocab_size, size=length)
            ids[0], ids[length - 1] = C.CLS_ID, C.SEP_ID
            for j in np.nonzero(labels[p])[0]:
                if rng.random() < 0.7:
                    at = int(rng.integers(1, length - 1))
                    ids[at] = 4 + 2 * j  # evidence token
                    evidence[p, j, t0 + at] = 1
            if rng.random() < 0.3:
                ids[int(rng.integers(1, length - 1))] = 5 + 2 * int(rng.integers(0, k))  # decoy
            text_ids[p, :length] = ids
            text_mask[p, :length] = 1
        if has_image[p]:
            img = rng.normal(0, 0.3, (C.IMAGE_SIZE, C.IMAGE_SIZE)).astype(np.float32)
            for j in np.nonzero(labels[p])[0]:
                if rng.random() < 0.7:
                    r, c = 16 + (j // 4) * 64, 8 + (j % 4) * 30
                    img[r : r + 16, c : c + 16] += 2.0
                    for cr in range(r // 16, (r + 15) // 16 + 1):
                        for cc in range(c // 16, (c + 15) // 16 + 1):
                            evidence[p, j, i0 + cr * C.IMAGE_GRID + cc] = 1
            image[p, 0] = img
        if has_vitals[p]:
            obs = (rng.random((C.VITALS_STEPS, 6)) < 0.8).astype(np.float32)
            val = rng.normal(0, 1, (C.VITALS_STEPS, 6)).astype(np.float32)
            for j in np.nonzero(labels[p])[0]:
                if rng.random() < 0.7:
                    val[24 + j : 32 + j, j % 6] += 2.0
                    evidence[p, j, v0 + 24 + j : v0 + 32 + j] = 1
            vitals[p, :, :6] = val * obs
            vitals[p, :, 6:] = obs

    split = np.where(np.arange(n) % 10 < 7, "train", np.where(np.arange(n) % 10 < 8, "val", "test"))
    arrays = {
        "text_ids": text_ids,
        "text_mask": text_mask,
        "image": image,
        "image_present": has_image.astype(np.uint8),
        "vitals": vitals,
        "vitals_present": has_vitals.astype(np.uint8),
        "labels": labels,
        "evidence": evidence,
    }
    for name, arr in arrays.items():
        np.save(os.path.join(out, f"{name}.npy"), arr)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + [f"tok{i}" for i in range(4, vocab_size)]
    with open(os.path.join(out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    stats = {"mean": [0.0] * C.VITALS_VALUE_CHANNELS, "std": [1.0] * C.VITALS_VALUE_CHANNELS}
    with open(os.path.join(out, "vitals_stats.json"), "w", encoding="utf-8") as f:
        json.dump(stats, f, indent=2)
    index = {
        "format": C.EXPORT_FORMAT,
        "cohort": {
            "seed": seed,
            "generatorVersion": "fake-export (development only)",
            "patients": n,
            "digest": hashlib.sha256(labels.tobytes()).hexdigest(),
        },
        "labels": LABELS,
        "rows": [{"patientId": f"fake-{p:05d}", "split": str(split[p])} for p in range(n)],
        "preprocessing": {
            "text": {"vocabFile": "vocab.txt", "maxTokens": C.TEXT_LEN, "lowercase": True},
            "image": {
                "size": [C.IMAGE_SIZE, C.IMAGE_SIZE],
                "resize": "aspect-preserving, zero padded",
                "windowing": "fake",
                "normalisation": {"mean": 0.0, "std": 1.0},
            },
            "vitals": {
                "steps": C.VITALS_STEPS,
                "stepSeconds": 3600,
                "statsFile": "vitals_stats.json",
                "channels": [{"code": c, "display": d, "unit": u} for c, d, u in C.VITALS_LOINC],
            },
        },
        "files": {name: f"{name}.npy" for name in arrays} | {"vocab": "vocab.txt"},
    }
    with open(os.path.join(out, "index.json"), "w", encoding="utf-8") as f:
        json.dump(index, f, indent=2)
    return index


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--patients", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--vocab-size", type=int, default=400)
    a = ap.parse_args()
    make(a.out, a.patients, a.seed, a.vocab_size)
    print(f"fake export (development only): {a.patients} patients -> {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
