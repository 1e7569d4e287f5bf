import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The git commit recorded with every assessment: MOSAIC_CODE_VERSION when set (a container built
 * from a commit sets it, since it ships no .git), else `git rev-parse HEAD` of the checkout the
 * server runs from, read once at start; "unknown" when neither is available.
 */
export function resolveCodeVersion(configured: string | undefined): string {
  if (configured) return configured;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: resolve(__dirname, '../../../..'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
  } catch {
    return 'unknown';
  }
}

/** The onnxruntime-node version, from the package actually loaded. */
export function onnxRuntimeVersion(): string {
  return (require('onnxruntime-node/package.json') as { version: string }).version;
}
