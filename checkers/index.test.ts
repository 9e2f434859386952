import { describe, expect, it } from 'vitest';
import { HistoryBuilder } from './common/history-builder.js';
import { checkers } from './index.js';
import { parseCheckerOptions } from '../core/checker.js';

describe('checker registry', () => {
  it('has every checker of the contract, each named for its key with a description', () => {
    expect(Object.keys(checkers).sort()).toEqual(['agreement', 'consistency', 'coverage', 'invariants', 'linearizable', 'ordering', 'perf', 'queue', 'set']);
    for (const [name, spec] of Object.entries(checkers)) {
      expect(spec.name).toBe(name);
      expect(spec.description.length).toBeGreaterThan(20);
    }
  });

  it('runs each checker on one history and each result names its checker', async () => {
    const h = new HistoryBuilder();
    h.call({ process: 1, f: 'write', key: 'x', value: 1, start: 0, end: 10 });
    h.call({ process: 1, f: 'write', key: 'x', value: 2, start: 20, end: 30 });
    h.call({ process: 2, f: 'read', key: 'x', start: 40, end: 50, result: 1 });
    const history = h.build();
    const results = await Promise.all(Object.values(checkers).map((c) => c.check(history, {})));
    expect(results.map((r) => r.checker)).toEqual(Object.keys(checkers));
    const byName = Object.fromEntries(results.map((r) => [r.checker, r]));
    expect(byName.consistency?.valid).toBe(false);
    expect(byName.linearizable?.valid).toBe(false);
    expect(byName.perf?.valid).toBe(true);
  });

  it('accepts an empty history with default options; every checker declares its options schema, which refuses an unknown one', async () => {
    // The checkers of what a run records at its end, and linearizability (no operation completed:
    // nothing to judge), say they could not check an empty history.
    const nothingToJudge = ['agreement', 'set', 'linearizable'];
    for (const [name, spec] of Object.entries(checkers)) {
      const r = await spec.check([], {});
      if (nothingToJudge.includes(name)) expect([r.valid, r.summary.startsWith('not checked: ')], name).toEqual(['unknown', true]);
      else expect(r.valid, name).toBe(true);
      const refused = parseCheckerOptions(name, spec.options, { noSuchOption: 1 });
      expect(refused.ok, name).toBe(false);
      if (!refused.ok) expect(refused.problems[0]!.message).toMatch(new RegExp(`^unknown option "noSuchOption" for checker ${name}; valid options: (\\w+|\\(none\\))`));
      if (name === 'linearizable') continue; // its check reads the options the load checked
      let error: unknown;
      try {
        await spec.check([], { noSuchOption: 1 });
      } catch (err) {
        error = err;
      }
      expect((error as Error | undefined)?.name, name).toBe('CheckerOptionError');
      expect((error as Error).message).toContain(`unknown option "noSuchOption" for checker ${name}; valid options: `);
    }
  });
});
