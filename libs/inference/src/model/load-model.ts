import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { VitalsStats } from '@mosaic/preprocess';
import { DEFAULT_MAX_TOKENS, parseVocabulary, validateVitalsStats } from '@mosaic/preprocess';
import { InferenceError, InferenceErrorCode } from '../inference.errors';
import type { PreprocessingConfig } from '../inputs/model-inputs';
import type { ModelManifest, Modality } from '../manifest/model-manifest';
import {
  MODALITIES,
  modelFilePath,
  readModelManifest,
  sha256Hex,
  verifyModelFiles,
} from '../manifest/model-manifest';
import type { ModelSessionOptions, ModelSessions } from '../session/model-sessions';
import { createSession, releaseSessions } from '../session/model-sessions';

/**
 * A model folder loaded for inference: its validated manifest, the preprocessing parameters it
 * ships (vocabulary, vitals statistics) and one ONNX Runtime session per graph, all created from
 * the bytes whose sha256 was just checked.
 */
export interface LoadedModel {
  dir: string;
  manifest: ModelManifest;
  /** Label slugs in logit column order. */
  labels: string[];
  preprocessing: PreprocessingConfig;
  /** Modalities the graphs use; the others are fed as masked zeros. */
  modalities: readonly Modality[];
  tokenDim: number;
  positions: Record<Modality, { start: number; end: number }>;
  /** Positions of the concatenated fusion sequence (text ‖ image ‖ vitals). */
  totalPositions: number;
  temperatures: number[];
  thresholds: number[];
  sessions: ModelSessions;
  release(): Promise<void>;
}

export interface LoadModelOptions {
  session?: ModelSessionOptions;
}

function fileText(files: Map<string, Buffer>, relative: string, what: string): string {
  const bytes = files.get(path.posix.normalize(relative));
  if (!bytes) {
    throw new InferenceError(
      InferenceErrorCode.ModelFileInvalid,
      `the manifest's ${what} ${relative} is not among its hashed files`,
    );
  }
  return bytes.toString('utf8');
}

export async function loadModel(modelDir: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const dir = path.resolve(modelDir);
  const manifest = await readModelManifest(dir);
  const files = await verifyModelFiles(dir, manifest);
  const k = manifest.labels.length;
  if (manifest.calibration.temperatures.length !== k || manifest.thresholds.values.length !== k) {
    throw new InferenceError(
      InferenceErrorCode.ManifestInvalid,
      `${dir}: calibration temperatures and thresholds need one value per label (${k})`,
    );
  }

  let preprocessing: PreprocessingConfig;
  try {
    const vocab = parseVocabulary(fileText(files, manifest.preprocessing.text.vocabFile, 'vocabulary'));
    const vitalsStats = JSON.parse(
      fileText(files, manifest.preprocessing.vitals.statsFile, 'vitals statistics'),
    ) as VitalsStats;
    validateVitalsStats(vitalsStats);
    preprocessing = {
      vocab,
      vitalsStats,
      maxTokens: manifest.preprocessing.text.maxTokens ?? DEFAULT_MAX_TOKENS,
      imageSize: manifest.preprocessing.image.size[0],
      hours: manifest.preprocessing.vitals.timeGrid.steps,
      grid: manifest.preprocessing.image.grid,
    };
  } catch (error) {
    if (error instanceof InferenceError) throw error;
    throw new InferenceError(
      InferenceErrorCode.ModelFileInvalid,
      `${dir}: preprocessing files are invalid: ${(error as Error).message}`,
    );
  }

  const graphBytes = (relative: string): Buffer => {
    const bytes = files.get(path.posix.normalize(relative));
    if (!bytes) {
      throw new InferenceError(
        InferenceErrorCode.ModelFileInvalid,
        `graph ${relative} is not among the hashed files`,
      );
    }
    return bytes;
  };
  const sessions: Partial<ModelSessions> = {};
  try {
    for (const modality of MODALITIES) {
      sessions[modality] = await createSession(graphBytes(manifest.encoders[modality].file), options.session);
    }
    sessions.fusion = await createSession(graphBytes(manifest.fusion.file), options.session);
  } catch (error) {
    await releaseSessions(sessions);
    if (error instanceof InferenceError) throw error;
    throw new InferenceError(
      InferenceErrorCode.ModelFileInvalid,
      `${dir}: onnxruntime could not load a graph: ${(error as Error).message}`,
    );
  }
  const positions = manifest.fusion.positions;
  const complete = sessions as ModelSessions;
  return {
    dir,
    manifest,
    labels: manifest.labels.map((label) => label.slug),
    preprocessing,
    modalities: manifest.modalities,
    tokenDim: manifest.fusion.tokenDim,
    positions,
    totalPositions: Math.max(...MODALITIES.map((m) => positions[m].end)),
    temperatures: manifest.calibration.temperatures,
    thresholds: manifest.thresholds.values,
    sessions: complete,
    release: () => releaseSessions(complete),
  };
}

/** The ablation models listed in a served model's manifest (evaluation only; never served). */
export async function loadAblations(
  model: LoadedModel,
  options: LoadModelOptions = {},
): Promise<Map<string, LoadedModel>> {
  const out = new Map<string, LoadedModel>();
  try {
    for (const ablation of model.manifest.ablations) {
      // The parent pins each ablation by its manifest's sha256 (tools/training/package_model.py).
      const manifestBytes = await readFile(
        path.join(modelFilePath(model.dir, ablation.path), 'manifest.json'),
      ).catch(() => undefined);
      if (!manifestBytes || sha256Hex(manifestBytes) !== ablation.manifestSha256) {
        throw new InferenceError(
          InferenceErrorCode.FileIntegrity,
          `${ablation.path}/manifest.json is missing or differs from the sha256 its parent manifest pins`,
        );
      }
      const loaded = await loadModel(path.join(model.dir, ablation.path), options);
      if (loaded.manifest.role !== 'ablation' || loaded.manifest.variant !== ablation.name) {
        await loaded.release();
        throw new InferenceError(
          InferenceErrorCode.ManifestInvalid,
          `${ablation.path} is not the ${ablation.name} ablation its parent manifest names`,
        );
      }
      out.set(ablation.name, loaded);
    }
  } catch (error) {
    for (const loaded of out.values()) await loaded.release();
    throw error;
  }
  return out;
}
