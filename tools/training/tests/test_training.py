import os
import sys
import tempfile
import unittest

import numpy as np
import torch

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)
from make_fake_export import make  # noqa: E402
from mosaic_training.dataset import ExportError, TensorExport, read_vocab  # noqa: E402
from mosaic_training.train import load_best, train  # noqa: E402

torch.set_num_threads(2)


class TrainingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.export = os.path.join(cls.tmp.name, "export")
        make(cls.export, 40, 5, 100)
        cls.data = TensorExport(cls.export)
        cls.vocab = len(read_vocab(cls.data.root, cls.data.index)[1])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_export_is_validated(self):
        bad = os.path.join(self.tmp.name, "bad")
        make(bad, 10, 1, 50)
        np.save(os.path.join(bad, "image_present.npy"), np.ones(10, np.int32))
        with self.assertRaises(ExportError):
            TensorExport(bad)

    def test_fusion_masks_follow_presence(self):
        b = self.data.batch(np.arange(10))
        present = np.asarray(self.data.arrays["image_present"][:10])
        np.testing.assert_array_equal(b["image_mask"][:, 0], present)
        np.testing.assert_array_equal(b["text_mask"], np.asarray(self.data.arrays["text_mask"][:10]))

    def test_interrupted_run_resumes_to_the_same_weights(self):
        kw = dict(vocab_size=self.vocab, batch_size=8, seed=4, model_overrides={"text_layers": 1})
        full = os.path.join(self.tmp.name, "full")
        part = os.path.join(self.tmp.name, "part")
        train(self.data, full, epochs=2, **kw)
        # The interrupted run stops right after epoch 1's checkpoint, then resumes.
        _train_one_epoch_of_two(self.data, part, kw)
        ck_path = os.path.join(part, "checkpoints", "last.pt")
        self.assertEqual(torch.load(ck_path)["state"]["epoch"], 1)
        train(self.data, part, epochs=2, resume=True, **kw)
        w_full = torch.load(os.path.join(full, "checkpoints", "last.pt"))["model"]
        w_part = torch.load(ck_path)["model"]
        for k in w_full:
            torch.testing.assert_close(w_full[k], w_part[k])


def _train_one_epoch_of_two(data, out, kw):
    """Trains epoch 1 of a 2-epoch schedule and stops, as an interrupted run would."""
    import mosaic_training.train as T

    class Stop(Exception):
        pass

    original = T._save_atomic
    calls = {"n": 0}

    def save_then_stop(obj, path):
        original(obj, path)
        if path.endswith("last.pt"):
            raise Stop()

    T._save_atomic = save_then_stop
    try:
        T.train(data, out, epochs=2, **kw)
    except Stop:
        calls["n"] += 1
    finally:
        T._save_atomic = original
    assert calls["n"] == 1


if __name__ == "__main__":
    unittest.main()
