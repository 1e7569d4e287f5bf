"""Training loop: modality dropout, AdamW, a checkpoint every epoch, resume, progress on stderr."""

import json
import math
import os
import sys
import time

import numpy as np
import torch

from . import contract as C
from .metrics import bce, macro_auroc
from .model import ModelConfig, MosaicModel, count_parameters

VARIANTS = {
    "fusion": (1.0, 1.0, 1.0),
    "text_only": (1.0, 0.0, 0.0),
    "image_only": (0.0, 1.0, 0.0),
    "vitals_only": (0.0, 0.0, 1.0),
}

MASK_KEYS = ("text_mask", "image_mask", "vitals_mask")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def to_torch(b):
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in b.items()}


def modality_dropout(b, p, rng):
    """Masks each present modality with probability p, never all of a patient's modalities.

    The model then sees every subset of modalities during training, so it stays useful when one is
    missing at serving time (a missing modality is masked, never faked).
    """
    n = len(b["labels"])
    present = np.stack([b[k].max(axis=1) > 0 for k in MASK_KEYS], axis=1)  # [B,3]
    drop = (rng.random((n, 3)) < p) & present
    for i in np.nonzero(present.any(axis=1) & (drop.sum(axis=1) == present.sum(axis=1)))[0]:
        keep = rng.choice(np.nonzero(present[i])[0])
        drop[i, keep] = False
    for m, key in enumerate(MASK_KEYS):
        b[key] = b[key] * (~drop[:, m])[:, None].astype(np.float32)
    return b




def evidence_loss(label_attention, b, gate=(1.0, 1.0, 1.0)):
    """Evidence supervision of the label attention (docs/training.md §Evidence supervision).

    For each positive label with ground-truth evidence in a modality the patient has (after
    modality dropout, and open in the variant's `gate`), the share of the label's attention within
    that modality that falls on the evidence positions: -log of it, averaged per modality. Only
    where to look within a modality is supervised, never how much each modality counts.
    """
    # [B,K,240]: 1 on the positions that hold the label's evidence, for the labels the patient has.
    evidence = b["evidence"] * b["labels"][:, :, None]
    masks = [b[key] * g for key, g in zip(("text_mask", "image_mask", "vitals_mask"), gate)]
    present = torch.cat(masks, dim=1)[:, None, :]
    total = label_attention.new_zeros(())
    for lo, hi in C.POSITIONS.values():
        on = evidence[:, :, lo:hi] * present[:, :, lo:hi]
        has = on.sum(dim=-1) > 0
        if bool(has.any()):
            a = label_attention[:, :, lo:hi]
            share = (a * on).sum(dim=-1) / (a.sum(dim=-1) + 1e-9)
            total = total - torch.log(share[has] + 1e-6).mean()
    return total


@torch.no_grad()
def predict(model, data, idx, batch_size=64):
    model.eval()
    out = []
    for s in range(0, len(idx), batch_size):
        b = to_torch(data.batch(idx[s : s + batch_size]))
        logits, _, _ = model(b)
        out.append(logits.numpy())
    k = model.cfg.num_labels
    return np.concatenate(out) if out else np.zeros((0, k), np.float32)


def _save_atomic(obj, path):
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def train(
    data,
    out_dir,
    variant="fusion",
    vocab_size=None,
    epochs=12,
    batch_size=32,
    lr=2e-3,
    weight_decay=0.01,
    p_drop=0.3,
    seed=1,
    resume=False,
    model_overrides=None,
    log_every=20,
    deterministic=True,
):
    """Trains one variant; returns the summary dict (also written to out_dir/train_result.json)."""
    # oneDNN's convolution backward is not run-to-run deterministic on CPU (measured: two runs with
    # identical seeds diverge after the first step); the native kernels are, so a resumed or repeated
    # run reproduces the same weights.
    torch.backends.mkldnn.enabled = not deterministic
    os.makedirs(out_dir, exist_ok=True)
    ckpt_dir = os.path.join(out_dir, "checkpoints")
    os.makedirs(ckpt_dir, exist_ok=True)
    last_path = os.path.join(ckpt_dir, "last.pt")
    best_path = os.path.join(ckpt_dir, "best.pt")

    cfg = ModelConfig(
        vocab_size=vocab_size,
        num_labels=len(data.labels),
        gate=VARIANTS[variant],
        **(model_overrides or {}),
    )
    torch.manual_seed(seed)
    model = MosaicModel(cfg)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "pos" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "pos" not in n)]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=lr,
    )

    train_idx, val_idx = data.indices("train"), data.indices("val")
    if len(train_idx) == 0 or len(val_idx) == 0:
        raise ValueError("the export needs rows in both the train and the val split")
    steps_per_epoch = math.ceil(len(train_idx) / batch_size)
    total_steps = epochs * steps_per_epoch
    warmup = min(steps_per_epoch, max(1, total_steps // 10))

    state = {"epoch": 0, "step": 0, "best_auroc": -1.0, "best_epoch": 0, "history": [], "elapsed": 0.0}
    if resume and os.path.isfile(last_path):
        ck = torch.load(last_path)
        if ck["config"] != cfg.to_dict():
            raise ValueError(f"checkpoint {last_path} was made with another model configuration")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        state = ck["state"]
        log(f"[{variant}] resuming after epoch {state['epoch']} (step {state['step']})")

    log(
        f"[{variant}] {count_parameters(model):,} parameters; {len(train_idx)} train / "
        f"{len(val_idx)} val rows; {epochs} epochs x {steps_per_epoch} steps of {batch_size}"
    )
    t_start = time.time() - state["elapsed"]
    step_times = []
    for epoch in range(state["epoch"] + 1, epochs + 1):
        # Per-epoch seeds (not a saved RNG stream) make a resumed run identical to an unbroken one.
        rng = np.random.default_rng([seed, epoch])
        torch.manual_seed(seed * 100_003 + epoch)
        order = rng.permutation(train_idx)
        model.train()
        t_epoch = time.time()
        losses = []
        for s in range(steps_per_epoch):
            t_step = time.time()
            step = state["step"] + 1
            cur_lr = lr * min(1.0, step / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, step / total_steps)))
            for g in opt.param_groups:
                g["lr"] = cur_lr
            nb = data.batch(order[s * batch_size : (s + 1) * batch_size])
            if variant == "fusion" and p_drop > 0:
                nb = modality_dropout(nb, p_drop, rng)
            b = to_torch(nb)
            (logits, label_attention, _), aux = model(b, with_aux=True)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, b["labels"])
            for aux_logits, present in aux:
                if cfg.aux_weight > 0 and bool(present.any()):
                    loss = loss + cfg.aux_weight * torch.nn.functional.binary_cross_entropy_with_logits(
                        aux_logits[present], b["labels"][present]
                    )
            if cfg.evidence_weight > 0 and "evidence" in b:
                loss = loss + cfg.evidence_weight * evidence_loss(label_attention, b, cfg.gate)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            state["step"] = step
            losses.append(float(loss))
            step_times.append(time.time() - t_step)
            if step % log_every == 0:
                log(
                    f"[{variant}] epoch {epoch}/{epochs} step {step}/{total_steps} "
                    f"loss {np.mean(losses[-log_every:]):.4f} lr {cur_lr:.2e} "
                    f"elapsed {time.time() - t_start:.1f}s"
                )
        epoch_seconds = time.time() - t_epoch
        val_logits = predict(model, data, val_idx)
        val_labels = np.asarray(data.arrays["labels"][val_idx])
        val_auroc, _ = macro_auroc(val_labels, val_logits)
        val_loss = bce(val_labels, val_logits)
        rec = {
            "epoch": epoch,
            "step": state["step"],
            "train_loss": float(np.mean(losses)),
            "first_step_loss": losses[0],
            "val_loss": val_loss,
            "val_macro_auroc": val_auroc,
            "epoch_seconds": epoch_seconds,
            "elapsed": time.time() - t_start,
        }
        state["history"].append(rec)
        state["epoch"] = epoch
        state["elapsed"] = time.time() - t_start
        improved = not math.isnan(val_auroc) and val_auroc > state["best_auroc"]
        if improved or state["best_epoch"] == 0:
            state["best_auroc"], state["best_epoch"] = val_auroc, epoch
            _save_atomic({"config": cfg.to_dict(), "model": model.state_dict(), "epoch": epoch}, best_path)
        _save_atomic(
            {"config": cfg.to_dict(), "model": model.state_dict(), "optimizer": opt.state_dict(), "state": state},
            last_path,
        )
        log(
            f"[{variant}] epoch {epoch}/{epochs} step {state['step']} train_loss {rec['train_loss']:.4f} "
            f"val_loss {val_loss:.4f} val_macro_auroc {val_auroc:.4f} epoch {epoch_seconds:.1f}s "
            f"elapsed {rec['elapsed']:.1f}s{' *best' if improved else ''}"
        )

    hist = state["history"]
    result = {
        "variant": variant,
        "config": cfg.to_dict(),
        "parameters": count_parameters(model),
        "epochs": epochs,
        "batch_size": batch_size,
        "lr": lr,
        "weight_decay": weight_decay,
        "modality_dropout": p_drop if variant == "fusion" else 0.0,
        "seed": seed,
        "train_rows": int(len(train_idx)),
        "val_rows": int(len(val_idx)),
        "steps_per_epoch": steps_per_epoch,
        "best_epoch": state["best_epoch"],
        "best_val_macro_auroc": state["best_auroc"],
        "seconds_per_step": float(np.median(step_times)) if step_times else None,
        "seconds_per_epoch": float(np.median([h["epoch_seconds"] for h in hist])) if hist else None,
        "train_seconds": state["elapsed"],
        "history": hist,
        "threads": torch.get_num_threads(),
    }
    with open(os.path.join(out_dir, "train_result.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
    return result


def load_best(out_dir):
    ck = torch.load(os.path.join(out_dir, "checkpoints", "best.pt"))
    cfg = ModelConfig(**{**ck["config"], "gate": tuple(ck["config"]["gate"])})
    model = MosaicModel(cfg)
    model.load_state_dict(ck["model"])
    model.eval()
    return model

