import os
import sys
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from mosaic_training import contract as C  # noqa: E402
from mosaic_training.model import ModelConfig, MosaicModel  # noqa: E402
from mosaic_training.train import modality_dropout  # noqa: E402


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
