import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../core/op.js';
import { checkLinearizability, checkOperations } from './check.js';
import { bruteForceLinearizable } from './differential/brute-force.js';
import { modelByName } from './models/index.js';
import { toOperations } from './operations.js';

/** Random concurrent histories of a cas register: invoke/complete events of one op per process. */
const randomHistory = (fs: string[], types = ['ok', 'ok', 'ok', 'info', 'fail', 'none'], outs: unknown[] = [0, 1, 2, null, false, true]) => fc
  .array(
    fc.record({
      f: fc.constantFrom(...fs),
      a: fc.integer({ min: 0, max: 2 }),
      b: fc.integer({ min: 0, max: 2 }),
      out: fc.constantFrom<unknown>(...outs),
      type: fc.constantFrom(...types),
      start: fc.integer({ min: 0, max: 30 }),
      len: fc.integer({ min: 0, max: 12 }),
    }),
    { minLength: 1, maxLength: Number(process.env['FAULTLINE_PROPERTY_OPS'] ?? 7) },
  )
  .map((specs) => {
    const events: { t: number; op: Op }[] = [];
    specs.forEach((s, p) => {
      const value = s.f === 'read' || s.f === 'delete' ? null : s.f === 'write' ? s.a : s.f === 'append' ? String(s.a) : [s.a, s.b];
      events.push({ t: s.start * 2, op: { index: 0, time: 0, process: p, type: 'invoke', f: s.f, value } });
      if (s.type === 'none') return;
      const out = s.f === 'read' ? s.out : s.f === 'cas' ? (s.out === false ? false : value) : value;
      events.push({ t: (s.start + s.len) * 2 + 1, op: { index: 0, time: 0, process: p, type: s.type as Op['type'], f: s.f, value: out } });
    });
    events.sort((x, y) => x.t - y.t);
    return events.map((e, i) => ({ ...e.op, index: i, time: e.t }));
  });

describe('search', () => {
  it.each([
    ['cas-register', ['read', 'write', 'cas'], undefined],
    ['register', ['read', 'write', 'delete'], undefined],
    ['cas-register', ['read', 'write', 'cas'], ['ok', 'ok', 'info', 'info', 'none']],
    // kv drops indeterminate gets, and puts and deletes no get saw, unless the key has appends
    ['kv', ['read', 'write', 'delete'], ['ok', 'ok', 'info', 'info', 'none']],
    ['kv', ['read', 'write', 'append', 'delete'], ['ok', 'ok', 'info', 'info', 'none'], [0, 1, '', '0', '1', '01', '10', '11', '2', null]],
  ] as const)('agrees with brute force on random small %s histories (with info, fail, missing completions) %#', (name, fs, types, outs?: readonly unknown[]) => {
    const model = modelByName(name, name === 'kv' ? null : 0);
    let valid = 0;
    let invalid = 0;
    fc.assert(
      fc.property(randomHistory([...fs], types ? [...types] : undefined, outs ? [...outs] : undefined), (history) => {
        const ops = toOperations(history);
        const expected = bruteForceLinearizable(name, history, name === 'kv' ? null : 0);
        const got = checkOperations(model, ops).valid;
        // operations handed over in any order give the same verdict
        const reversed = checkOperations(model, ops.slice().reverse());
        expect(reversed.valid).toBe(got);
        if (expected) valid++;
        else invalid++;
        expect(got).toBe(expected);
      }),
      { numRuns: Number(process.env['FAULTLINE_PROPERTY_RUNS'] ?? 3000) },
    );
    // the generator must exercise both verdicts, or this test proves little
    expect(valid).toBeGreaterThan(300);
    expect(invalid).toBeGreaterThan(300);
  });

  /** Runs `n` random register ops sequentially, then stretches each over a random window around
   *  its linearization point; some completions become info, some invokes never complete. */
  const sequentialHistory = fc
    .record({
      steps: fc.array(
        fc.record({
          f: fc.constantFrom('read', 'read', 'write', 'cas', 'delete'),
          key: fc.constantFrom('a', 'b', 'c'),
          expect: fc.integer({ min: 0, max: 3 }),
          before: fc.integer({ min: 0, max: 20 }),
          after: fc.integer({ min: 0, max: 20 }),
          completion: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'info', 'none'),
        }),
        { minLength: 1, maxLength: 60 },
      ),
    })
    .map(({ steps }) => {
      const state = new Map<string, number | null>();
      const events: { t: number; op: Op }[] = [];
      let nextValue = 1;
      steps.forEach((s, i) => {
        const t = i * 10 + 5; // linearization point
        const cur = state.get(s.key) ?? null;
        let inValue: unknown = null;
        let outValue: unknown = null;
        if (s.f === 'read') outValue = cur;
        else if (s.f === 'write') {
          inValue = nextValue++;
          outValue = inValue;
          state.set(s.key, inValue as number);
        } else if (s.f === 'delete') state.set(s.key, null);
        else {
          const expected = s.expect === 0 ? cur : s.expect;
          const nv = nextValue++;
          inValue = [expected, nv];
          if (cur === expected) {
            state.set(s.key, nv);
            outValue = inValue;
          } else outValue = false;
        }
        const process = i;
        events.push({ t: t - 1 - s.before * 10, op: { index: 0, time: 0, process, type: 'invoke', f: s.f, key: s.key, value: inValue } });
        if (s.completion !== 'none') {
          events.push({
            t: t + 1 + s.after * 10,
            op: { index: 0, time: 0, process, type: s.completion as Op['type'], f: s.f, key: s.key, value: outValue },
          });
        }
      });
      events.sort((x, y) => x.t - y.t);
      return events.map((e, i) => ({ ...e.op, index: i, time: e.t }));
    });

  it('a history made by running the model sequentially and stretching ops over windows is linearizable', async () => {
    await fc.assert(
      fc.asyncProperty(sequentialHistory, async (history) => {
        const r = await checkLinearizability(history, { model: 'cas-register' });
        // (a history whose every op timed out has nothing to judge)
        expect(r.valid).toBe(history.some((o) => o.type === 'ok') ? true : 'unknown');
      }),
      { numRuns: 300 },
    );
  });

  it('the same history with one ok read changed to a value never written is not linearizable', async () => {
    await fc.assert(
      fc.asyncProperty(sequentialHistory, fc.nat(), async (history, pick) => {
        const reads = history.filter((o) => o.type === 'ok' && o.f === 'read');
        fc.pre(reads.length > 0);
        const target = reads[pick % reads.length]!;
        const changed = history.map((o) => (o === target ? { ...o, value: -7 } : o));
        const r = await checkLinearizability(changed, { model: 'cas-register' });
        expect(r.valid).toBe(false);
        expect(r.failures).toHaveLength(1);
        expect(r.failures[0]!.key).toBe(target.key);
        expect(r.failures[0]!.op.description).toContain('-7');
      }),
      { numRuns: 300 },
    );
  });

  it('gives "unknown", not a guess, when the time budget runs out', async () => {
    // many concurrent writes and reads, one of a value no write wrote: exhaustive and slow (n = 30: millions of steps)
    const history: Op[] = [];
    const n = 30;
    for (let p = 0; p < n; p++) history.push({ index: history.length, time: 0, process: p, type: 'invoke', f: p % 2 ? 'read' : 'write', value: p % 2 ? null : p });
    for (let p = 0; p < n; p++) history.push({ index: history.length, time: 0, process: p, type: 'ok', f: p % 2 ? 'read' : 'write', value: p % 2 ? (p === n - 1 ? 999 : p - 1) : p });
    const r = await checkLinearizability(history, { model: 'register', timeLimitMs: 50 });
    expect(r.valid).toBe('unknown');
    expect(r.unknownPartitions).toBe(1);
    const full = await checkLinearizability(history.slice(0, 8).concat(history.slice(n, n + 8)), { model: 'register' });
    expect(full.valid).toBe(true);
  });

  it('explains a failure: longest prefix, the op that cannot be placed, the possible states', async () => {
    const h: Op[] = [
      { index: 0, time: 0, process: 0, type: 'invoke', f: 'write', value: 0 },
      { index: 1, time: 1, process: 0, type: 'ok', f: 'write', value: 0 },
      { index: 2, time: 2, process: 1, type: 'invoke', f: 'read', value: null },
      { index: 3, time: 3, process: 2, type: 'invoke', f: 'write', value: 4 },
      { index: 4, time: 4, process: 1, type: 'ok', f: 'read', value: 3 },
      { index: 5, time: 5, process: 2, type: 'ok', f: 'write', value: 4 },
      { index: 6, time: 6, process: 'nemesis', type: 'info', f: 'kill', value: null },
    ];
    const r = await checkLinearizability(h, { model: 'register' });
    expect(r.valid).toBe(false);
    const w = r.failures[0]!;
    expect(w.op).toMatchObject({ invokeIndex: 2, completeIndex: 4, process: 1, description: 'read -> 3' });
    expect(w.longestPrefix.map((p) => p.op.description)).toEqual(['write 0', 'write 4']);
    expect(w.longestPrefix.map((p) => p.stateAfter)).toEqual(['0', '4']);
    expect(w.statesBefore.sort()).toEqual(['0', '4']);
    expect(w.concurrent).toEqual([]);
    expect(w.explanation).toContain('read -> 3');
    expect(JSON.parse(JSON.stringify(w))).toEqual(w);
  });
});
