"""ONNX export (opset 17, dynamic batch) and the parity golden file.

Graph interface: docs/model/tensor-contract.md §ONNX graphs. The golden file lets the TypeScript
suite check that onnxruntime-node reproduces PyTorch within 1e-4 (tools/training/node/onnx-parity.ts).
"""

import gzip
import hashlib
import json
import os

import numpy as np
import torch
from torch import nn

from . import contract as C

GOLDEN_FORMAT = "mosaic-parity/1"


class _Text(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask):
        return self.m(input_ids, attention_mask)


class _Single(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x):
        return self.m(x)


GRAPHS = {
    "text_encoder": (["input_ids", "attention_mask"], ["tokens"]),
    "image_encoder": (["pixels"], ["tokens"]),
    "vitals_encoder": (["vitals"], ["tokens"]),
    "fusion": (
        ["text_tokens", "text_mask", "image_tokens", "image_mask", "vitals_tokens", "vitals_mask"],
        ["logits", "label_attention", "self_attention"],
    ),
}


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _dummy(model, b=2):
    g = torch.Generator().manual_seed(0)
    d = model.cfg.d
    return {
        "text_encoder": (
            torch.randint(0, model.cfg.vocab_size, (b, C.TEXT_LEN), generator=g),
            torch.ones(b, C.TEXT_LEN, dtype=torch.int64),
        ),
        "image_encoder": (torch.randn(b, 1, C.IMAGE_SIZE, C.IMAGE_SIZE, generator=g),),
        "vitals_encoder": (torch.randn(b, C.VITALS_STEPS, C.VITALS_CHANNELS, generator=g),),
        "fusion": (
            torch.randn(b, C.TEXT_LEN, d, generator=g),
            torch.ones(b, C.TEXT_LEN),
            torch.randn(b, C.IMAGE_TOKENS, d, generator=g),
            torch.ones(b, C.IMAGE_TOKENS),
            torch.randn(b, C.VITALS_STEPS, d, generator=g),
            torch.ones(b, C.VITALS_STEPS),
        ),
    }


def export_onnx(model, out_dir):
    """Writes the four graphs; returns {file name: sha256}."""
    os.makedirs(out_dir, exist_ok=True)
    model.eval()
    modules = {
        "text_encoder": _Text(model.text),
        "image_encoder": _Single(model.image),
        "vitals_encoder": _Single(model.vitals),
        "fusion": model.fusion,
    }
    dummies = _dummy(model)
    hashes = {}
    for name, module in modules.items():
        inputs, outputs = GRAPHS[name]
        path = os.path.join(out_dir, f"{name}.onnx")
        with torch.no_grad():
            torch.onnx.export(
                module,
                dummies[name],
                path,
                input_names=inputs,
                output_names=outputs,
                dynamic_axes={n: {0: "batch"} for n in inputs + outputs},
                opset_version=C.ONNX_OPSET,
                do_constant_folding=True,
            )
        import onnx  # imported late: only the export step needs it

        onnx.checker.check_model(onnx.load(path))
        hashes[f"{name}.onnx"] = sha256_file(path)
    return hashes


@torch.no_grad()
def run_reference(model, inputs):
    """PyTorch outputs of the exported graphs (eval mode) for numpy `inputs` (dataset.fusion_inputs)."""
    model.eval()
    t = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in inputs.items()}
    text = model.text(t["input_ids"], t["attention_mask"])
    image = model.image(t["pixels"])
    vitals = model.vitals(t["vitals"])
    logits, label_attention, self_attention = model.fusion(
        text, t["text_mask"], image, t["image_mask"], vitals, t["vitals_mask"]
    )
    return {
        "text_tokens": text.numpy(),
        "image_tokens": image.numpy(),
        "vitals_tokens": vitals.numpy(),
        "logits": logits.numpy(),
        "label_attention": label_attention.numpy(),
        "self_attention": self_attention.numpy(),
    }


def write_golden(model, data, rows, out_dir, onnx_hashes, detail_rows=16, tolerance=1e-4):
    """Writes parity/golden.json + parity/golden.bin.gz for the given held-out rows.

    Inputs and logits/label_attention are stored for every row; encoder tokens and the 240x240
    self-attention only for the first `detail_rows` rows, which keeps the file a few MB. Pixels are
    rounded to float16-representable values before the reference run (and stored as float16): the
    graph is checked on exactly the inputs stored.
    """
    parity_dir = os.path.join(out_dir, "parity")
    os.makedirs(parity_dir, exist_ok=True)
    inputs = data.batch(rows)
    inputs["pixels"] = inputs["pixels"].astype(np.float16).astype(np.float32)
    ref = run_reference(model, inputs)
    m = min(detail_rows, len(rows))
    tensors = [
        ("input_ids", "input", inputs["input_ids"], "int64"),
        ("attention_mask", "input", inputs["attention_mask"], "int64"),
        ("pixels", "input", inputs["pixels"], "float16"),
        ("vitals", "input", inputs["vitals"], "float32"),
        ("text_mask", "input", inputs["text_mask"], "float32"),
        ("image_mask", "input", inputs["image_mask"], "float32"),
        ("vitals_mask", "input", inputs["vitals_mask"], "float32"),
        ("logits", "output", ref["logits"], "float32"),
        ("label_attention", "output", ref["label_attention"], "float32"),
        ("text_tokens", "output", ref["text_tokens"][:m], "float32"),
        ("image_tokens", "output", ref["image_tokens"][:m], "float32"),
        ("vitals_tokens", "output", ref["vitals_tokens"][:m], "float32"),
        ("self_attention", "output", ref["self_attention"][:m], "float32"),
    ]
    blob = bytearray()
    entries = []
    for name, role, arr, dtype in tensors:
        raw = np.ascontiguousarray(arr.astype(dtype)).astype(np.dtype(dtype).newbyteorder("<")).tobytes()
        entries.append(
            {"name": name, "role": role, "dtype": dtype, "shape": list(arr.shape), "offset": len(blob), "bytes": len(raw)}
        )
        blob += raw
    # mtime=0 keeps the gzip bytes reproducible for identical tensors.
    with open(os.path.join(parity_dir, "golden.bin.gz"), "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
            gz.write(bytes(blob))
    meta = {
        "format": GOLDEN_FORMAT,
        "tolerance": tolerance,
        "samples": len(rows),
        "detailSamples": m,
        "patientIds": [data.rows[i]["patientId"] for i in rows],
        "onnx": onnx_hashes,
        "data": "golden.bin.gz",
        "dataSha256": hashlib.sha256(bytes(blob)).hexdigest(),
        "tensors": entries,
        "torch": torch.__version__,
    }
    with open(os.path.join(parity_dir, "golden.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
    return meta


def parity_rows(data, n=100):
    """Held-out rows for the golden file: the test split first, then val."""
    rows = list(data.indices("test")) + list(data.indices("val"))
    return np.array(rows[:n], dtype=np.int64)
