import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Repository root, found from this file. */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

/**
 * Model folders committed under models/<id>/<version>/manifest.json, for integration tests.
 * MOSAIC_TEST_MODELS (paths separated by ":") replaces them, for development against a model that
 * is not committed yet; CI never sets it.
 */
export function committedModelDirs(): string[] {
  const override = process.env.MOSAIC_TEST_MODELS;
  if (override) return override.split(':').filter((dir) => dir.length > 0);
  const root = path.join(REPO_ROOT, 'models');
  const dirs: string[] = [];
  for (const id of readdirSync(root, { withFileTypes: true })) {
    if (!id.isDirectory()) continue;
    for (const version of readdirSync(path.join(root, id.name), { withFileTypes: true })) {
      const dir = path.join(root, id.name, version.name);
      if (version.isDirectory() && existsSync(path.join(dir, 'manifest.json'))) dirs.push(dir);
    }
  }
  return dirs.sort();
}
