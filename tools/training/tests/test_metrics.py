import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from mosaic_training.metrics import auroc, ece, fit_temperature, fit_temperatures, max_f1_threshold, sigmoid  # noqa: E402


class MetricsTest(unittest.TestCase):
    def test_auroc_perfect_inverted_and_ties(self):
        y = np.array([0, 0, 1, 1])
        self.assertEqual(auroc(y, np.array([0.1, 0.2, 0.8, 0.9])), 1.0)
        self.assertEqual(auroc(y, np.array([0.9, 0.8, 0.2, 0.1])), 0.0)
        self.assertEqual(auroc(y, np.array([0.5, 0.5, 0.5, 0.5])), 0.5)
        self.assertIsNone(auroc(np.array([1, 1]), np.array([0.1, 0.2])))

    def test_auroc_matches_pairwise_count(self):
        rng = np.random.default_rng(0)
        y = rng.random(200) < 0.3
        s = np.round(rng.random(200), 1)  # many ties
        pos, neg = s[y], s[~y]
        expected = ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (
            len(pos) * len(neg)
        )
        self.assertAlmostEqual(auroc(y, s), expected, places=12)

    def test_temperature_recovers_overconfidence(self):
        rng = np.random.default_rng(1)
        z = rng.normal(0, 3, 20000)
        y = (rng.random(20000) < sigmoid(z / 2.5)).astype(np.float64)
        self.assertAlmostEqual(fit_temperature(y, z), 2.5, delta=0.15)
        temps = fit_temperatures(np.stack([y, y], 1), np.stack([z, z], 1), "single")
        self.assertEqual(temps[0], temps[1])

    def test_temperature_left_alone_without_both_classes(self):
        self.assertEqual(fit_temperatures(np.zeros((5, 1)), np.ones((5, 1)))[0], 1.0)

    def test_max_f1_threshold_separates(self):
        y = np.array([0, 0, 0, 1, 1])
        p = np.array([0.1, 0.2, 0.3, 0.7, 0.8])
        self.assertEqual(max_f1_threshold(y, p), 0.7)

    def test_ece_zero_when_calibrated_bins(self):
        y = np.array([0, 1] * 50, dtype=float)
        p = np.full(100, 0.5)
        self.assertAlmostEqual(ece(y, p), 0.0)
        self.assertAlmostEqual(ece(y, np.full(100, 0.9)), 0.4)


if __name__ == "__main__":
    unittest.main()
