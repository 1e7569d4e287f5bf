import os
import sys
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from mosaic_training import contract as C  # noqa: E402
from mosaic_training.model import ModelConfig, MosaicModel  # noqa: E402
from mosaic_training.train import evidence_loss, modality_dropout  # noqa: E402


def batch(b, seed=0):
    g = torch.Generator().manual_seed(seed)
    return {
        "input_ids": torch.randint(4, 50, (b, C.TEXT_LEN), generator=g),
        "attention_mask": torch.ones(b, C.TEXT_LEN, dtype=torch.int64),
        "pixels": torch.randn(b, 1, C.IMAGE_SIZE, C.IMAGE_SIZE, generator=g),
        "vitals": torch.randn(b, C.VITALS_STEPS, C.VITALS_CHANNELS, generator=g),
        "text_mask": torch.ones(b, C.TEXT_LEN),
        "image_mask": torch.ones(b, C.IMAGE_TOKENS),
        "vitals_mask": torch.ones(b, C.VITALS_STEPS),
    }


def model(gate=(1.0, 1.0, 1.0)):
    torch.manual_seed(0)
    m = MosaicModel(ModelConfig(vocab_size=50, num_labels=5, gate=gate))
    m.eval()
    return m


class ModelTest(unittest.TestCase):
    def test_output_shapes_and_attention_rows(self):
        logits, la, sa = model()(batch(3))
        self.assertEqual(tuple(logits.shape), (3, 5))
        self.assertEqual(tuple(la.shape), (3, 5, C.TOTAL_TOKENS))
        self.assertEqual(tuple(sa.shape), (3, C.TOTAL_TOKENS, C.TOTAL_TOKENS))
        torch.testing.assert_close(la.sum(-1), torch.ones(3, 5))

    @torch.no_grad()
    def test_masked_modality_has_no_influence(self):
        m = model()
        b = batch(2)
        b["image_mask"][:] = 0
        ref, la, _ = m(b)
        s, e = C.POSITIONS["image"]
        self.assertEqual(float(la[:, :, s:e].abs().max()), 0.0)
        b["pixels"] = torch.randn_like(b["pixels"]) * 5
        torch.testing.assert_close(m(b)[0], ref)

    @torch.no_grad()
    def test_ablation_gate_ignores_other_modalities_even_when_fed(self):
        m = model(gate=(1.0, 0.0, 0.0))
        b = batch(2)
        ref = m.fusion(
            m.text(b["input_ids"], b["attention_mask"]), b["text_mask"],
            m.image(b["pixels"]), b["image_mask"], m.vitals(b["vitals"]), b["vitals_mask"],
        )[0]
        b["pixels"] = torch.randn_like(b["pixels"])
        b["vitals"] = torch.randn_like(b["vitals"])
        out = m.fusion(
            m.text(b["input_ids"], b["attention_mask"]), b["text_mask"],
            m.image(b["pixels"]), b["image_mask"], m.vitals(b["vitals"]), b["vitals_mask"],
        )[0]
        torch.testing.assert_close(out, ref)

    @torch.no_grad()
    def test_no_modality_gives_the_label_prior(self):
        m = model()
        b1, b2 = batch(1, 1), batch(1, 2)
        for b in (b1, b2):
            for k in ("text_mask", "image_mask", "vitals_mask"):
                b[k][:] = 0
        l1, la1, _ = m(b1)
        l2, _, _ = m(b2)
        torch.testing.assert_close(l1, l2)
        self.assertTrue(torch.isfinite(l1).all())
        self.assertEqual(float(la1.abs().max()), 0.0)

    @torch.no_grad()
    def test_batch_invariant(self):
        m = model()
        b = batch(4)
        full = m(b)[0]
        one = m({k: v[2:3] for k, v in b.items()})[0]
        torch.testing.assert_close(one, full[2:3], atol=1e-5, rtol=1e-5)

    def test_modality_dropout_keeps_one_modality(self):
        rng = np.random.default_rng(0)
        n = 500
        b = {
            "text_mask": np.ones((n, C.TEXT_LEN), np.float32),
            "image_mask": np.ones((n, C.IMAGE_TOKENS), np.float32),
            "vitals_mask": np.zeros((n, C.VITALS_STEPS), np.float32),
            "labels": np.zeros((n, 3), np.float32),
        }
        out = modality_dropout(b, 0.9, rng)
        present = (out["text_mask"].max(1) > 0) | (out["image_mask"].max(1) > 0)
        self.assertTrue(present.all())
        self.assertEqual(out["vitals_mask"].max(), 0)  # never invents a missing modality
        self.assertGreater((out["text_mask"].max(1) == 0).sum(), 100)


if __name__ == "__main__":
    unittest.main()


class LocalValuesTest(unittest.TestCase):
    def values_and_keys(self, m, image_tokens, b, t, v):
        seen = {}
        orig = m.fusion.cross.forward

        def cross(xq, xkv, key_mask, xv=None):
            seen["keys"], seen["values"] = xkv, (xkv if xv is None else xv)
            return orig(xq, xkv, key_mask, xv)

        m.fusion.cross.forward = cross
        with torch.no_grad():
            m.fusion(t, b["text_mask"], image_tokens, b["image_mask"], v, b["vitals_mask"])
        m.fusion.cross.forward = orig
        return seen["keys"], seen["values"]

    def test_label_values_of_a_position_depend_on_that_position_only(self):
        """Changing one image token changes the cross-attention keys everywhere (joint
        self-attention) but the values only at its own position, so evidence reaches a label only
        through the attention weight on the position that holds it."""
        m = model()
        b = batch(1, seed=3)
        t, i, v = m.encode(b)
        i2 = i.clone()
        i2[:, 10] += 5.0
        keys, values = self.values_and_keys(m, i, b, t, v)
        keys2, values2 = self.values_and_keys(m, i2, b, t, v)
        changed = (values2 - values).abs().amax(dim=-1)[0] > 0
        self.assertEqual(torch.nonzero(changed).flatten().tolist(), [C.POSITIONS["image"][0] + 10])
        self.assertGreater(int(((keys2 - keys).abs().amax(dim=-1)[0] > 0).sum()), 200)

        mixed = MosaicModel(ModelConfig(vocab_size=50, num_labels=5, local_values=False))
        mixed.eval()
        t, i, v = mixed.encode(b)
        i2 = i.clone()
        i2[:, 10] += 5.0
        _, values = self.values_and_keys(mixed, i, b, t, v)
        _, values2 = self.values_and_keys(mixed, i2, b, t, v)
        self.assertGreater(int(((values2 - values).abs().amax(dim=-1)[0] > 0).sum()), 200)


class EvidenceLossTest(unittest.TestCase):
    def setUp(self):
        k, p = 2, C.TOTAL_TOKENS
        self.b = {
            "labels": torch.tensor([[1.0, 0.0]]),
            "evidence": torch.zeros(1, k, p),
            "text_mask": torch.ones(1, C.TEXT_LEN),
            "image_mask": torch.ones(1, C.IMAGE_TOKENS),
            "vitals_mask": torch.ones(1, C.VITALS_STEPS),
        }
        self.cell = C.POSITIONS["image"][0] + 20
        self.b["evidence"][0, :, self.cell] = 1.0  # evidence for both labels; only label 0 is present

    def attention(self, on_cell):
        a = torch.full((1, 2, C.TOTAL_TOKENS), 1.0 / C.TOTAL_TOKENS)
        if on_cell:
            a[0, 0, self.cell] += 1.0
        return a / a.sum(dim=-1, keepdim=True)

    def test_is_lower_when_attention_sits_on_the_evidence(self):
        self.assertLess(
            float(evidence_loss(self.attention(True), self.b)), float(evidence_loss(self.attention(False), self.b))
        )
        # -log(share of the image attention on the evidence cell): 1/64 when uniform.
        self.assertAlmostEqual(float(evidence_loss(self.attention(False), self.b)), np.log(64), places=3)

    def test_ignores_absent_labels_masked_and_gated_modalities(self):
        self.b["labels"][0, 0] = 0.0
        self.assertEqual(float(evidence_loss(self.attention(False), self.b)), 0.0)
        self.b["labels"][0, 0] = 1.0
        self.b["image_mask"][:] = 0.0  # dropped by modality dropout
        self.assertEqual(float(evidence_loss(self.attention(False), self.b)), 0.0)
        self.b["image_mask"][:] = 1.0
        self.assertEqual(float(evidence_loss(self.attention(False), self.b, gate=(1.0, 0.0, 1.0))), 0.0)
