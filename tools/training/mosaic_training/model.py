"""Per-modality encoders and the attention fusion model.

Attention is written out as softmax(QK^T / sqrt(d_head)) V rather than with
nn.MultiheadAttention, so the ONNX export is unfused and the head-averaged attention weights can be
graph outputs (model contract, ARCHITECTURE.md).
"""

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

from . import contract as C

MASK_BIAS = -1e9  # additive key bias for masked positions; exp() underflows to exactly 0


@dataclass
class ModelConfig:
    vocab_size: int
    num_labels: int
    d: int = 64
    heads: int = 4
    ffn: int = 128
    text_layers: int = 2
    # No transformer block inside the image encoder: each image token stays the CNN's view of its
    # own region, which is what label attention over the 8x8 grid must be about (image pointing).
    image_layers: int = 0
    vitals_layers: int = 1
    dropout: float = 0.1
    # Label cross-attention reads its values from the encoder tokens before the joint self-attention
    # (keys still come after it); see Fusion.
    local_values: bool = True
    # Weight of the per-encoder auxiliary losses (training only; see MosaicModel.aux_logits).
    aux_weight: float = 0.3
    # Weight of the evidence supervision of the label attention (training only; see
    # train.evidence_loss). 0 trains without it.
    evidence_weight: float = 0.1
    # Which modalities the fusion may see: (1,1,1) for the served model; one-hot for the
    # unimodal ablations, baked into fusion.onnx so any caller gets the unimodal model.
    gate: tuple = (1.0, 1.0, 1.0)

    def to_dict(self):
        return asdict(self)


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        assert d % heads == 0
        self.h, self.dh = heads, d // heads
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.o = nn.Linear(d, d)

    def forward(self, xq, xkv, key_mask, xv=None):
        """xq [B,Lq,d], xkv [B,Lk,d], key_mask [B,Lk] float (1 = attend); values from xv when given
        (default xkv).

        Returns the output [B,Lq,d] and the head-averaged weights [B,Lq,Lk].
        """
        b, lq, d = xq.shape
        lk = xkv.shape[1]
        xv = xkv if xv is None else xv
        q = self.q(xq).reshape(b, lq, self.h, self.dh).transpose(1, 2)
        k = self.k(xkv).reshape(b, lk, self.h, self.dh).transpose(1, 2)
        v = self.v(xv).reshape(b, lk, self.h, self.dh).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.dh))
        scores = scores + ((1.0 - key_mask) * MASK_BIAS)[:, None, None, :]
        weights = torch.softmax(scores, dim=-1)
        out = torch.matmul(weights, v).transpose(1, 2).reshape(b, lq, d)
        return self.o(out), weights.mean(dim=1)


class Block(nn.Module):
    """Pre-LayerNorm transformer block."""

    def __init__(self, d, heads, ffn, dropout):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = Attention(d, heads)
        self.ln2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, ffn), nn.GELU(), nn.Linear(ffn, d))
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mask):
        h = self.ln1(x)
        a, w = self.attn(h, h, mask)
        x = x + self.drop(a)
        x = x + self.drop(self.ff(self.ln2(x)))
        return x, w


class TextEncoder(nn.Module):
    """input_ids int64 [B,128], attention_mask int64 [B,128] -> tokens [B,128,d]."""

    def __init__(self, cfg):
        super().__init__()
        self.embed = nn.Embedding(cfg.vocab_size, cfg.d, padding_idx=C.PAD_ID)
        self.pos = nn.Parameter(torch.randn(C.TEXT_LEN, cfg.d) * 0.02)
        self.blocks = nn.ModuleList(
            Block(cfg.d, cfg.heads, cfg.ffn, cfg.dropout) for _ in range(cfg.text_layers)
        )
        self.ln = nn.LayerNorm(cfg.d)

    def forward(self, input_ids, attention_mask):
        mask = attention_mask.to(torch.float32)
        x = self.embed(input_ids) + self.pos
        for blk in self.blocks:
            x, _ = blk(x, mask)
        return self.ln(x)


class ImageEncoder(nn.Module):
    """pixels float32 [B,1,128,128] -> tokens [B,64,d] (8x8 grid, row-major).

    Four stride-2 3x3 convolutions, each with batch normalisation, reach the 8x8 grid: each token
    keeps a local receptive field, so attention on a token points at its region of the image
    (`image_layers` transformer blocks would add context, at the price of that locality; 0 from
    model 1.2.0 on). Batch normalisation is what lets the stem learn small findings
    (a nodule is 2-3 pixels at 128x128): without it the encoder stayed at chance on its own
    (generator 1.0.0, image-only macro AUROC 0.507). In eval mode it is a per-sample affine map, so
    it is batch-invariant and onnxruntime folds it into the convolutions.
    """

    def __init__(self, cfg):
        super().__init__()

        def down(cin, cout):
            return [nn.Conv2d(cin, cout, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(cout), nn.GELU()]

        self.cnn = nn.Sequential(
            *down(1, 16),  # 128 -> 64
            *down(16, 32),  # 64 -> 32
            *down(32, 48),  # 32 -> 16
            *down(48, cfg.d),  # 16 -> 8
            nn.Conv2d(cfg.d, cfg.d, 3, padding=1),
        )
        self.pos = nn.Parameter(torch.randn(C.IMAGE_TOKENS, cfg.d) * 0.02)
        self.ln_in = nn.LayerNorm(cfg.d)
        self.blocks = nn.ModuleList(
            Block(cfg.d, cfg.heads, cfg.ffn, cfg.dropout) for _ in range(cfg.image_layers)
        )
        self.ln = nn.LayerNorm(cfg.d)

    def forward(self, pixels):
        f = self.cnn(pixels)  # [B,d,8,8]
        x = f.flatten(2).transpose(1, 2)  # [B,64,d], row-major
        x = self.ln_in(x) + self.pos
        ones = torch.ones_like(x[:, :, 0])
        for blk in self.blocks:
            x, _ = blk(x, ones)
        return self.ln(x)


class VitalsEncoder(nn.Module):
    """vitals float32 [B,48,12] -> tokens [B,48,d], one per hour."""

    def __init__(self, cfg):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(C.VITALS_CHANNELS, cfg.d, 3, padding=1),
            nn.GELU(),
            nn.Conv1d(cfg.d, cfg.d, 3, padding=1),
            nn.GELU(),
        )
        self.pos = nn.Parameter(torch.randn(C.VITALS_STEPS, cfg.d) * 0.02)
        self.ln_in = nn.LayerNorm(cfg.d)
        self.blocks = nn.ModuleList(
            Block(cfg.d, cfg.heads, cfg.ffn, cfg.dropout) for _ in range(cfg.vitals_layers)
        )
        self.ln = nn.LayerNorm(cfg.d)

    def forward(self, vitals):
        x = self.conv(vitals.transpose(1, 2)).transpose(1, 2)
        x = self.ln_in(x) + self.pos
        ones = torch.ones_like(x[:, :, 0])
        for blk in self.blocks:
            x, _ = blk(x, ones)
        return self.ln(x)


class Fusion(nn.Module):
    """Joint self-attention over text||image||vitals, then K label queries cross-attend.

    Outputs logits [B,K], label_attention [B,K,240], self_attention [B,240,240] (both
    head-averaged). When a patient has no modality at all, the cross-attention context is zeroed
    (and so is label_attention), so the logits fall back to the learned per-label prior.

    With `local_values` the cross-attention's keys are the jointly self-attended tokens (where to
    look may depend on the other modalities: an opacity counts with a fever) but its values are the
    encoder tokens as they came in, each about its own word, image region or hour. Evidence can
    then reach a label only through the attention weight on the position that holds it, so the
    label attention is where the evidence was read. With values after the self-attention every
    position carries a mixture of all of them, and 1.1.0's image attention pointed at chance
    (pointing game 0.087, chance 0.091).
    """

    def __init__(self, cfg):
        super().__init__()
        d, k = cfg.d, cfg.num_labels
        self.type_embed = nn.Parameter(torch.randn(3, d) * 0.02)
        self.register_buffer("gate", torch.tensor(cfg.gate, dtype=torch.float32))
        self.self_block = Block(d, cfg.heads, cfg.ffn, cfg.dropout)
        self.queries = nn.Parameter(torch.randn(k, d) * 0.02)
        self.ln_q = nn.LayerNorm(d)
        self.ln_kv = nn.LayerNorm(d)
        self.local_values = cfg.local_values
        self.ln_v = nn.LayerNorm(d) if cfg.local_values else None
        self.cross = Attention(d, cfg.heads)
        self.ln_ff = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, cfg.ffn), nn.GELU(), nn.Linear(cfg.ffn, d))
        self.ln_out = nn.LayerNorm(d)
        self.head_w = nn.Parameter(torch.randn(k, d) * 0.02)
        self.head_b = nn.Parameter(torch.zeros(k))
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, text_tokens, text_mask, image_tokens, image_mask, vitals_tokens, vitals_mask):
        x0 = torch.cat(
            [
                text_tokens + self.type_embed[0],
                image_tokens + self.type_embed[1],
                vitals_tokens + self.type_embed[2],
            ],
            dim=1,
        )
        mask = torch.cat(
            [text_mask * self.gate[0], image_mask * self.gate[1], vitals_mask * self.gate[2]], dim=1
        )
        x, self_attention = self.self_block(x0, mask)
        b = x.shape[0]
        q = self.queries.unsqueeze(0).expand(b, -1, -1)
        values = self.ln_v(x0) if self.local_values else None
        ctx, label_attention = self.cross(self.ln_q(q), self.ln_kv(x), mask, xv=values)
        has_any = (mask.sum(dim=1) > 0).to(torch.float32)[:, None, None]  # [B,1,1]
        ctx = ctx * has_any
        label_attention = label_attention * has_any
        h = q + self.drop(ctx)
        h = h + self.drop(self.ff(self.ln_ff(h)))
        logits = (self.ln_out(h) * self.head_w).sum(dim=-1) + self.head_b
        return logits, label_attention, self_attention


class MosaicModel(nn.Module):
    """The three encoders and the fusion model, plus one auxiliary label head per encoder.

    The auxiliary heads give each encoder its own training signal from the labels (max-pooled
    tokens -> logits), so an encoder is not starved when the other modalities already explain the
    labels: with generator 1.0.0 the text and vitals were nearly decisive and the image encoder of
    the fused model learned nothing. Max pooling rewards a token that detects a finding locally,
    which is what the fusion's label attention then points at. The heads are not exported.
    """

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.text = TextEncoder(cfg)
        self.image = ImageEncoder(cfg)
        self.vitals = VitalsEncoder(cfg)
        self.fusion = Fusion(cfg)
        self.aux = nn.ModuleList(nn.Linear(cfg.d, cfg.num_labels) for _ in range(3))

    def encode(self, batch):
        g = self.cfg.gate
        b = batch["input_ids"].shape[0]
        d = self.cfg.d
        # Encoders of modalities the gate closes are skipped in training (their tokens are masked
        # anyway); exported graphs always run all of them.
        zeros = lambda n: batch["pixels"].new_zeros(b, n, d)  # noqa: E731
        t = self.text(batch["input_ids"], batch["attention_mask"]) if g[0] else zeros(C.TEXT_LEN)
        i = self.image(batch["pixels"]) if g[1] else zeros(C.IMAGE_TOKENS)
        v = self.vitals(batch["vitals"]) if g[2] else zeros(C.VITALS_STEPS)
        return t, i, v

    def forward(self, batch, with_aux=False):
        t, i, v = self.encode(batch)
        out = self.fusion(t, batch["text_mask"], i, batch["image_mask"], v, batch["vitals_mask"])
        if not with_aux:
            return out
        return out, self.aux_logits((t, i, v), batch)

    def aux_logits(self, tokens, batch):
        """[(logits [B,K], present [B]) per open modality]: masked max-pool of its tokens, then linear."""
        out = []
        for m, (x, key) in enumerate(zip(tokens, ("text_mask", "image_mask", "vitals_mask"))):
            if not self.cfg.gate[m]:
                continue
            mask = batch[key]  # [B,L]; after modality dropout a dropped modality is all zero
            pooled = (x + ((1.0 - mask) * MASK_BIAS)[:, :, None]).max(dim=1).values
            present = mask.max(dim=1).values > 0
            out.append((self.aux[m](pooled), present))
        return out


def count_parameters(module):
    return sum(p.numel() for p in module.parameters())
