import { describe, expect, it } from 'vitest';
import { checkOperations } from './check.js';
import { observedTimedOutAppends } from './differential/generate.js';
import { modelByName } from './models/index.js';
import { toOperations } from './operations.js';
import { Scratch, scratch } from './scratch.js';

describe('Scratch', () => {
  it('cuts zeroed arrays that do not overlap, gives them back in LIFO order, and reuses their place zeroed', () => {
    const s = new Scratch(1024);
    const start = s.mark();
    const a = s.int32(5);
    const b = s.uint8(3);
    const c = s.float64(2);
    a.fill(7);
    b.fill(9);
    c.fill(1.5);
    expect([...a]).toEqual([7, 7, 7, 7, 7]);
    expect([...b]).toEqual([9, 9, 9]);
    expect([...c]).toEqual([1.5, 1.5]);
    expect(s.mark()).toBe(start + 24 + 8 + 16); // each cut rounded up to 8 bytes
    s.release(start);
    const again = s.int32(5);
    expect(again.buffer).toBe(a.buffer);
    expect(again.byteOffset).toBe(a.byteOffset);
    expect([...again]).toEqual([0, 0, 0, 0, 0]); // what the last user left is gone
    const u = s.uint32(2);
    expect(u.byteOffset).toBe(24);
    expect([...u]).toEqual([0, 0]);
  });

  it('a cut that does not fit is a fresh array, and takes nothing from the buffer', () => {
    const s = new Scratch(64);
    const small = s.int32(8); // 32 bytes
    const big = s.int32(100);
    expect(big.length).toBe(100);
    expect(big.buffer).not.toBe(small.buffer);
    expect(s.mark()).toBe(32);
    expect(s.int32(8).buffer).toBe(small.buffer); // the rest still fits
    expect(s.uint8(1).buffer).not.toBe(small.buffer);
  });

  it('grows, up to its most, once everything is given back after a cut did not fit', () => {
    const s = new Scratch(64, 1024);
    const small = s.int32(8);
    expect(s.int32(100).buffer).not.toBe(small.buffer); // 432 bytes wanted in all
    s.release(32);
    expect(s.int32(100).buffer).not.toBe(small.buffer); // not yet: a cut is still out
    s.release(0);
    const a = s.int32(8);
    const b = s.int32(100);
    expect(b.buffer).toBe(a.buffer); // 512 bytes now
    expect(b.buffer.byteLength).toBe(512);
    s.release(0);
    s.int32(1000);
    s.release(0);
    expect(s.int32(8).buffer.byteLength).toBe(1024); // no more than its most
    // a cut past 2^30 bytes (a fresh array) grows the buffer to its most, not to an overflowed size
    const t = new Scratch(64, 1024);
    t.uint8(2 ** 30 + 8);
    t.release(0);
    expect(t.int32(8).buffer.byteLength).toBe(1024);
  });

  it('a check gives back everything its searches cut, and checks the same again', () => {
    const model = modelByName('kv', null);
    const ops = toOperations(observedTimedOutAppends(6));
    const before = scratch.mark();
    const first = checkOperations(model, ops);
    expect(scratch.mark()).toBe(before);
    const second = checkOperations(model, ops);
    expect(scratch.mark()).toBe(before);
    expect(second.valid).toBe(true);
    expect(second.steps).toBe(first.steps);
    expect(second.cacheEntries).toBe(first.cacheEntries);
  });

  it('a search that throws still gives back what it cut', () => {
    const kv = modelByName('kv', null);
    const model = { ...kv, step: () => { throw new Error('model bug'); } };
    const before = scratch.mark();
    expect(() => checkOperations(model, toOperations(observedTimedOutAppends(2)))).toThrow('model bug');
    expect(scratch.mark()).toBe(before);
  });
});
