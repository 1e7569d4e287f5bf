"""Post-training calibration on the val split: per-label temperatures, then max-F1 thresholds."""

import json
import os

import numpy as np

from .metrics import fit_temperatures, macro_auroc, macro_ece, max_f1_threshold, sigmoid
from .train import predict


def calibrate(model, data, out_dir, mode="per-label"):
    """Fits temperatures and thresholds on val; writes and returns calibration.json.

    Temperature scaling divides each logit by T_k (p = sigmoid(z_k / T_k)); it keeps every label's
    ranking, so AUROC is unchanged. Thresholds are chosen afterwards, on the calibrated val
    probabilities, as the value that maximises F1 for the label.
    """
    val_idx = data.indices("val")
    labels = np.asarray(data.arrays["labels"][val_idx])
    logits = predict(model, data, val_idx)
    temps = fit_temperatures(labels, logits, mode)
    t = np.asarray(temps, dtype=np.float64)
    raw = sigmoid(logits)
    cal = sigmoid(logits / t)
    thresholds = [max_f1_threshold(labels[:, k], cal[:, k]) for k in range(labels.shape[1])]
    auroc, _ = macro_auroc(labels, logits)
    result = {
        "method": "temperature-scaling",
        "mode": mode,
        "fittedOn": "val",
        "rows": int(len(val_idx)),
        "temperatures": [float(x) for x in temps],
        "thresholds": {"method": "max-f1", "fittedOn": "val", "values": [float(x) for x in thresholds]},
        "validation": {
            "macroAuroc": auroc,
            "eceBefore": macro_ece(labels, raw),
            "eceAfter": macro_ece(labels, cal),
            "eceBins": 15,
        },
    }
    with open(os.path.join(out_dir, "calibration.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
    return result
