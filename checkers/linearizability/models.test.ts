import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckerOptionError, runChecker } from '../../core/checker.js';
import type { Op } from '../../core/op.js';
import { checkers } from '../index.js';
import { checkLinearizableHistory, DEFAULT_RUN_TIME_LIMIT_MS, linearizableOptions } from './adapter.js';
import { checkLinearizability, describeUnknown } from './check.js';
import { hashValue, valueEqual, type Model, type OpInput, type Operation } from './model.js';
import { guessModelName, kvModel, modelByName, registerModel } from './models/index.js';

const op = (f: string, value: unknown, key?: string): OpInput => (key === undefined ? { f, value } : { f, key, value });

describe('register model', () => {
  const m = registerModel();
  it('reads what was written, null when absent or deleted', () => {
    expect(m.init()).toBeNull();
    expect(m.step(null, op('read', null), null)).toEqual([true, null]);
    expect(m.step(null, op('read', null), 3)[0]).toBe(false);
    expect(m.step(null, op('write', 3), 3)).toEqual([true, 3]);
    expect(m.step(3, op('delete', null), undefined)).toEqual([true, null]);
    expect(m.step(3, op('read', null), undefined)).toEqual([true, 3]);
    expect(m.step({ a: [1] }, op('read', null), { a: [1] })[0]).toBe(true);
  });
  it('has no cas, and says so', () => {
    expect(m.validate!(op('cas', [1, 2]), undefined)).toMatch(/no operation "cas"/);
    expect(m.validate!(op('write', 1), undefined)).toBeUndefined();
  });
  it('describes ops and states', () => {
    expect(m.describeOperation(op('read', null, 'k'), 4)).toBe('read[k] -> 4');
    expect(m.describeOperation(op('write', 4), 4)).toBe('write 4');
    expect(m.describeState(null)).toBe('nil');
  });
});

describe('cas-register model', () => {
  const m = modelByName('cas-register', 0);
  it('applies a cas whose compare matches, and an ok with value false is a failed compare', () => {
    expect(m.init()).toBe(0);
    expect(m.step(0, op('cas', [0, 5]), [0, 5])).toEqual([true, 5]);
    expect(m.step(1, op('cas', [0, 5]), [0, 5])[0]).toBe(false);
    expect(m.step(1, op('cas', [0, 5]), false)).toEqual([true, 1]);
    expect(m.step(0, op('cas', [0, 5]), false)[0]).toBe(false);
    expect(m.step(0, op('cas', { expected: 0, new: 2 }), true)).toEqual([true, 2]);
  });
  it('an indeterminate cas applies exactly when its compare matches', () => {
    expect(m.step(0, op('cas', [0, 5]), undefined)).toEqual([true, 5]);
    expect(m.step(1, op('cas', [0, 5]), undefined)).toEqual([true, 1]);
  });
  it('refuses a malformed cas', () => {
    expect(m.validate!(op('cas', 3), undefined)).toMatch(/\[expected, new\]/);
  });
});

describe('kv model', () => {
  const m = kvModel();
  it('get/put/append/delete; an absent key reads as null or ""', () => {
    expect(m.step(null, op('get', null, 'k'), '')[0]).toBe(true);
    expect(m.step(null, op('get', null, 'k'), null)[0]).toBe(true);
    expect(m.step(null, op('append', 'x', 'k'), undefined)).toEqual([true, 'x']);
    expect(m.step('x', op('append', 'y', 'k'), undefined)).toEqual([true, 'xy']);
    expect(m.step('xy', op('get', null, 'k'), 'xy')[0]).toBe(true);
    expect(m.step('xy', op('get', null, 'k'), 'x')[0]).toBe(false);
    expect(m.step('xy', op('put', 'z', 'k'), undefined)).toEqual([true, 'z']);
    expect(m.step('z', op('delete', null, 'k'), undefined)).toEqual([true, null]);
    expect(m.step('', op('get', null, 'k'), null)[0]).toBe(false);
  });
  it('an add (a set element, its own key written once) is a put', () => {
    expect(m.validate!(op('add', 7, 'e7'), undefined)).toBeUndefined();
    expect(m.step(null, op('add', 7, 'e7'), 7)).toEqual([true, 7]);
    expect(m.step(7, op('read', null, 'e7'), null)[0]).toBe(false);
  });
  it('partitions by key', () => {
    const ops = ['a', 'b', 'a', 'c'].map(
      (key, id): Operation => ({ id, client: id, input: op('put', 1, key), output: 1, call: id, ret: id + 0.5, indeterminate: false, invokeIndex: id }),
    );
    expect(m.partition!(ops).map((p) => p.map((o) => o.id))).toEqual([[0, 2], [1], [3]]);
  });
});

describe('model helpers', () => {
  it('guesses the model from the ops', () => {
    expect(guessModelName(['read', 'append'])).toBe('kv');
    expect(guessModelName(['read', 'write', 'cas'])).toBe('cas-register');
    expect(guessModelName(['read', 'write', 'delete'])).toBe('register');
  });
  it('equal values hash alike', () => {
    const json = fc.jsonValue();
    fc.assert(
      fc.property(json, (v) => {
        const copy = JSON.parse(JSON.stringify(v)) as unknown;
        expect(valueEqual(v, copy)).toBe(true);
        expect(hashValue(v)).toBe(hashValue(copy));
      }),
    );
    expect(hashValue({ a: 1, b: 2 })).toBe(hashValue({ b: 2, a: 1 }));
    expect(valueEqual([1, 2], [2, 1])).toBe(false);
  });
});

describe('a model of your own', () => {
  it('is used as given: a counter whose reads must see every increment before them', async () => {
    const counter: Model<number, OpInput, unknown> = {
      name: 'counter',
      init: () => 0,
      step: (s, input, output) =>
        input.f === 'inc' ? [true, s + 1] : [output === undefined || output === s, s],
      equal: (a, b) => a === b,
      hash: (s) => s,
      describeOperation: (input, output) => `${input.f} ${String(output)}`,
      describeState: (s) => String(s),
    };
    const h = (readValue: number): Op[] => [
      { index: 0, time: 0, process: 0, type: 'invoke', f: 'inc', value: null },
      { index: 1, time: 1, process: 0, type: 'ok', f: 'inc', value: null },
      { index: 2, time: 2, process: 1, type: 'invoke', f: 'read', value: null },
      { index: 3, time: 3, process: 1, type: 'ok', f: 'read', value: readValue },
    ];
    expect((await checkLinearizability(h(1), { model: counter })).valid).toBe(true);
    const bad = await checkLinearizability(h(0), { model: counter });
    expect(bad.valid).toBe(false);
    expect(bad.model).toBe('counter');
  });
});

describe('checkLinearizableHistory (the registry adapter)', () => {
  const base: Op[] = [
    { index: 0, time: 0, process: 0, type: 'invoke', f: 'write', key: 'k1', value: 1 },
    { index: 1, time: 1, process: 'monitor', type: 'info', f: 'status', node: 'n1', value: { role: 'leader' } },
    { index: 2, time: 2, process: 0, type: 'ok', f: 'write', key: 'k1', value: 1 },
    { index: 3, time: 3, process: 'nemesis', type: 'invoke', f: 'start-partition', value: null },
    { index: 4, time: 4, process: 1, type: 'invoke', f: 'read', key: 'k1', value: null },
    { index: 5, time: 5, process: 'nemesis', type: 'info', f: 'start-partition', value: null },
    { index: 6, time: 6, process: 2, type: 'invoke', f: 'read', key: 'k2', value: null },
    { index: 7, time: 7, process: 1, type: 'ok', f: 'read', key: 'k1', value: 1 },
    { index: 8, time: 8, process: 2, type: 'ok', f: 'read', key: 'k2', value: null },
    { index: 9, time: 9, process: 3, type: 'invoke', f: 'delete', key: 'k1', value: null },
    { index: 10, time: 10, process: 3, type: 'info', f: 'delete', key: 'k1', value: null },
  ];
  it('passes a register history with nemesis and monitor ops', async () => {
    const r = await checkLinearizableHistory(base, { model: 'register' });
    expect(r).toMatchObject({ checker: 'linearizable', valid: true, anomalies: [] });
    expect(r.details).toMatchObject({ model: 'register', partitions: 2, operations: 4 });
  });
  it('reports a stale read with the history indexes involved and a witness', async () => {
    const stale: Op[] = [
      ...base,
      { index: 11, time: 11, process: 4, type: 'invoke', f: 'write', key: 'k1', value: 2 },
      { index: 12, time: 12, process: 4, type: 'ok', f: 'write', key: 'k1', value: 2 },
      { index: 13, time: 13, process: 5, type: 'invoke', f: 'read', key: 'k1', value: null },
      { index: 14, time: 14, process: 5, type: 'ok', f: 'read', key: 'k1', value: 1 },
    ];
    const r = await checkLinearizableHistory(stale, {});
    expect(r.valid).toBe(false);
    expect(r.anomalies).toHaveLength(1);
    const a = r.anomalies[0]!;
    expect(a).toMatchObject({ kind: 'not-linearizable', key: 'k1' });
    expect(a.ops).toEqual(expect.arrayContaining([13, 14]));
    expect(a.explanation).toContain('read[k1] -> 1');
    expect((r.details!['witness'] as unknown[]).length).toBe(1);
  });
  it('answers "unknown", not a guess, when its time budget runs out, and has a default budget', async () => {
    // many concurrent writes and reads of a value no write wrote: exhaustive and slow
    const hard: Op[] = [];
    const n = 30;
    for (let p = 0; p < n; p++) hard.push({ index: hard.length, time: 0, process: p, type: 'invoke', f: p % 2 ? 'read' : 'write', value: p % 2 ? null : p });
    for (let p = 0; p < n; p++) hard.push({ index: hard.length, time: 0, process: p, type: 'ok', f: p % 2 ? 'read' : 'write', value: p % 2 ? (p === n - 1 ? 999 : p - 1) : p });
    const started = Date.now();
    const r = await checkLinearizableHistory(hard, { model: 'register', timeLimitMs: 50 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.valid).toBe('unknown');
    expect(r.summary).toMatch(/^unknown: 1 of 1 key not decided: the time budget of 50 ms ran out after [\d.]+ s \([\d,]+ search steps, [\d,]+ cache entries\); raise timeLimitMs/);
    expect(r.details).toMatchObject({ unknownPartitions: 1 });
    // a memory budget that runs out first says so, with its numbers
    const small = await checkLinearizability(hard, { model: 'register', limits: { maxCacheEntries: 500, maxCacheBytes: 1 << 20 } });
    expect(small.valid).toBe('unknown');
    expect(small.unknownReason).toBe('memory');
    expect(small.budget).toEqual({ maxCacheEntries: 500, maxCacheBytes: 1 << 20 });
    expect(describeUnknown(small, { time: 'T', memory: 'M' })).toMatch(/^1 of 1 key not decided: the memory budget \(500 cache entries or 1.00 MiB per key\) ran out after [\d,]+ search steps, [\d,]+ cache entries, [\d.]+ MiB; M$/);
    expect(linearizableOptions.safeParse({ memoryLimitMb: 0.125 }).success).toBe(true); // a campaign may set it
    const memory = await checkLinearizableHistory(hard, { model: 'register', memoryLimitMb: 0.125 });
    expect(memory.summary).toMatch(/^unknown: 1 of 1 key not decided: the memory budget \(1,024 cache entries or 0.13 MiB per key\).*raise memoryLimitMb/);
    const seconds = await checkLinearizableHistory(hard, { model: 'register', timeLimit: 0.05 });
    expect(seconds.valid).toBe('unknown');
    expect(DEFAULT_RUN_TIME_LIMIT_MS).toBe(60_000);
  });
  it('answers "unknown" with the reason for a history it cannot check', async () => {
    const r = await checkLinearizableHistory([{ index: 0, time: 0, process: 0, type: 'ok', f: 'read', value: 1 }], {});
    expect(r.valid).toBe('unknown');
    expect(r.anomalies[0]!.explanation).toMatch(/without an invoke/);
  });
  it('reads its options through its schema alone: a bad one is refused by name, in code as at campaign load', async () => {
    await expect(checkLinearizableHistory(base, { model: 'queue' as 'kv' })).rejects.toThrow(CheckerOptionError);
    await expect(checkLinearizableHistory(base, { model: 'queue' as 'kv' })).rejects.toThrow(/model: .*expected register, cas-register, kv or a Model/);
    await expect(checkLinearizableHistory(base, { threads: 0 })).rejects.toThrow(/threads: checker linearizable: .*>=1/);
    await expect(checkLinearizableHistory(base, { threads: 1.5 })).rejects.toThrow(/threads: checker linearizable: .*int/);
    await expect(checkLinearizableHistory(base, { threads: 2000 })).rejects.toThrow(/threads: checker linearizable: .*<=1024/);
    await expect(checkLinearizableHistory(base, { timeLimitMs: -1 })).rejects.toThrow(/timeLimitMs: checker linearizable/);
    // the registry's checker runs it: a run is still judged, "unknown" saying why
    const viaRegistry = await runChecker(checkers['linearizable']!, base, { modle: 'kv' });
    expect(viaRegistry).toMatchObject({ valid: 'unknown', summary: expect.stringMatching(/^checker failed: unknown option "modle" for checker linearizable/) });
    // its result says how many threads searched: one when told so
    const one = await checkLinearizableHistory(base, { model: 'register', threads: 1 });
    expect(one.details).toMatchObject({ threads: 1 });
  });
});
