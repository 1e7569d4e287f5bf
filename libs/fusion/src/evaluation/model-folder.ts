import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ManifestFile, ModelManifest } from '@mosaic/inference';
import { sha256Hex, validateManifest } from '@mosaic/inference';
import { FusionError, FusionErrorCode } from '../fusion.errors';
import type { EvaluationReport } from './evaluation-report';
import { renderEvaluationMarkdown } from './report-markdown';

/**
 * Writes an evaluation into its model folder: evaluation.json (the full report), evaluation.md
 * (the tables), the Evaluation section of MODEL_CARD.md, then manifest.json LAST with every file
 * re-hashed and `evaluation` set — the same refresh as `tools/training/package_model.py --refresh`,
 * so a folder is never left with a manifest that does not describe it.
 */

const MAX_SERVED_ONNX_BYTES = 20 * 1024 * 1024;

/** Replaces the body of `## Evaluation` (up to the next level-2 heading) or appends the section. */
export function replaceCardSection(card: string, heading: string, body: string): string {
  const lines = card.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${heading}`);
  const section = [`## ${heading}`, '', ...body.trimEnd().split('\n'), ''];
  if (start < 0) return `${card.trimEnd()}\n\n${section.join('\n')}`;
  let end = lines.findIndex((line, i) => i > start && /^## /.test(line));
  if (end < 0) end = lines.length;
  return [...lines.slice(0, start), ...section, ...lines.slice(end)].join('\n');
}

/** Every file except manifest.json, *.tmp and the top-level ablations/ tree, in package_model.py order. */
async function listFiles(root: string, relative = ''): Promise<ManifestFile[]> {
  const dir = path.join(root, relative);
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const files: ManifestFile[] = [];
  const subdirs: string[] = [];
  for (const entry of entries) {
    const rel = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!(relative === '' && entry.name === 'ablations')) subdirs.push(rel);
    } else if (rel !== 'manifest.json' && !entry.name.endsWith('.tmp')) {
      const bytes = await readFile(path.join(root, rel));
      files.push({ path: rel, sha256: sha256Hex(bytes), bytes: bytes.length });
    }
  }
  for (const sub of subdirs) files.push(...(await listFiles(root, sub)));
  return files;
}

export async function refreshManifest(
  modelDir: string,
  update: (manifest: ModelManifest) => void,
): Promise<ModelManifest> {
  const manifestPath = path.join(modelDir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as ModelManifest;
  update(manifest);
  manifest.files = await listFiles(modelDir);
  const onnxBytes = manifest.files
    .filter((f) => f.path.endsWith('.onnx') && !f.path.includes('/'))
    .reduce((a, f) => a + f.bytes, 0);
  manifest.size = { onnxBytes, maxOnnxBytes: MAX_SERVED_ONNX_BYTES };
  validateManifest(manifest, manifestPath);
  const tmp = `${manifestPath}.tmp`;
  await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(tmp, manifestPath);
  return manifest;
}

export interface ModelFolderUpdate {
  evaluationJson: string;
  evaluationMarkdown: string;
  modelCard: string | null;
  manifest: string;
}

export async function writeEvaluationToModelFolder(
  report: EvaluationReport,
  modelDir: string,
): Promise<ModelFolderUpdate> {
  try {
    await stat(path.join(modelDir, 'manifest.json'));
  } catch {
    throw new FusionError(FusionErrorCode.ModelFolderUpdate, `${modelDir} has no manifest.json`);
  }
  const markdown = renderEvaluationMarkdown(report);
  const evaluationJson = path.join(modelDir, 'evaluation.json');
  const evaluationMarkdown = path.join(modelDir, 'evaluation.md');
  // The folder is committed: record it by its repository-relative name, not this machine's path.
  const portable = {
    ...report,
    model: { ...report.model, dir: '.' },
    cohort: { ...report.cohort, dir: path.basename(report.cohort.dir) },
  };
  await writeFile(evaluationJson, `${JSON.stringify(portable, null, 2)}\n`);
  await writeFile(
    evaluationMarkdown,
    `# Evaluation of ${report.model.id} ${report.model.version}\n\n> ${report.notice}\n\n${markdown}`,
  );
  const cardPath = path.join(modelDir, 'MODEL_CARD.md');
  let modelCard: string | null = null;
  try {
    const card = await readFile(cardPath, 'utf8');
    await writeFile(
      cardPath,
      replaceCardSection(
        card,
        'Evaluation',
        `Written by \`mosaic model evaluate\` (full report: evaluation.json).\n\n${markdown}`,
      ),
    );
    modelCard = cardPath;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await refreshManifest(modelDir, (manifest) => {
    manifest.evaluation = { file: 'evaluation.json', summary: report.summary };
  });
  return { evaluationJson, evaluationMarkdown, modelCard, manifest: path.join(modelDir, 'manifest.json') };
}
