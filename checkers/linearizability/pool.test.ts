import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../core/op.js';
import { Random } from '../../core/random.js';
import { generateHistory } from './differential/generate.js';
import * as source from './index.js';
import { modelByName } from './models/index.js';
import { toOperations } from './operations.js';
import { controlWords, DECIDED, HEADER, HELPED, NEXT, OWNER_DONE, SEARCHED, searchShare, type PoolJob, type PoolMessage, type Role } from './pool.js';
import { DEFAULT_LIMITS, searchPartition, type SearchOutcome } from './search.js';

/** A register history over `keys` keys: on each, `writers` concurrent writes and then a read of
 *  `read` (a value written: linearizable; another: an exhaustive search of 2^writers subsets). */
function concurrentWrites(keys: number, writers: number, read: (key: number) => number): Op[] {
  const ops: Omit<Op, 'index' | 'time'>[] = [];
  for (let k = 0; k < keys; k++) {
    const key = `k${k}`;
    const base = k * 100;
    for (let p = 0; p < writers; p++) ops.push({ process: base + p, type: 'invoke', f: 'write', key, value: p });
    for (let p = 0; p < writers; p++) ops.push({ process: base + p, type: 'ok', f: 'write', key, value: p });
    ops.push({ process: base + writers, type: 'invoke', f: 'read', key, value: null });
    ops.push({ process: base + writers, type: 'ok', f: 'read', key, value: read(k) });
  }
  return ops.map((o, index) => ({ ...o, index, time: index }) as Op);
}

/** One kv key, 60 ops, 6 clients, timed-out appends (seed 27: both orders take 10-20 thousand steps). */
const kv60 = (seed: number): Op[] =>
  generateHistory(new Random(seed), { model: 'kv', ops: 60, clients: 6, keys: 1, infoRate: 0.6, infoFs: ['append'], appendShare: 0.5, failRate: 0.05 }).history;

const kv = modelByName('kv', null);
const register = modelByName('register', null);
const control = controlWords;
type Reported = { part: number; role: Role; outcome: SearchOutcome<unknown> };

describe('the pool protocol (searchShare, on this thread)', () => {
  const ops = kv.reduce!(toOperations(kv60(27)));
  const alone = (only: 'definite-first' | 'call-order'): SearchOutcome<unknown> => searchPartition(kv, ops, Infinity, DEFAULT_LIMITS, undefined, only);

  it('a thread with nothing left to claim helps a partition owned elsewhere: call order alone, and marks it decided', () => {
    const c = control(1);
    Atomics.store(c, NEXT, 1); // partition 0 is claimed by another thread, still searching
    const got: Reported[] = [];
    searchShare(kv, [ops], [0], c, Infinity, DEFAULT_LIMITS, (part, role, outcome) => got.push({ part, role, outcome }), 1);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ part: 0, role: 'helper', outcome: { result: 'linearizable', steps: alone('call-order').steps } });
    expect(Atomics.load(c, HEADER) & (DECIDED | HELPED)).toBe(DECIDED | HELPED);
    expect(Atomics.load(c, SEARCHED)).toBe(1);
  });

  it('an owner whose partition a helper searches drops call order; one whose partition is decided elsewhere stops', () => {
    const helped = control(1);
    Atomics.store(helped, HEADER, HELPED);
    const got: Reported[] = [];
    searchShare(kv, [ops], [0], helped, Infinity, DEFAULT_LIMITS, (part, role, outcome) => got.push({ part, role, outcome }), 1);
    expect(got[0]).toMatchObject({ role: 'owner', outcome: { result: 'linearizable', steps: alone('definite-first').steps } });
    expect(Atomics.load(helped, HEADER) & OWNER_DONE).toBe(OWNER_DONE);
    const decided = control(1);
    Atomics.store(decided, HEADER, DECIDED);
    got.length = 0;
    searchShare(kv, [ops], [0], decided, Infinity, DEFAULT_LIMITS, (part, role, outcome) => got.push({ part, role, outcome }), 1);
    expect(got[0]).toMatchObject({ role: 'owner', outcome: { result: 'abandoned', steps: 0 } });
  });

  it('nothing to help with: a partition without timed-out ops, or one its owner finished', () => {
    const reg = toOperations(concurrentWrites(1, 4, () => 99));
    for (const [parts, flags] of [[[reg], 0], [[ops], OWNER_DONE]] as const) {
      const c = control(1);
      Atomics.store(c, NEXT, 1);
      Atomics.store(c, HEADER, flags);
      const got: Reported[] = [];
      searchShare(parts[0] === reg ? register : kv, [...parts], [0], c, Infinity, DEFAULT_LIMITS, (part, role, outcome) => got.push({ part, role, outcome }), 1);
      expect(got).toEqual([]);
      expect(Atomics.load(c, SEARCHED)).toBe(0);
    }
  });
});

const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/checkers/linearizability');
const compiled = existsSync(join(DIST, 'worker.js'));

describe('the worker pool (threads)', () => {
  it('stays on this thread with threads: 1, and falls back to it when no worker can start (here: TypeScript sources)', async () => {
    const h = concurrentWrites(3, 8, (k) => (k === 1 ? 99 : 3));
    const one = await source.checkLinearizability(h, { model: 'register', threads: 1, workersAfterMs: 0 });
    const fallback = await source.checkLinearizability(h, { model: 'register', threads: 4, workersAfterMs: 0 });
    expect(one).toMatchObject({ valid: false, partitions: 3, threads: 1 });
    expect(fallback).toMatchObject({ valid: false, partitions: 3, threads: 1 });
    expect(fallback.failures).toEqual(one.failures);
    await expect(source.checkLinearizability(h, { model: 'register', threads: 0 })).rejects.toThrow(/threads must be a whole number from 1 to 1024, got 0/);
  });

  it('a check decided before workersAfterMs never makes the control words (no pool); one still searching then does', async () => {
    const h = concurrentWrites(3, 8, (k) => (k === 1 ? 99 : 3));
    const Real = globalThis.SharedArrayBuffer;
    let made = 0;
    globalThis.SharedArrayBuffer = class extends Real {
      constructor(length?: number) {
        super(length);
        made++;
      }
    } as SharedArrayBufferConstructor;
    try {
      const alone = await source.checkLinearizability(h, { model: 'register', threads: 4, workersAfterMs: 60_000 });
      expect(alone).toMatchObject({ valid: false, partitions: 3, threads: 1 });
      expect(made).toBe(0);
      const pooled = await source.checkLinearizability(h, { model: 'register', threads: 4, workersAfterMs: 0 });
      expect(made).toBe(1); // the workers cannot start from TypeScript sources: the check ends on this thread
      expect(pooled.failures).toEqual(alone.failures);
    } finally {
      globalThis.SharedArrayBuffer = Real;
    }
  });

  it.skipIf(!compiled)('a worker (compiled dist/) claims and searches partitions and posts the same outcomes as this thread', async () => {
    const parts = register.partition!(toOperations(concurrentWrites(3, 6, (k) => (k === 1 ? 99 : 3))));
    const c = control(parts.length);
    const job: PoolJob = { name: 'register', initial: null, parts, order: [0, 1, 2], control: c.buffer as SharedArrayBuffer, deadline: Infinity, limits: DEFAULT_LIMITS, thread: 1 };
    const worker = new Worker(pathToFileURL(join(DIST, 'worker.js')), { workerData: job });
    const got: Reported[] = [];
    await new Promise<void>((done, fail) => {
      worker.on('message', (m: PoolMessage) => ('done' in m ? done() : got.push(m)));
      worker.once('error', fail);
    });
    await worker.terminate();
    expect(got.map((g) => [g.part, g.role, g.outcome.result])).toEqual([
      [0, 'owner', 'linearizable'],
      [1, 'owner', 'not-linearizable'],
      [2, 'owner', 'linearizable'],
    ]);
    got.forEach((g) => expect(g.outcome).toEqual(searchPartition(register, parts[g.part]!)));
    expect(Atomics.load(c, SEARCHED)).toBe(1);
  });

  it.skipIf(!compiled)('checks with workers give the verdicts and witnesses of one thread (compiled dist/)', async () => {
    const lib = (await import(pathToFileURL(join(DIST, 'index.js')).href)) as typeof source;
    const histories: [string, Op[]][] = [
      ['register', concurrentWrites(4, 10, () => 5)],
      ['register', concurrentWrites(4, 10, (k) => (k === 2 ? 99 : 5))],
      ['kv', kv60(27)],
      ['kv', kv60(27).map((o, i, all) => (o === all.findLast((x) => x.type === 'ok' && x.f === 'get') ? { ...o, value: 'never appended' } : o))],
    ];
    for (const [model, h] of histories) {
      const one = await lib.checkLinearizability(h, { model: model as 'kv', threads: 1 });
      const pooled = await lib.checkLinearizability(h, { model: model as 'kv', threads: 3, workersAfterMs: 0 });
      expect(pooled.valid).toBe(one.valid);
      expect(one.threads).toBe(1);
      expect(pooled.threads).toBeGreaterThanOrEqual(1);
      // a key without timed-out ops is searched in one order by one thread: the same witness
      if (model === 'register') expect(pooled.failures).toEqual(one.failures);
    }
  });
});

describe('a worker that dies in the middle of a search (compiled dist/)', () => {
  /** One register key: `n` concurrent writes and reads, the last read of 999, a value none
   *  wrote (not linearizable, found after about 2^(n/2) subsets of the writes: n = 26 a few
   *  hundred ms, 32 about a second, 38 tens of millions of cache entries), or, with `reads`, 16
   *  concurrent writes and `reads` concurrent reads of 999 (every subset of the writes, every read
   *  tried at each: slow, in a small cache); then sequential writes and reads up to `size` ops,
   *  so that every key has the same size (the pool claims the biggest first, equal sizes in key
   *  order). */
  function key(name: string, size: number, n: number, reads = 0): Op[] {
    const h: Omit<Op, 'index' | 'time'>[] = [];
    const base = 10_000 * (name.charCodeAt(0) - 96);
    const calls = reads ? [...Array<string>(16).fill('write'), ...Array<string>(reads).fill('read')] : Array.from({ length: n }, (_, p) => (p % 2 ? 'read' : 'write'));
    const value = (p: number): number => (calls[p] === 'write' ? p : reads || p === n - 1 ? 999 : p - 1);
    calls.forEach((f, p) => h.push({ process: base + p, type: 'invoke', f, key: name, value: f === 'write' ? p : null }));
    calls.forEach((f, p) => h.push({ process: base + p, type: 'ok', f, key: name, value: value(p) }));
    for (let i = 0; h.length < 2 * size; i++) {
      const f = i % 2 ? 'read' : 'write';
      h.push({ process: base + 9999, type: 'invoke', f, key: name, value: f === 'read' ? null : 1000 + i }, { process: base + 9999, type: 'ok', f, key: name, value: 1000 + i - (i % 2) });
    }
    return h as Op[];
  }
  const indexed = (ops: Op[]): Op[] => ops.map((o, index) => ({ ...o, index, time: index }));

  it.skipIf(!compiled)('a crashed worker hands its key back: this thread searches it as soon as it is free, before the busy worker ends', async () => {
    const pool = (await import(pathToFileURL(join(DIST, 'pool.js')).href)) as typeof import('./pool.js');
    // key 0 (this thread): a second or more (time for the workers to start); key 1: a search of a
    // few hundred ms, whose worker crashes in it; key 2: runs until the time budget in the other worker
    const ops = toOperations(indexed([...key('a', 2016, 32), ...key('b', 2016, 26), ...key('c', 2016, 0, 2000)]));
    const parts = register.partition!(ops);
    expect(parts.map((p) => p.length)).toEqual([2016, 2016, 2016]);
    const deadline = performance.now() + 15_000;
    const { outcomes, threads, deaths } = await pool.searchWithPool(register, parts, { name: 'register', initial: null }, deadline, DEFAULT_LIMITS, { threads: 3, workersAfterMs: 0, crashInPart: 1 });
    expect(threads).toBe(3);
    expect(deaths).toEqual([expect.stringMatching(/^worker [12]: worker [12] crashed on purpose searching partition 1 \(test hook\)$/)]);
    // the old pool searched key 1 again only after every worker ended: past the deadline, "timeout"
    expect(outcomes.map((o) => o.result)).toEqual(['not-linearizable', 'not-linearizable', 'timeout']);
  });

  it.skipIf(!compiled)('a worker out of its heap (ERR_WORKER_OUT_OF_MEMORY) leaves its key undecided for lack of memory, with the heap size; the rest is decided', async () => {
    const lib = (await import(pathToFileURL(join(DIST, 'index.js')).href)) as typeof source;
    // key a (this thread): about a second (time for the worker to start), not linearizable; key
    // b: exhaustive, its cache outgrows a 16 MiB heap
    const h = indexed([...key('a', 40, 32), ...key('b', 40, 38)]);
    const r = await lib.checkLinearizability(h, { model: 'register', threads: 2, workersAfterMs: 0, timeLimitMs: 20_000, workerResourceLimits: { maxOldGenerationSizeMb: 16 } });
    expect(r).toMatchObject({ valid: false, unknownPartitions: 1, unknownReason: 'memory', outOfHeap: { partitions: 1, heapLimitBytes: 16 * 1024 * 1024 }, threads: 2 });
    expect(lib.describeUnknown(r, { time: 'T', memory: 'M' })).toBe(
      '1 of 2 keys not decided: a worker thread ran out of its JavaScript heap (16 MiB) before the memory budget (4,194,304 cache entries or 512 MiB per key) did; a smaller memory budget stops such a search first',
    );
    expect(r.elapsedMs).toBeLessThan(20_000); // not a time-out: the old pool searched key b again here until the time budget ran out
  });
});
