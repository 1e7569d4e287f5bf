import { EmbeddingCache } from './embedding-cache';

describe('EmbeddingCache', () => {
  const tokens = (n: number, value = 1): Float32Array => new Float32Array(n).fill(value);

  it('keys by model version, modality and tensor digest', () => {
    const cache = new EmbeddingCache(1024);
    cache.set(EmbeddingCache.key('m@1', 'image', 'aa'), tokens(4, 1));
    expect(cache.get(EmbeddingCache.key('m@1', 'image', 'aa'))).toEqual(tokens(4, 1));
    expect(cache.get(EmbeddingCache.key('m@2', 'image', 'aa'))).toBeUndefined();
    expect(cache.get(EmbeddingCache.key('m@1', 'text', 'aa'))).toBeUndefined();
    expect(cache.get(EmbeddingCache.key('m@1', 'image', 'ab'))).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 3, entries: 1, bytes: 16 });
  });

  it('stays within its byte bound, evicting the least recently used entry first', () => {
    const cache = new EmbeddingCache(3 * 16);
    cache.set('a', tokens(4));
    cache.set('b', tokens(4));
    cache.set('c', tokens(4));
    cache.get('a'); // a is now the most recently used
    cache.set('d', tokens(4));
    expect(cache.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((k) => cache.get(k) !== undefined)).toEqual([true, true, true]);
    expect(cache.stats().bytes).toBe(48);
    cache.set('big', tokens(8)); // 32 bytes: two entries must go
    expect(cache.stats().bytes).toBeLessThanOrEqual(48);
    expect(cache.get('big')).toBeDefined();
  });

  it('never stores an entry larger than the bound; 0 bytes is off', () => {
    const cache = new EmbeddingCache(8);
    cache.set('x', tokens(4));
    expect(cache.get('x')).toBeUndefined();
    expect(new EmbeddingCache(0).enabled).toBe(false);
  });
});
