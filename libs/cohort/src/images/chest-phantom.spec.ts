import { SeededRandom } from '../random/seeded-random';
import { PHANTOM_COLUMNS, PHANTOM_ROWS, renderChestImage } from './chest-phantom';

describe('renderChestImage', () => {
  const image = renderChestImage(new SeededRandom(3, 'image'), [
    {
      kind: 'nodule',
      side: 'left',
      zone: 2,
      severity: 0.9,
      variant: 'default',
      cause: { label: 'pulmonary_nodule' },
    },
    {
      kind: 'consolidation',
      side: 'right',
      zone: 2,
      severity: 0.9,
      variant: 'default',
      cause: { label: 'pneumonia' },
    },
  ]);

  it('renders a 12-bit image of at least 256×256', () => {
    expect(image.rows).toBe(PHANTOM_ROWS);
    expect(image.columns).toBe(PHANTOM_COLUMNS);
    expect(Math.min(image.rows, image.columns)).toBeGreaterThanOrEqual(256);
    expect(Math.max(...image.pixels)).toBeLessThan(4096);
  });

  it('gives each finding a non-empty mask inside its bounding box, brighter than the aerated lung', () => {
    const meanWhere = (predicate: (i: number) => boolean): number => {
      let sum = 0;
      let n = 0;
      image.pixels.forEach((value, i) => {
        if (predicate(i)) {
          sum += value;
          n++;
        }
      });
      return sum / n;
    };
    for (const finding of image.findings) {
      expect(finding.area).toBeGreaterThan(20);
      const [r0, c0, r1, c1] = finding.bbox;
      finding.mask.forEach((inside, i) => {
        if (inside) {
          const r = Math.floor(i / image.columns);
          const c = i % image.columns;
          expect(r >= r0 && r <= r1 && c >= c0 && c <= c1).toBe(true);
        }
      });
    }
    const consolidation = image.findings[1];
    const [r0, c0, r1, c1] = consolidation.bbox;
    const inside = meanWhere((i) => consolidation.mask[i] === 1);
    const around = meanWhere((i) => {
      const r = Math.floor(i / image.columns);
      const c = i % image.columns;
      return (
        consolidation.mask[i] === 0 && r >= r0 - 10 && r <= r1 && c >= c0 && c <= c1 && image.pixels[i] < 1800
      );
    });
    expect(inside).toBeGreaterThan(around + 300);
  });
});
