import { encodeNpy } from '@mosaic/cohort';
import { InferenceErrorCode } from './inference.errors';
import { modelFilePath, validateManifest } from './manifest/model-manifest';
import { readNpy } from './npy/read-npy';
import { halfToFloat } from './parity/golden-file';
import { calibratedProbability, probabilities, withoutModalities } from './run/model-runner';
import { sessionOptionsFromEnv } from './session/model-sessions';

describe('manifest validation', () => {
  it('rejects a manifest that does not follow models/manifest.schema.json, naming the problems', () => {
    expect(() => validateManifest({ schemaVersion: 'mosaic-model/1', notForClinicalUse: false })).toThrow(
      expect.objectContaining({
        code: InferenceErrorCode.ManifestInvalid,
        message: expect.stringContaining('required'),
      }),
    );
  });

  it('refuses manifest paths that leave the model folder', () => {
    expect(modelFilePath('/models/a/1.0.0', 'vocab.txt')).toBe('/models/a/1.0.0/vocab.txt');
    expect(() => modelFilePath('/models/a/1.0.0', '../../b/1.0.0/vocab.txt')).toThrow(
      expect.objectContaining({ code: InferenceErrorCode.ManifestInvalid }),
    );
  });
});

describe('calibration', () => {
  it('is sigmoid(logit / T) per label', () => {
    expect(calibratedProbability(0, 0.5)).toBe(0.5);
    expect(calibratedProbability(2, 2)).toBeCloseTo(1 / (1 + Math.exp(-1)), 15);
    const p = probabilities(Float32Array.from([1, 1, -2, 4]), [1, 0.5]);
    expect(Array.from(p)).toEqual([
      1 / (1 + Math.exp(-1)),
      1 / (1 + Math.exp(-2)),
      1 / (1 + Math.exp(2)),
      1 / (1 + Math.exp(-8)),
    ]);
  });
});

describe('occlusion masks', () => {
  it('zeroes only the removed modality, on copies', () => {
    const masks = {
      text: Float32Array.from([1, 1, 0]),
      image: Float32Array.from([1, 1]),
      vitals: Float32Array.from([1]),
    };
    const out = withoutModalities(masks, ['image']);
    expect(Array.from(out.image)).toEqual([0, 0]);
    expect(Array.from(out.text)).toEqual([1, 1, 0]);
    expect(Array.from(masks.image)).toEqual([1, 1]);
  });
});

describe('session options', () => {
  it('uses fixed defaults and reads positive thread counts from the environment', () => {
    expect(sessionOptionsFromEnv({})).toEqual({
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      enableMemPattern: true,
      enableCpuMemArena: true,
      executionMode: 'sequential',
    });
    expect(
      sessionOptionsFromEnv({ MOSAIC_ORT_INTRA_OP_THREADS: '2', MOSAIC_ORT_INTER_OP_THREADS: '0' }),
    ).toMatchObject({
      intraOpNumThreads: 2,
      interOpNumThreads: 1,
    });
    expect(sessionOptionsFromEnv({ MOSAIC_ORT_GRAPH_OPTIMIZATION: 'basic' }).graphOptimizationLevel).toBe(
      'basic',
    );
    expect(sessionOptionsFromEnv({ MOSAIC_ORT_GRAPH_OPTIMIZATION: 'fast' }).graphOptimizationLevel).toBe(
      'all',
    );
  });
});

describe('readNpy', () => {
  it('reads what the export writes (int64, float32, uint8), from a Buffer view at any offset', () => {
    const ints = readNpy(encodeNpy('<i8', [2, 2], BigInt64Array.from([1n, -2n, 3n, 4n])));
    expect(ints).toMatchObject({ dtype: '<i8', shape: [2, 2] });
    expect(Array.from(ints.data as BigInt64Array)).toEqual([1n, -2n, 3n, 4n]);
    const floats = readNpy(encodeNpy('<f4', [3], Float32Array.from([0.5, -1, 3.25])));
    expect(Array.from(floats.data as Float32Array)).toEqual([0.5, -1, 3.25]);
    const bytes = Buffer.concat([Buffer.alloc(3), encodeNpy('|u1', [2], Uint8Array.from([7, 9]))]).subarray(
      3,
    );
    expect(Array.from(readNpy(bytes).data as Uint8Array)).toEqual([7, 9]);
  });
});

describe('golden float16', () => {
  it('widens IEEE 754 binary16', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x3555)).toBeCloseTo(0.333251953125, 12);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
  });
});
