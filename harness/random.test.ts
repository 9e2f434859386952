import { describe, expect, it } from 'vitest';
import { Random } from '../core/random.js';

describe('Random', () => {
  it('replays the same sequence from the same seed, and another from another seed', () => {
    const draw = (seed: number) => {
      const r = new Random(seed);
      return Array.from({ length: 20 }, () => r.nextU32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('keeps int, between and float in range and covers every value', () => {
    const r = new Random(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const n = r.int(5);
      expect(n).toBeGreaterThanOrEqual(0);
      expect(n).toBeLessThan(5);
      seen.add(n);
      const b = r.between(3, 4);
      expect([3, 4]).toContain(b);
      const f = r.float();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
    }
    expect(seen.size).toBe(5);
  });

  it('forks streams that do not depend on draws from the parent', () => {
    const a = new Random(9);
    const b = new Random(9);
    b.nextU32();
    b.nextU32();
    expect(a.fork('nemesis').nextU32()).toBe(b.fork('nemesis').nextU32());
    expect(a.fork('nemesis').nextU32()).not.toBe(a.fork('clients').nextU32());
  });

  it('picks by weight roughly in proportion', () => {
    const r = new Random(1);
    let reads = 0;
    for (let i = 0; i < 3000; i++) if (r.weighted({ read: 2, write: 1 }) === 'read') reads++;
    expect(reads / 3000).toBeGreaterThan(0.6);
    expect(reads / 3000).toBeLessThan(0.73);
  });

  it('shuffles into a permutation', () => {
    const r = new Random(3);
    const out = r.shuffle([1, 2, 3, 4, 5, 6]);
    expect([...out].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => r.pick([])).toThrow();
  });
});
