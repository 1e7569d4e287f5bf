import { SeededRandom } from './seeded-random';

describe('SeededRandom', () => {
  it('repeats the same sequence for the same seed and stream, and differs across streams', () => {
    const a = SeededRandom.stream(42, 'plan', 3);
    const b = SeededRandom.stream(42, 'plan', 3);
    const c = SeededRandom.stream(42, 'plan', 4);
    const seqA = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(seqA);
  });

  it('draws uniforms in [0, 1) and normals with the right moments', () => {
    const rng = new SeededRandom(1);
    const values = Array.from({ length: 20000 }, () => rng.normal());
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const uniforms = Array.from({ length: 1000 }, () => rng.next());
    expect(Math.min(...uniforms)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniforms)).toBeLessThan(1);
  });
});
