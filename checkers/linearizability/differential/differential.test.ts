import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizability, checkOperations } from '../check.js';
import { modelByName } from '../models/index.js';
import { toOperations } from '../operations.js';
import { Random } from '../../../core/random.js';
import { bruteForceLinearizable, bruteForceVerdict } from './brute-force.js';
import { generateHistory, observedTimedOutAppends, tapeChoices, timedOutAppends, type GeneratedModel, type HistoryShape } from './generate.js';

const RUNS = Number(process.env['FAULTLINE_DIFFERENTIAL_RUNS'] ?? 150);

/** A small random history from a fast-check tape: shrinking the tape shrinks the history. */
const small = (model: GeneratedModel, extra: Partial<HistoryShape> = {}) =>
  fc
    .record({
      tape: fc.array(fc.nat(), { minLength: 1, maxLength: 200 }),
      ops: fc.integer({ min: 1, max: 8 }),
      clients: fc.integer({ min: 1, max: 4 }),
      keys: fc.integer({ min: 1, max: 2 }),
      infoRate: fc.constantFrom(0, 0.2, 0.4),
      failRate: fc.constantFrom(0, 0.1),
      anomalyRate: fc.constantFrom(0, 0.2, 0.5),
    })
    .map(({ tape, ...shape }) => generateHistory(tapeChoices(tape), { model, values: 3, ...shape, ...extra }).history);

describe('differential: the search agrees with brute force on random histories', () => {
  for (const model of ['register', 'cas-register', 'kv'] as const) {
    it(`${model}: info and fail ops, injected anomalies`, async () => {
      const seen = { valid: 0, invalid: 0 };
      await fc.assert(
        fc.asyncProperty(small(model), async (history) => {
          const expected = bruteForceVerdict(model, history);
          const got = await checkLinearizability(history, { model });
          expect(got.valid).toBe(expected);
          if (expected !== 'unknown') seen[expected ? 'valid' : 'invalid']++;
        }),
        { numRuns: RUNS },
      );
      // both verdicts come up, or the property tests little
      expect(seen.valid).toBeGreaterThan(RUNS / 10);
      expect(seen.invalid).toBeGreaterThan(RUNS / 20);
    });
  }

  it('kv with mostly appends and many timed-out appends', async () => {
    await fc.assert(
      fc.asyncProperty(small('kv', { appendShare: 0.7, infoRate: 0.4 }), async (history) => {
        expect((await checkLinearizability(history, { model: 'kv' })).valid).toBe(bruteForceVerdict('kv', history));
      }),
      { numRuns: RUNS },
    );
  });

  it('the brute force itself: the timed-out appends family is linearizable, and not with a get that cannot be', () => {
    const withGet = (value: string) => timedOutAppends(3).map((o) => (o.type === 'ok' && o.f === 'get' ? { ...o, value } : o));
    expect(bruteForceLinearizable('kv', timedOutAppends(3))).toBe(true);
    expect(bruteForceLinearizable('kv', withGet('Pu1 B'))).toBe(true); // u1 after the put
    expect(bruteForceLinearizable('kv', withGet('u1 PB'))).toBe(false); // the put overwrote u1
    expect(bruteForceLinearizable('kv', withGet('PBA'))).toBe(false); // A returned before B was called
  });
});

describe('reductions: what a model drops cannot change the verdict', () => {
  for (const name of ['register', 'cas-register', 'kv'] as const) {
    it(`${name}: the verdict with and without the model's reduce is the same`, () => {
      const model = modelByName(name);
      const { reduce: _, ...unreduced } = model;
      fc.assert(
        fc.property(small(name, { infoRate: 0.4, appendShare: 0.6 }), (history) => {
          const ops = toOperations(history);
          expect(checkOperations(model, ops).valid).toBe(checkOperations(unreduced, ops).valid);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('kv drops timed-out appends whose text no get returned, and keeps the one the get saw', () => {
    const ops = toOperations(timedOutAppends(12));
    const kept = modelByName('kv').reduce!(ops).filter((o) => o.indeterminate);
    expect(kept.map((o) => o.input.value)).toEqual(['B']);
  });

  it('kv keeps a timed-out put whose value starts a string a get returned, on a key with appends', () => {
    const history = timedOutAppends(1).map((o) => (o.type === 'ok' && o.f === 'get' ? { ...o, value: 'QAB' } : o));
    history.splice(0, 0, { index: -2, time: 0, process: 30, type: 'invoke', f: 'put', key: '0', value: 'Q' }, { index: -1, time: 0, process: 30, type: 'info', f: 'put', key: '0', value: 'Q' });
    const kept = modelByName('kv').reduce!(toOperations(history)).filter((o) => o.indeterminate);
    expect(kept.map((o) => o.input.value)).toEqual(['Q', 'B']);
  });
});

describe('the search orders', () => {
  it('decides the issue-15 family (k timed-out appends nothing saw) in a few steps for every k up to 12', async () => {
    for (let k = 1; k <= 12; k++) {
      const r = await checkLinearizability(timedOutAppends(k), { model: 'kv' });
      expect(r.valid).toBe(true);
      expect(r.steps).toBeLessThan(100);
    }
  });

  it('decides timed-out appends a later get needed in call order, where definite-first takes millions of steps', async () => {
    for (const k of [5, 8]) {
      const r = await checkLinearizability(observedTimedOutAppends(k), { model: 'kv', timeLimitMs: 20_000 });
      expect(r.valid).toBe(true);
      // slices of 32, 64, ... steps in each order: call order finishes in its first ones
      expect(r.steps).toBeLessThan(200);
    }
    // d1 completed before the get began, so the get must see it
    const seenOutOfOrder = observedTimedOutAppends(3).map((o) => (o.type === 'ok' && o.f === 'get' ? { ...o, value: 'u0 u1 u2 d0 d2 ' } : o));
    expect((await checkLinearizability(seenOutOfOrder, { model: 'kv', timeLimitMs: 20_000 })).valid).toBe(false);
  });
});

describe('forced reads and growth pruning (Model.readOnly, grows, reachable)', () => {
  const kv = modelByName('kv', null);
  const { readOnly: _r, ...noForcedReads } = kv;
  const { grows: _g, reachable: _c, ...noGrowth } = kv;
  /** The k clients family of bench:checker: kv, 300 ops, one key, 30% timed-out appends. */
  const clients = (k: number) => generateHistory(new Random(k), { model: 'kv', ops: 300, clients: k, keys: 1, infoRate: 0.6, infoFs: ['append'], appendShare: 0.5, failRate: 0.05 }).history;

  it('together they cut the k clients family: k = 16 in tens of thousands of steps, millions with either alone', () => {
    const ops = toOperations(clients(16));
    const steps = (model: typeof kv): number => checkOperations(model, ops, 20_000).steps;
    expect(checkOperations(kv, ops).valid).toBe(true);
    expect(steps(kv)).toBeLessThan(100_000);
    expect(steps({ ...noForcedReads, name: 'kv' })).toBeGreaterThan(1_000_000);
    expect(steps({ ...noGrowth, name: 'kv' })).toBeGreaterThan(1_000_000);
  });

  it('kv: a state grows only into gets that start with it; null and "" are the absent key', () => {
    const get = { f: 'get', value: null };
    expect(kv.reachable!('ab', get, 'abc')).toBe(true);
    expect(kv.reachable!('ab', get, 'ab')).toBe(true);
    expect(kv.reachable!('ab', get, 'xab')).toBe(false);
    expect(kv.reachable!('ab', get, null)).toBe(false);
    expect(kv.reachable!(null, get, 'x')).toBe(true);
    expect(kv.reachable!(null, get, '')).toBe(true);
    expect(kv.reachable!(5, get, '5a')).toBe(true); // a put of 5, then appends: "5a"
    expect(kv.reachable!(5, get, 5)).toBe(true);
    expect(kv.reachable!(5, get, 6)).toBe(false);
    expect(kv.grows!({ f: 'append', value: 'x' })).toBe(true);
    expect(kv.grows!({ f: 'put', value: 'x' })).toBe(false);
    expect(kv.readOnly!({ f: 'get', value: null })).toBe(true);
    expect(kv.readOnly!({ f: 'append', value: 'x' })).toBe(false);
  });
});
