import { modelInputGeometry } from '@mosaic/dicom';
import type { ModelInputs } from '../inputs/model-inputs';
import { VITALS_FEATURES } from '../inputs/model-inputs';
import type { Modality } from '../manifest/model-manifest';
import { MODALITIES } from '../manifest/model-manifest';
import type { LoadedModel } from '../model/load-model';

/** Deterministic PRNG (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Random, distinct, valid model inputs (for batch-invariance and serving tests): random token ids
 * and lengths, image planes and vitals grids; every third row misses one modality
 * (text, image, vitals in turn).
 */
export function randomModelInputs(model: LoadedModel, rows: number, seed: number): ModelInputs[] {
  const rand = random(seed);
  const { maxTokens, imageSize, hours, vocab } = model.preprocessing;
  const out: ModelInputs[] = [];
  for (let r = 0; r < rows; r++) {
    // Every third row misses one modality (masked), so batches mix present and absent rows.
    const missing: Modality | null = r % 3 === 2 ? MODALITIES[Math.floor(r / 3) % MODALITIES.length] : null;
    const length = 2 + Math.floor(rand() * (maxTokens - 2));
    const ids = new Int32Array(maxTokens);
    const mask = new Uint8Array(maxTokens);
    for (let i = 0; i < length; i++) {
      ids[i] = 1 + Math.floor(rand() * (vocab.tokens.length - 1));
      mask[i] = 1;
    }
    const tensor = new Float32Array(imageSize * imageSize);
    for (let i = 0; i < tensor.length; i++) tensor[i] = rand() * 2 - 1;
    const values = new Float32Array(hours * VITALS_FEATURES);
    const half = VITALS_FEATURES / 2;
    for (let h = 0; h < hours; h++) {
      for (let c = 0; c < half; c++) {
        const observed = rand() < 0.6;
        values[h * VITALS_FEATURES + c] = observed ? rand() * 6 - 3 : 0;
        values[h * VITALS_FEATURES + half + c] = observed ? 1 : 0;
      }
    }
    out.push({
      text: missing === 'text' ? null : { noteId: `n${r}`, ids, mask, tokens: [], truncated: false },
      image:
        missing === 'image'
          ? null
          : {
              instanceId: `i${r}`,
              frame: 0,
              tensor,
              geometry: modelInputGeometry(imageSize, imageSize, imageSize),
            },
      vitals:
        missing === 'vitals'
          ? null
          : {
              values,
              start: new Date(0).toISOString(),
              end: new Date(hours * 3_600_000).toISOString(),
              hours,
            },
    });
  }
  return out;
}
