"""Reads a `mosaic cohort export` directory (docs/model/tensor-contract.md) and validates it."""

import hashlib
import json
import os

import numpy as np

from . import contract as C


class ExportError(Exception):
    pass


class TensorExport:
    """The arrays of one export, memory-mapped, plus index.json.

    Fusion mask convention (shared with serving, see docs/training.md): the text mask is the
    per-token attention mask; image and vitals masks are the modality's presence flag broadcast
    over all of its tokens (an hour with no observation is still a token: its mask channels say so).
    """

    def __init__(self, root):
        self.root = os.path.abspath(root)
        index_path = os.path.join(self.root, "index.json")
        if not os.path.isfile(index_path):
            raise ExportError(f"no index.json in {self.root}")
        with open(index_path, "rb") as f:
            raw = f.read()
        self.index_sha256 = hashlib.sha256(raw).hexdigest()
        self.index = json.loads(raw)
        if self.index.get("format") != C.EXPORT_FORMAT:
            raise ExportError(f"unsupported export format {self.index.get('format')!r}")
        self.labels = list(self.index["labels"])
        self.rows = self.index["rows"]
        self.n = len(self.rows)
        files = self.index.get("files", {})
        self.arrays = {}
        for name, (dtype, shape) in C.ARRAYS.items():
            path = os.path.join(self.root, files.get(name, f"{name}.npy"))
            if not os.path.isfile(path):
                raise ExportError(f"missing array {name} ({path})")
            arr = np.load(path, mmap_mode="r")
            if shape is None:
                shape = (len(self.labels),)
            elif shape == "labels x positions":
                shape = (len(self.labels), C.TOTAL_TOKENS)
            expected = (self.n,) + shape
            if arr.dtype != np.dtype(dtype) or tuple(arr.shape) != expected:
                raise ExportError(
                    f"{name}: expected {dtype}{list(expected)}, got {arr.dtype}{list(arr.shape)}"
                )
            self.arrays[name] = arr
        self.split = np.array([r.get("split", "train") for r in self.rows])

    def indices(self, split):
        return np.nonzero(self.split == split)[0]

    def batch(self, idx):
        """Model inputs for rows `idx` as numpy arrays (contract dtypes -> model dtypes)."""
        idx = np.asarray(idx)
        # Sorted reads from the memory map are much faster; restore the requested order after.
        order = np.argsort(idx, kind="stable")
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))
        a = {k: np.asarray(v[idx[order]])[inverse] for k, v in self.arrays.items()}
        return fusion_inputs(a)

    def preprocessing(self):
        return self.index.get("preprocessing", {})

    def digest(self):
        cohort = self.index.get("cohort", {})
        return cohort.get("digest")


def fusion_inputs(a):
    """Contract arrays -> float/int arrays the model takes, with the fusion masks."""
    b = len(a["text_ids"])
    image_present = a["image_present"].astype(np.float32)
    vitals_present = a["vitals_present"].astype(np.float32)
    return {
        "input_ids": a["text_ids"].astype(np.int64),
        "attention_mask": a["text_mask"].astype(np.int64),
        "pixels": a["image"].astype(np.float32),
        "vitals": a["vitals"].astype(np.float32),
        "text_mask": a["text_mask"].astype(np.float32),
        "image_mask": np.repeat(image_present[:, None], C.IMAGE_TOKENS, axis=1).reshape(b, C.IMAGE_TOKENS),
        "vitals_mask": np.repeat(vitals_present[:, None], C.VITALS_STEPS, axis=1).reshape(b, C.VITALS_STEPS),
        "labels": a["labels"].astype(np.float32),
        "evidence": a["evidence"].astype(np.float32),
    }


def read_vocab(root, index):
    pre = index.get("preprocessing", {}).get("text", {})
    name = pre.get("vocabFile") or index.get("files", {}).get("vocab") or "vocab.txt"
    path = os.path.join(root, name)
    if not os.path.isfile(path):
        raise ExportError(f"missing vocabulary {path}")
    with open(path, encoding="utf-8") as f:
        tokens = f.read().split("\n")
    if tokens and tokens[-1] == "":
        tokens.pop()
    return path, tokens
