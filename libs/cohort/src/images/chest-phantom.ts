import type { PlannedImageFinding } from '../plan/patient-plan';
import type { SeededRandom } from '../random/seeded-random';

/**
 * A radiograph-like PA chest phantom: body outline, two lung fields with vascular texture,
 * mediastinum, cardiac silhouette, spine, clavicles and posterior ribs; 12-bit MONOCHROME2 (bright
 * = dense, PS3.3 C.7.6.3.1.2). Findings are drawn into the anatomy and each gets an exact pixel mask.
 * The patient's right is on the image's left, as on a PA film.
 */

export const PHANTOM_ROWS = 384;
export const PHANTOM_COLUMNS = 320;
export const PHANTOM_BITS_STORED = 12;
const MAX_VALUE = (1 << PHANTOM_BITS_STORED) - 1;

export interface FindingMask {
  finding: PlannedImageFinding;
  /** rows × columns, 1 inside the finding. */
  mask: Uint8Array;
  area: number;
  /** Inclusive pixel bounds: [rowMin, colMin, rowMax, colMax]. */
  bbox: [number, number, number, number];
}

export interface ChestImage {
  rows: number;
  columns: number;
  bitsStored: number;
  pixels: Uint16Array;
  findings: FindingMask[];
}

/** Smooth deterministic noise: a random lattice, bilinearly interpolated. */
class ValueNoise {
  private readonly lattice: Float32Array;
  constructor(
    rng: SeededRandom,
    private readonly size = 64,
  ) {
    this.lattice = new Float32Array(size * size);
    for (let i = 0; i < this.lattice.length; i++) this.lattice[i] = rng.next() * 2 - 1;
  }
  at(x: number, y: number): number {
    const n = this.size;
    const xf = Math.floor(x);
    const yf = Math.floor(y);
    const tx = x - xf;
    const ty = y - yf;
    const sx = tx * tx * (3 - 2 * tx);
    const sy = ty * ty * (3 - 2 * ty);
    const i0 = ((xf % n) + n) % n;
    const j0 = ((yf % n) + n) % n;
    const i1 = (i0 + 1) % n;
    const j1 = (j0 + 1) % n;
    const a = this.lattice[j0 * n + i0];
    const b = this.lattice[j0 * n + i1];
    const c = this.lattice[j1 * n + i0];
    const d = this.lattice[j1 * n + i1];
    return a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy;
  }
}

interface Lung {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  /** +1 when lateral is toward larger x. */
  lateral: number;
}

/** Superellipse radius: < 1 inside, 1 on the boundary. */
function lungRadius(lung: Lung, u: number, v: number): number {
  const dx = Math.abs(u - lung.cx) / lung.rx;
  // The apex is narrower than the base: widen the lung toward its base.
  const dy = (v - lung.cy) / lung.ry;
  const widen = 0.82 + 0.18 * Math.min(1, Math.max(-1, dy));
  const ax = dx / widen;
  const ay = Math.abs(dy);
  return Math.pow(Math.pow(ax, 2.6) + Math.pow(ay, 2.6), 1 / 2.6);
}

export function renderChestImage(rng: SeededRandom, findings: readonly PlannedImageFinding[]): ChestImage {
  const rows = PHANTOM_ROWS;
  const columns = PHANTOM_COLUMNS;
  const texture = new ValueNoise(rng);
  const fine = new ValueNoise(rng);
  const shapeNoise = new ValueNoise(rng, 32);

  // Anatomy varies a little from patient to patient.
  const jitter = (sd: number): number => rng.normal(0, sd);
  const right: Lung = {
    cx: 0.3 + jitter(0.01),
    cy: 0.47 + jitter(0.01),
    rx: 0.15 + jitter(0.008),
    ry: 0.29 + jitter(0.01),
    lateral: -1,
  };
  const left: Lung = {
    cx: 0.7 + jitter(0.01),
    cy: 0.48 + jitter(0.01),
    rx: 0.145 + jitter(0.008),
    ry: 0.29 + jitter(0.01),
    lateral: 1,
  };
  const exposure = rng.uniform(0.9, 1.1);
  // Quantum noise from a table of normals walked by a cheap xorshift: one PRNG draw per image
  // instead of one per pixel keeps rendering fast without changing the noise statistics.
  const noiseTable = new Float32Array(4096);
  for (let i = 0; i < noiseTable.length; i++) noiseTable[i] = rng.normal(0, 22);
  let noiseState = (rng.int(1, 0x7fffffff) | 1) >>> 0;
  const ribPhase = rng.uniform(0, 1);

  const cardiomegaly = findings.find((finding) => finding.kind === 'cardiomegaly');
  const heartScale = cardiomegaly ? 1.3 + 0.3 * cardiomegaly.severity : 1 + jitter(0.04);
  const heart = { cx: 0.54, cy: 0.66, rx: 0.125 * heartScale, ry: 0.11 * (1 + (heartScale - 1) * 0.5) };

  const pixels = new Uint16Array(rows * columns);
  const masks: FindingMask[] = findings.map((finding) => ({
    finding,
    mask: new Uint8Array(rows * columns),
    area: 0,
    bbox: [rows, columns, -1, -1],
  }));

  // Per-finding geometry, drawn once.
  const geometry = findings.map((finding) => {
    const lung = finding.side === 'right' ? right : left;
    const zoneTop = [0.22, 0.38, 0.55][finding.zone];
    switch (finding.kind) {
      case 'consolidation':
        return {
          lung,
          depth: 0,
          cx: lung.cx + lung.lateral * rng.uniform(-0.02, 0.05),
          cy: zoneTop + rng.uniform(0.05, 0.12),
          rx: 0.06 + 0.05 * finding.severity,
          ry: 0.05 + 0.04 * finding.severity,
        };
      case 'nodule': {
        const r = 0.012 + 0.012 * finding.severity;
        return {
          lung,
          depth: 0,
          cx: lung.cx + lung.lateral * rng.uniform(-0.04, 0.06),
          cy: lung.cy + rng.uniform(-0.18, 0.1),
          rx: r,
          ry: r * (columns / rows),
        };
      }
      case 'effusion':
        return { lung, depth: 0.05 + 0.09 * finding.severity, cx: 0, cy: 0, rx: 0, ry: 0 };
      case 'pneumothorax':
        return { lung, depth: 0.06 + 0.08 * finding.severity, cx: 0, cy: 0, rx: 0, ry: 0 };
      case 'cardiomegaly':
        return { lung, depth: 0, cx: heart.cx, cy: heart.cy, rx: heart.rx, ry: heart.ry };
      default: {
        const unreachable: never = finding.kind;
        throw new Error(`unhandled finding ${String(unreachable)}`);
      }
    }
  });

  for (let y = 0; y < rows; y++) {
    const v = (y + 0.5) / rows;
    for (let x = 0; x < columns; x++) {
      const u = (x + 0.5) / columns;
      // Body outline: shoulders and chest wall as an ellipse, air outside.
      const body = Math.pow((u - 0.5) / 0.47, 2) + Math.pow((v - 0.6) / 0.58, 2);
      let value = body < 1 ? 2100 + 300 * (1 - body) : 120;

      const rr = lungRadius(right, u, v);
      const rl = lungRadius(left, u, v);
      const lung = rr < 1 ? right : rl < 1 ? left : null;
      const radius = lung === right ? rr : rl;
      const heartR = Math.pow((u - heart.cx) / heart.rx, 2) + Math.pow((v - heart.cy) / heart.ry, 2);
      const mediastinum = Math.abs(u - 0.5) < 0.06 + 0.03 * Math.max(0, v - 0.3) && v > 0.12;
      let inLungField = lung !== null && heartR >= 1 && !mediastinum;
      let markings = 1;
      let lungAttenuation = 0;

      if (inLungField && lung) {
        // Vascular markings fan out from the hilum and fade toward the periphery.
        const hx = lung.cx - lung.lateral * lung.rx * 0.55;
        const hy = lung.cy - 0.02;
        const angle = Math.atan2(v - hy, u - hx);
        const distance = Math.hypot(u - hx, v - hy);
        const vessels =
          Math.max(0, texture.at(angle * 9 + 20, distance * 14)) * Math.max(0, 1 - distance * 3.2);
        lungAttenuation = 1 - Math.min(1, Math.max(0, (radius - 0.86) / 0.14)) * 0.5;
        value = 750 + 900 * (1 - lungAttenuation) + 650 * vessels + 90 * fine.at(u * 40, v * 40);
      }

      // Findings change the anatomy before ribs and noise are laid over it.
      masks.forEach((entry, index) => {
        const finding = entry.finding;
        const geo = geometry[index];
        let inside = false;
        switch (finding.kind) {
          case 'consolidation': {
            if (!inLungField || lung !== geo.lung) break;
            const d =
              Math.pow((u - geo.cx) / geo.rx, 2) +
              Math.pow((v - geo.cy) / geo.ry, 2) +
              0.35 * shapeNoise.at(u * 18, v * 18);
            if (d < 1) {
              inside = true;
              value +=
                (600 + 400 * finding.severity) * Math.min(1, (1 - d) * 3) + 120 * fine.at(u * 60, v * 60);
            }
            break;
          }
          case 'nodule': {
            if (!inLungField || lung !== geo.lung) break;
            const d = Math.pow((u - geo.cx) / geo.rx, 2) + Math.pow((v - geo.cy) / geo.ry, 2);
            if (d < 1) {
              inside = true;
              value += (700 + 300 * finding.severity) * Math.min(1, (1 - d) * 2.5);
            }
            break;
          }
          case 'effusion': {
            if (lung !== geo.lung || lung === null || radius >= 1) break;
            const base = lung.cy + lung.ry * 0.92;
            const lateralness = Math.min(1, Math.max(0, ((u - lung.cx) * lung.lateral) / lung.rx + 0.5));
            // A meniscus climbs the lateral chest wall; a fluid level is flat (air above fluid).
            const top =
              finding.variant === 'fluid_level'
                ? base - geo.depth
                : base - geo.depth - 0.06 * lateralness * lateralness;
            if (v > top && heartR >= 1) {
              inside = true;
              value = 2050 + 150 * Math.min(1, (v - top) * 30) + 60 * fine.at(u * 30, v * 30);
              inLungField = false;
            }
            break;
          }
          case 'pneumothorax': {
            if (lung !== geo.lung || lung === null || radius >= 1 || !inLungField) break;
            // The collapsed lung's edge runs parallel to the chest wall at the apex.
            const apical = v < lung.cy - lung.ry * 0.15 && (u - lung.cx) * lung.lateral > -lung.rx * 0.3;
            if (!apical) break;
            const edge = 1 - geo.depth;
            if (radius > edge) {
              inside = true;
              markings = 0;
              value = 560 + 40 * fine.at(u * 30, v * 30);
            } else if (radius > edge - 0.018) {
              value += 500; // the visceral pleural line
            }
            break;
          }
          case 'cardiomegaly':
            if (heartR < 1) inside = true;
            break;
          default: {
            const unreachable: never = finding.kind;
            throw new Error(`unhandled finding ${String(unreachable)}`);
          }
        }
        if (inside) {
          const offset = y * columns + x;
          entry.mask[offset] = 1;
          entry.area++;
          entry.bbox[0] = Math.min(entry.bbox[0], y);
          entry.bbox[1] = Math.min(entry.bbox[1], x);
          entry.bbox[2] = Math.max(entry.bbox[2], y);
          entry.bbox[3] = Math.max(entry.bbox[3], x);
        }
      });

      if (body < 1) {
        if (heartR < 1) value = Math.max(value, 2250 + 200 * (1 - heartR));
        if (mediastinum) value = Math.max(value, 2350 + 120 * Math.cos((u - 0.5) * 30));
        // Spine through the mediastinum.
        if (Math.abs(u - 0.5) < 0.035) value += 180;
        // Posterior ribs: curved bands, sloping down laterally; brighter over aerated lung.
        const ribCurve = v - 0.55 * Math.pow(u - 0.5, 2) + 0.02 * Math.sin(u * 9);
        const ribWave = Math.cos(2 * Math.PI * (ribCurve / 0.062 + ribPhase));
        const rib = Math.pow(Math.max(0, ribWave), 6) * (v > 0.14 && v < 0.8 ? 1 : 0);
        value += rib * (inLungField ? 380 * markings + 200 : 120);
        // Clavicles.
        const clavicle =
          Math.abs(v - (0.15 + 0.25 * Math.abs(u - 0.5) * -0.4 + 0.02)) < 0.012 &&
          Math.abs(u - 0.5) > 0.05 &&
          Math.abs(u - 0.5) < 0.33;
        if (clavicle) value += 450;
      }
      noiseState ^= noiseState << 13;
      noiseState ^= noiseState >>> 17;
      noiseState ^= noiseState << 5;
      noiseState >>>= 0;
      value = value * exposure + noiseTable[noiseState & 4095];
      pixels[y * columns + x] = Math.max(0, Math.min(MAX_VALUE, Math.round(value)));
    }
  }
  return { rows, columns, bitsStored: PHANTOM_BITS_STORED, pixels, findings: masks };
}
