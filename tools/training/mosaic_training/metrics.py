"""AUROC, temperature scaling and decision thresholds (numpy only)."""

import numpy as np


def _average_ranks(x):
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x), dtype=np.float64)
    sx = x[order]
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and sx[j + 1] == sx[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return ranks


def auroc(y, score):
    """Mann-Whitney AUROC with ties counted half; None when one class is absent."""
    y = np.asarray(y) > 0.5
    pos, neg = int(y.sum()), int((~y).sum())
    if pos == 0 or neg == 0:
        return None
    r = _average_ranks(np.asarray(score, dtype=np.float64))
    return float((r[y].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def macro_auroc(labels, scores):
    vals = [auroc(labels[:, k], scores[:, k]) for k in range(labels.shape[1])]
    vals = [v for v in vals if v is not None]
    return float(np.mean(vals)) if vals else float("nan"), vals


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def bce(y, logits):
    # log(1 + exp(-|z|)) form is stable for large logits.
    z = np.asarray(logits, dtype=np.float64)
    return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def fit_temperature(y, logits):
    """Temperature T > 0 minimising the binary cross-entropy of sigmoid(logits / T).

    Golden-section search on log T in [log 0.05, log 20]: the NLL is unimodal in T for a fixed
    ranking, and a 1-D search needs no optimiser state (Guo et al., 2017, "On Calibration of Modern
    Neural Networks", §4.2).
    """
    lo, hi = np.log(0.05), np.log(20.0)
    f = lambda lt: bce(y, logits / np.exp(lt))  # noqa: E731
    g = (np.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(80):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return float(np.exp((a + b) / 2))


def fit_temperatures(labels, logits, mode="per-label"):
    """One temperature per label ("per-label") or one shared by all labels ("single")."""
    k = labels.shape[1]
    if mode == "single":
        t = fit_temperature(labels.ravel(), logits.ravel())
        return [t] * k
    temps = []
    for j in range(k):
        y = labels[:, j]
        # A label with no positive (or no negative) in val cannot be calibrated: leave it alone.
        temps.append(fit_temperature(y, logits[:, j]) if 0 < y.sum() < len(y) else 1.0)
    return temps


def max_f1_threshold(y, p):
    """Probability threshold maximising F1 on (y, p); ties broken towards the higher threshold."""
    y = np.asarray(y) > 0.5
    if y.sum() == 0:
        return 0.5
    best_t, best_f1 = 0.5, -1.0
    for t in np.unique(p):
        pred = p >= t
        tp = float((pred & y).sum())
        fp = float((pred & ~y).sum())
        fn = float((~pred & y).sum())
        f1 = 2 * tp / (2 * tp + fp + fn) if tp > 0 else 0.0
        if f1 >= best_f1:
            best_t, best_f1 = float(t), f1
    return best_t


def ece(y, p, bins=15):
    """Expected calibration error, equal-width bins, for one label."""
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    idx = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        sel = idx == b
        if sel.any():
            total += sel.sum() / len(p) * abs(p[sel].mean() - y[sel].mean())
    return float(total)


def macro_ece(labels, probs, bins=15):
    return float(np.mean([ece(labels[:, k], probs[:, k], bins) for k in range(labels.shape[1])]))
