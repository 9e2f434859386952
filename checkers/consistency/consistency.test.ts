import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryBuilder } from '../common/history-builder.js';
import { checkConsistencyHistory } from './index.js';

const kinds = (r: ReturnType<typeof checkConsistencyHistory>): string[] => r.anomalies.map((a) => a.kind).sort();

describe('consistency checker: set elements (add)', () => {
  it('an add writes its element: reading it is no unexpected value, and absent after the add completed is stale', () => {
    const h = new HistoryBuilder();
    h.call({ process: 1, f: 'add', key: 'e1', value: 1, start: 0, end: 10 });
    h.call({ process: 2, f: 'read', key: 'e1', start: 20, end: 30, result: 1 });
    const r = h.call({ process: 3, f: 'read', key: 'e1', start: 40, end: 50, result: null });
    const res = checkConsistencyHistory(h.build(), { checks: ['stale-read', 'unexpected-value'] });
    expect(kinds(res)).toEqual(['stale-read']);
    expect(res.anomalies[0]!.ops).toContain(r.ops[0]);
  });
});

describe('consistency checker: stale reads', () => {
  it('finds a read of a value overwritten before the read began', () => {
    const h = new HistoryBuilder();
    const w1 = h.call({ process: 1, f: 'write', key: 'x', value: 1, start: 0, end: 10 });
    const w2 = h.call({ process: 1, f: 'write', key: 'x', value: 2, start: 20, end: 30 });
    const r = h.call({ process: 2, f: 'read', key: 'x', start: 40, end: 50, result: 1 });
    const res = checkConsistencyHistory(h.build());
    expect(res.valid).toBe(false);
    expect(kinds(res)).toEqual(['stale-read']);
    const [a] = res.anomalies;
    expect(a?.ops).toEqual([...w1.ops, ...w2.ops, ...r.ops].sort((x, y) => x - y));
    expect(a?.key).toBe('x');
    expect(a?.explanation).toMatch(/process 2 read x .* returned 1, a stale value: .*write x = 2/);
    expect(res.summary).toContain('1 stale-read');
  });

  it('treats a delete as writing null: a value read after a completed delete is stale, and so is null after a later write', () => {
    const h = new HistoryBuilder();
    const w1 = h.call({ process: 1, f: 'write', key: 'x', value: 1, start: 0, end: 10 });
    const d = h.call({ process: 1, f: 'delete', key: 'x', start: 20, end: 30 });
    const r1 = h.call({ process: 2, f: 'read', key: 'x', start: 40, end: 50, result: 1 });
    const w2 = h.call({ process: 1, f: 'write', key: 'x', value: 3, start: 60, end: 70 });
    const r2 = h.call({ process: 3, f: 'read', key: 'x', start: 80, end: 90, result: null });
    const res = checkConsistencyHistory(h.build());
    expect(kinds(res)).toEqual(['stale-read', 'stale-read']);
    expect(res.anomalies[0]?.ops).toEqual([...w1.ops, ...d.ops, ...r1.ops]);
    expect(res.anomalies[1]?.ops).toEqual([...d.ops, ...w2.ops, ...r2.ops]);
    expect(res.anomalies[1]?.explanation).toContain('the initial state or the deletes');
  });

  it('finds null read after a write completed (nothing ever deleted)', () => {
    const h = new HistoryBuilder();
    const w = h.call({ process: 1, f: 'write', key: 'k', value: 7, start: 0, end: 10 });
    const r = h.call({ process: 2, f: 'read', key: 'k', start: 11, end: 12, result: null });
    const res = checkConsistencyHistory(h.build());
    expect(kinds(res)).toEqual(['stale-read']);
    expect(res.anomalies[0]?.ops).toEqual([...w.ops, ...r.ops]);
    expect(res.anomalies[0]?.explanation).toContain('initial (absent) state');
  });

  it('does not flag reads of concurrent writes, or of writes concurrent with the newer write', () => {
    const h = new HistoryBuilder();
    // w1 and w2 overlap: either order is possible, so reading 1 after both is fine.
    h.call({ process: 1, f: 'write', key: 'x', value: 1, start: 0, end: 30 });
    h.call({ process: 2, f: 'write', key: 'x', value: 2, start: 10, end: 20 });
    h.call({ process: 3, f: 'read', key: 'x', start: 40, end: 50, result: 1 });
    h.call({ process: 3, f: 'read', key: 'x', start: 60, end: 70, result: 2 });
    // A read concurrent with a write may return the old value.
    h.call({ process: 1, f: 'write', key: 'y', value: 10, start: 0, end: 5 });
    h.call({ process: 1, f: 'write', key: 'y', value: 11, start: 100, end: 120 });
    h.call({ process: 4, f: 'read', key: 'y', start: 110, end: 130, result: 10 });
    // Keys are independent.
    h.call({ process: 5, f: 'read', key: 'z', start: 200, end: 210, result: null });
    const res = checkConsistencyHistory(h.build());
    expect(res.valid).toBe(true);
    expect(res.anomalies).toEqual([]);
  });

  it('never treats an indeterminate (info) write as older than anything', () => {
    const h = new HistoryBuilder();
    // The info write of 1 may take effect long after its client gave up, after the write of 2.
    h.call({ process: 1, f: 'write', key: 'x', value: 1, start: 0, end: 10, type: 'info', error: 'timeout' });
    h.call({ process: 2, f: 'write', key: 'x', value: 2, start: 20, end: 30 });
    h.call({ process: 3, f: 'read', key: 'x', start: 40, end: 50, result: 1 });
    h.call({ process: 3, f: 'read', key: 'x', start: 60, end: 70, result: 2 });
    h.call({ process: 3, f: 'read', key: 'x', start: 80, end: 90, result: 1 });
    // A pending delete likewise may explain a null.
    h.call({ process: 4, f: 'delete', key: 'x', start: 85 });
    h.call({ process: 5, f: 'read', key: 'x', start: 100, end: 110, result: null });
    const res = checkConsistencyHistory(h.build());
    // Reading 1 then 2 then 1: 2 is not definitely newer than 1 (the info write may land any time).
    expect(res.anomalies).toEqual([]);
    expect(res.valid).toBe(true);
  });

  it('finds a value that was never written, or whose write failed', () => {
    const h = new HistoryBuilder();
    const f = h.call({ process: 1, f: 'write', key: 'x', value: 5, start: 0, end: 10, type: 'fail', error: 'not leader' });
    const r1 = h.call({ process: 2, f: 'read', key: 'x', start: 20, end: 30, result: 5 });
    const r2 = h.call({ process: 2, f: 'read', key: 'x', start: 40, end: 50, result: 99 });
    const res = checkConsistencyHistory(h.build());
    expect(kinds(res)).toEqual(['unexpected-value', 'unexpected-value']);
    expect(res.anomalies[0]?.ops).toEqual([...f.ops, ...r1.ops]);
    expect(res.anomalies[0]?.explanation).toContain('failed');
    expect(res.anomalies[1]?.ops).toEqual(r2.ops);
    expect(res.anomalies[1]?.explanation).toContain('no process ever wrote');
  });
});

describe('consistency checker: divergence', () => {
  it('finds replicas that still disagree after the last write of a key ended', () => {
    const h = new HistoryBuilder();
    // Two overlapping writes: either order is fine, but every replica must pick the same one.
    const w1 = h.call({ process: 1, f: 'write', key: 'x', value: 1, start: 0, end: 30 });
    const w2 = h.call({ process: 2, f: 'write', key: 'x', value: 2, start: 10, end: 20 });
    // Reads from 1 s (the default grace) after the last write ended.
    const r1 = h.call({ process: 3, f: 'read', key: 'x', start: 1040, end: 1050, result: 1, node: 'n1' });
    h.call({ process: 3, f: 'read', key: 'x', start: 1060, end: 1070, result: 1, node: 'n1' });
    const r2 = h.call({ process: 4, f: 'read', key: 'x', start: 1040, end: 1050, result: 2, node: 'n2' });
    const res = checkConsistencyHistory(h.build());
    expect(kinds(res)).toEqual(['divergence']);
    expect(res.anomalies[0]?.ops).toEqual([...w1.ops, ...w2.ops, ...r1.ops, ...r2.ops].sort((a, b) => a - b));
    expect(res.anomalies[0]?.explanation).toMatch(/2 read\(s\) returned 1 from n1 .*1 read\(s\) returned 2 from n2/);
    expect(res.valid).toBe(false);
  });

  it('leaves out values of indeterminate writes, which may land between two reads', () => {
    const h = new HistoryBuilder();
    h.call({ process: 1, f: 'write', key: 'x', value: 1, start: 0, end: 10 });
    h.call({ process: 2, f: 'write', key: 'x', value: 2, start: 20, end: 30, type: 'info' });
    h.call({ process: 3, f: 'read', key: 'x', start: 1040, end: 1050, result: 1 });
    h.call({ process: 4, f: 'read', key: 'x', start: 1060, end: 1070, result: 2 });
    const res = checkConsistencyHistory(h.build());
    expect(res.anomalies).toEqual([]);
  });

  it('gives replication a grace period (divergenceGraceMs, default 1000) after the last write before disagreeing reads count', () => {
    const lagging = (lateRead: { start: number; result: number }): ReturnType<HistoryBuilder['build']> => {
      const h = new HistoryBuilder();
      h.call({ process: 1, f: 'write', key: 'x', value: 1, start: 0, end: 10 });
      h.call({ process: 1, f: 'write', key: 'x', value: 2, start: 20, end: 30 });
      // n2 still returns 1 shortly after the write of 2 was acknowledged: replication lag
      h.call({ process: 3, f: 'read', key: 'x', start: 100, end: 110, result: 1, node: 'n2' });
      h.call({ process: 4, f: 'read', key: 'x', start: 120, end: 130, result: 2, node: 'n1' });
      h.call({ process: 5, f: 'read', key: 'x', start: lateRead.start, end: lateRead.start + 10, result: lateRead.result, node: 'n2' });
      return h.build();
    };
    const opts = { checks: ['divergence' as const] };
    // inside the default grace: lag, not divergence
    const converged = checkConsistencyHistory(lagging({ start: 2000, result: 2 }), opts);
    expect(converged.valid).toBe(true);
    expect(converged.details).toMatchObject({ divergence: 0, divergenceGraceMs: 1000 });
    // without a grace the lagging read counts
    const strict = checkConsistencyHistory(lagging({ start: 2000, result: 2 }), { ...opts, divergenceGraceMs: 0 });
    expect(kinds(strict)).toEqual(['divergence']);
    // after the grace, a node still returning the old value next to a read of the new one is divergence
    const diverged = checkConsistencyHistory(
      (() => {
        const h = new HistoryBuilder();
        h.call({ process: 1, f: 'write', key: 'x', value: 1, start: 0, end: 10 });
        h.call({ process: 1, f: 'write', key: 'x', value: 2, start: 20, end: 30 });
        h.call({ process: 3, f: 'read', key: 'x', start: 1030, end: 1040, result: 1, node: 'n2' });
        h.call({ process: 4, f: 'read', key: 'x', start: 1050, end: 1060, result: 2, node: 'n1' });
        return h.build();
      })(),
      opts,
    );
    expect(kinds(diverged)).toEqual(['divergence']);
    expect(diverged.anomalies[0]?.explanation).toMatch(/begun 1000 ms or more later still disagree/);
    // a shorter grace moves the boundary: 1 then 2 at 100 ms and 120 ms count with 50 ms
    expect(kinds(checkConsistencyHistory(lagging({ start: 2000, result: 2 }), { ...opts, divergenceGraceMs: 50 }))).toEqual(['divergence']);
    expect(checkConsistencyHistory(lagging({ start: 2000, result: 2 }), { ...opts, divergenceGraceMs: 80 }).valid).toBe(true);
    expect(() => checkConsistencyHistory([], { divergenceGraceMs: -1 })).toThrow(/^divergenceGraceMs: checker consistency: .*>=0/);
  });
});

describe('consistency checker: session guarantees', () => {
  it('finds read-your-writes: a process reads an older value after its own acknowledged write', () => {
    const h = new HistoryBuilder();
    const w1 = h.call({ process: 1, f: 'write', key: 'x', value: 1, start: 0, end: 10 });
    const w2 = h.call({ process: 2, f: 'write', key: 'x', value: 2, start: 20, end: 30 });
    const r = h.call({ process: 2, f: 'read', key: 'x', start: 31, end: 40, result: 1 });
    const res = checkConsistencyHistory(h.build(), { checks: ['read-your-writes'] });
    expect(kinds(res)).toEqual(['read-your-writes']);
    expect(res.anomalies[0]?.ops).toEqual([...w1.ops, ...w2.ops, ...r.ops]);
    expect(res.anomalies[0]?.explanation).toContain('Process 2 wrote then read x, and did not see its own write');
    expect(res.details).toMatchObject({ 'stale-read': 1, ignored: { 'stale-read': 1 } });
  });

  it('does not flag read-your-writes when another process wrote concurrently', () => {
    const h = new HistoryBuilder();
    h.call({ process: 1, f: 'write', key: 'x', value: 1, start: 15, end: 40 });
    h.call({ process: 2, f: 'write', key: 'x', value: 2, start: 20, end: 30 });
    h.call({ process: 2, f: 'read', key: 'x', start: 31, end: 45, result: 1 });
    expect(checkConsistencyHistory(h.build()).valid).toBe(true);
  });

  it('finds monotonic-reads: a process reads a newer value, then an older one', () => {
    const h = new HistoryBuilder();
    const w1 = h.call({ process: 1, f: 'write', key: 'x', value: 1, start: 0, end: 10 });
    const w2 = h.call({ process: 1, f: 'write', key: 'x', value: 2, start: 20, end: 30 });
    // Process 3 starts reading while w2 is in flight, so its second read is not stale in real time.
    const r1 = h.call({ process: 3, f: 'read', key: 'x', start: 21, end: 22, result: 2 });
    const r2 = h.call({ process: 3, f: 'read', key: 'x', start: 23, end: 24, result: 1 });
    const res = checkConsistencyHistory(h.build());
    expect(kinds(res)).toEqual(['monotonic-reads']);
    expect(res.anomalies[0]?.ops).toEqual([...w1.ops, ...w2.ops, ...r1.ops, ...r2.ops].sort((a, b) => a - b));
    expect(res.anomalies[0]?.explanation).toMatch(/Process 3 read x = 2 .* then an older value 1/);
  });

  it('checks sessions per process: two processes may see different orders of concurrent writes', () => {
    const h = new HistoryBuilder();
    h.call({ process: 1, f: 'write', key: 'x', value: 1, start: 0, end: 50 });
    h.call({ process: 2, f: 'write', key: 'x', value: 2, start: 0, end: 50 });
    h.call({ process: 3, f: 'read', key: 'x', start: 10, end: 11, result: 1 });
    h.call({ process: 4, f: 'read', key: 'x', start: 12, end: 13, result: 2 });
    h.call({ process: 3, f: 'read', key: 'x', start: 14, end: 15, result: 2 });
    expect(checkConsistencyHistory(h.build()).valid).toBe(true);
  });

  it('refuses an unknown check name', () => {
    expect(() => checkConsistencyHistory([], { checks: ['stale'] } as never)).toThrow(/checks\.0: checker consistency: "stale" is not allowed; valid choices: stale-read, read-your-writes, monotonic-reads, unexpected-value, divergence/);
  });
});

/**
 * Histories of a correct (linearizable) register: every op that takes effect has a point in time
 * inside its interval (or, for info ops, any time after its invoke); reads return the value at
 * their point. Processes are sequential; a process is retired after an info op.
 */
const linearizableHistory = fc
  .array(
    fc.record({
      f: fc.constantFrom('read', 'read', 'write', 'delete'),
      key: fc.constantFrom('a', 'b'),
      process: fc.integer({ min: 1, max: 4 }),
      before: fc.integer({ min: 0, max: 45 }),
      after: fc.integer({ min: 0, max: 25 }),
      outcome: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'fail', 'info', 'info-lost'),
    }),
    { maxLength: 60 },
  )
  .map((steps) => {
    const h = new HistoryBuilder();
    const state = new Map<string, number | null>();
    const busyUntil = new Map<number, number>();
    let fresh = 100;
    let value = 0;
    steps.forEach((s, i) => {
      const point = 10 * (i + 1);
      let process = s.process;
      if ((busyUntil.get(process) ?? -1) >= point - s.before) process = fresh++;
      const start = point - s.before;
      if (s.f === 'read') {
        if (s.outcome !== 'ok') return;
        const end = point + s.after;
        h.call({ process, f: 'read', key: s.key, start, end, result: state.get(s.key) ?? null });
        busyUntil.set(process, end);
        return;
      }
      const written = s.f === 'write' ? ++value : null;
      const call = { process, f: s.f, key: s.key, ...(s.f === 'write' ? { value: written } : {}), start };
      if (s.outcome === 'fail') {
        h.call({ ...call, end: point + s.after, type: 'fail' });
        busyUntil.set(process, point + s.after);
        return;
      }
      if (s.outcome === 'info-lost') {
        // The client gave up (maybe before the point); the write never happened.
        h.call({ ...call, end: start + s.after, type: 'info' });
        busyUntil.set(process, Infinity);
        return;
      }
      state.set(s.key, written);
      if (s.outcome === 'info') {
        h.call({ ...call, end: start + (s.after % 5), type: 'info' }); // may end long before it took effect
        busyUntil.set(process, Infinity);
      } else {
        h.call({ ...call, end: point + s.after });
        busyUntil.set(process, point + s.after);
      }
    });
    return h.build();
  });

describe('consistency checker: properties', () => {
  it('finds nothing in histories of a linearizable register (concurrent, failed and info ops included)', () => {
    fc.assert(
      fc.property(linearizableHistory, (history) => {
        const res = checkConsistencyHistory(history);
        expect(res.anomalies).toEqual([]);
        expect(res.valid).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('finds a stale read whenever a read returns the value before a completed overwrite', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 20 }), (gap, overlap) => {
        const h = new HistoryBuilder();
        const w1 = h.call({ process: 1, f: 'write', key: 'x', value: 1, start: 0, end: 10 });
        const w2 = h.call({ process: 2, f: 'write', key: 'x', value: 2, start: 10 + gap, end: 20 + gap });
        h.call({ process: 3, f: 'read', key: 'x', start: 21 + gap, end: 21 + gap + overlap, result: 1 });
        const res = checkConsistencyHistory(h.build());
        expect(res.anomalies.map((a) => a.kind)).toEqual(['stale-read']);
        expect(res.anomalies[0]?.ops).toEqual(expect.arrayContaining([...w1.ops, ...w2.ops]));
      }),
      { numRuns: 50 },
    );
  });
});
