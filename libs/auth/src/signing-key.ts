import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The JWT signing key: MOSAIC_JWT_SECRET when set, otherwise a random key generated once and kept
 * in the data directory (mode 0600), so tokens survive restarts and `mosaic token` can mint them on
 * the server's host. Replicas behind a load balancer must share MOSAIC_JWT_SECRET.
 */
export function resolveSigningKey(secret: string | undefined, dataDir: string): string {
  if (secret) return secret;
  const path = join(resolve(dataDir), 'jwt-signing-key');
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    mkdirSync(resolve(dataDir), { recursive: true });
    const key = randomBytes(48).toString('base64url');
    try {
      writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
      return key;
    } catch {
      // Another process created it first: use theirs.
      return readFileSync(path, 'utf8').trim();
    }
  }
}
