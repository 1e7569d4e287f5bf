import { createHash, randomUUID } from 'node:crypto';

/**
 * UIDs under the "2.25" root: a UUID as a decimal integer (DICOM PS3.5 §B.2, ISO/IEC 9834-8), so no
 * registered organisation root is needed and values are unique without coordination.
 */
export function generateUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/gu, '')}`).toString()}`;
}

/**
 * A deterministic UID derived from a seed: the same seed always gives the same UID (used for
 * de-identification mappings and for seeded synthetic cohorts). The SHA-256 digest is cut to 128 bits
 * with the UUID version/variant bits set (RFC 9562 §5.8, custom UUID), keeping the value a valid 2.25 UID.
 */
export function uidFromSeed(seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  digest[6] = (digest[6] & 0x0f) | 0x80;
  digest[8] = (digest[8] & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${digest.subarray(0, 16).toString('hex')}`).toString()}`;
}

/** Implementation Class UID (0002,0012) of files this library writes (PS3.7 §D.3.3.2). */
export const IMPLEMENTATION_CLASS_UID = uidFromSeed('mosaic libs/dicom implementation class');
export const IMPLEMENTATION_VERSION_NAME = 'MOSAIC_DICOM_1';
