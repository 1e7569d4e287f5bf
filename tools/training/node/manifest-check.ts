// Validates a packaged model folder: manifest.json against models/manifest.schema.json (JSON Schema
// draft 2020-12), the sha256 and size of every listed file, and each ablation's own manifest.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';

export const MANIFEST_SCHEMA_PATH = resolve(__dirname, '..', '..', '..', 'models', 'manifest.schema.json');

export interface ManifestReport {
  ok: boolean;
  failures: string[];
}

interface ManifestFiles {
  files?: { path: string; sha256: string; bytes: number }[];
  ablations?: { path: string; manifestSha256: string }[];
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Checks one model folder and, recursively, its ablations/ folders. */
export function checkManifest(modelDir: string, schemaPath: string = MANIFEST_SCHEMA_PATH): ManifestReport {
  // Formats (date-time, uri) are descriptive here; the structure and hashes are what we enforce.
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
  const failures: string[] = [];
  const visit = (dir: string, prefix: string): void => {
    const path = join(dir, 'manifest.json');
    if (!existsSync(path)) {
      failures.push(`${prefix}manifest.json: missing`);
      return;
    }
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as ManifestFiles;
    if (!validate(manifest)) {
      for (const e of validate.errors ?? [])
        failures.push(`${prefix}manifest.json${e.instancePath}: ${e.message ?? ''}`);
    }
    for (const f of manifest.files ?? []) {
      const p = join(dir, f.path);
      if (!existsSync(p)) {
        failures.push(`${prefix}${f.path}: missing`);
        continue;
      }
      const bytes = readFileSync(p);
      if (bytes.length !== f.bytes || sha256(bytes) !== f.sha256)
        failures.push(`${prefix}${f.path}: sha256 mismatch`);
    }
    for (const a of manifest.ablations ?? []) {
      const sub = join(dir, a.path);
      const subManifest = join(sub, 'manifest.json');
      if (existsSync(subManifest) && sha256(readFileSync(subManifest)) !== a.manifestSha256) {
        failures.push(`${prefix}${a.path}/manifest.json: sha256 mismatch`);
      }
      visit(sub, `${prefix}${a.path}/`);
    }
  };
  visit(modelDir, '');
  return { ok: failures.length === 0, failures };
}
