import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { InferenceError } from '../inference.errors';
import type { ModelManifest } from '../manifest/model-manifest';
import { readModelManifest, verifyModelFiles } from '../manifest/model-manifest';

/**
 * The models a server can offer: every `<modelId>/<version>/manifest.json` under the models
 * directory (ARCHITECTURE.md §Model contract), validated against the schema with the sha256 of
 * every listed file checked. Ablation folders are evaluation-only and never offered. A folder that
 * fails validation is listed with its problem, so an operator sees why it is not served.
 */

export interface CatalogueEntry {
  modelId: string;
  version: string;
  dir: string;
  /** Null when the folder is invalid; see `problem`. */
  manifest: ModelManifest | null;
  problem: string | null;
  card: ModelCardSummary | null;
}

/** What a user of the model should see first (docs/assessments.md §Models). */
export interface ModelCardSummary {
  title: string;
  notice: string;
  notForClinicalUse: true;
  intendedUse: string | null;
  modalities: string[];
  labels: { slug: string; display: string }[];
  createdAt: string;
  trainingCohort: Record<string, unknown> | null;
  validation: Record<string, unknown> | null;
  evaluation: unknown;
}

/** Semantic-version order (SemVer 2.0.0 §11): a pre-release sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): { core: number[]; pre: string | null } => {
    const [main, pre] = v.split('+')[0].split(/-(.*)/s);
    return { core: main.split('.').map((part) => Number(part)), pre: pre ?? null };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.core[i] ?? 0) - (y.core[i] ?? 0);
    if (d !== 0) return d;
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === null) return 1;
  if (y.pre === null) return -1;
  return x.pre.localeCompare(y.pre, 'en', { numeric: true });
}

/** The "Intended use" section of MODEL_CARD.md, as one paragraph, when the card has one. */
export function intendedUseFromCard(markdown: string): string | null {
  const match = /^##\s+Intended use\s*\n([\s\S]*?)(?=^##\s|$(?![\s\S]))/m.exec(markdown);
  if (!match) return null;
  const text = match[1].replace(/\s+/g, ' ').trim();
  return text.length > 0 ? text : null;
}

export function cardSummary(manifest: ModelManifest, cardMarkdown: string | null): ModelCardSummary {
  const training = manifest.training as Record<string, unknown>;
  return {
    title: `${manifest.modelId} ${manifest.version}`,
    notice: manifest.notice,
    notForClinicalUse: true,
    intendedUse: cardMarkdown ? intendedUseFromCard(cardMarkdown) : null,
    modalities: [...manifest.modalities],
    labels: manifest.labels.map((label) => ({ slug: label.slug, display: label.display })),
    createdAt: manifest.createdAt,
    trainingCohort: (training.cohort as Record<string, unknown> | undefined) ?? null,
    validation: (training.validation as Record<string, unknown> | undefined) ?? null,
    evaluation: manifest.evaluation?.summary ?? null,
  };
}

async function subdirectories(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** Reads one model folder; never throws for a bad folder, it reports the problem instead. */
export async function inspectModelFolder(
  modelId: string,
  version: string,
  dir: string,
): Promise<CatalogueEntry> {
  try {
    const manifest = await readModelManifest(dir);
    if (manifest.modelId !== modelId || manifest.version !== version) {
      return {
        modelId,
        version,
        dir,
        manifest: null,
        card: null,
        problem: `the folder says ${modelId}/${version} but its manifest says ${manifest.modelId}/${manifest.version}`,
      };
    }
    await verifyModelFiles(dir, manifest);
    const card = await readFile(path.join(dir, 'MODEL_CARD.md'), 'utf8').catch(() => null);
    return { modelId, version, dir, manifest, problem: null, card: cardSummary(manifest, card) };
  } catch (error) {
    if (error instanceof InferenceError) {
      return { modelId, version, dir, manifest: null, card: null, problem: error.message };
    }
    throw error;
  }
}

/** Every served model folder under `modelsDir`, newest version first within each model id. */
export async function scanModels(modelsDir: string): Promise<CatalogueEntry[]> {
  const root = path.resolve(modelsDir);
  const out: CatalogueEntry[] = [];
  for (const modelId of await subdirectories(root)) {
    if (modelId === 'ablations') continue;
    for (const version of await subdirectories(path.join(root, modelId))) {
      const entry = await inspectModelFolder(modelId, version, path.join(root, modelId, version));
      if (entry.manifest && entry.manifest.role !== 'served') continue;
      out.push(entry);
    }
  }
  return out.sort((a, b) => a.modelId.localeCompare(b.modelId) || compareVersions(b.version, a.version));
}
