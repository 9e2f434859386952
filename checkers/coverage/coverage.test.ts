import { describe, expect, it } from 'vitest';
import type { Op } from '../../core/op.js';
import { checkCoverageHistory, coverageOf } from './index.js';

let index = 0;
const op = (o: Partial<Op> & Pick<Op, 'process' | 'type' | 'f' | 'time'>): Op => ({ index: index++, ...o }) as Op;
const status = (time: number, node: string, role: string, term: number): Op => op({ process: 'monitor', type: 'info', f: 'status', node, time, value: { role, term } });

function history(): Op[] {
  index = 0;
  return [
    status(10, 'n1', 'leader', 1),
    status(11, 'n2', 'follower', 1),
    op({ process: 0, type: 'invoke', f: 'write', key: 'k', value: 1, time: 20 }),
    status(30, 'n2', 'candidate', 2), // term 2: nobody won
    op({ process: 'nemesis', type: 'info', f: 'restart', value: { nodes: ['n1'] }, time: 35 }),
    status(40, 'n2', 'leader', 3),
    op({ process: 0, type: 'ok', f: 'write', key: 'k', value: 1, time: 50 }),
    op({ process: 1, type: 'invoke', f: 'read', key: 'k', time: 55 }),
    op({ process: 1, type: 'ok', f: 'read', key: 'k', value: 1, time: 56 }),
    status(60, 'n2', 'leader', 3), // the same leader again: no change
  ];
}

describe('coverage', () => {
  it('counts leader changes, terms, terms without a leader, restarts and ops ok across a change', () => {
    expect(coverageOf(history())).toEqual({ leaderChanges: 1, terms: 3, electionsWithoutWinner: 1, restarts: 1, opsAcrossLeaderChange: 1, statusSamples: 5 });
  });

  it('a run whose leader never changed says election bugs were not exercised; a minimum not met is unknown', () => {
    index = 0;
    const steady = [status(1, 'n1', 'leader', 1), status(2, 'n1', 'leader', 1)];
    const r = checkCoverageHistory(steady);
    expect(r.valid).toBe(true);
    expect(r.summary).toContain('election bugs not exercised');
    const strict = checkCoverageHistory(steady, { min: { leaderChanges: 3 } });
    expect(strict.valid).toBe('unknown');
    expect(strict.summary).toContain('leaderChanges 0 < 3');
    expect(checkCoverageHistory(history(), { min: { leaderChanges: 1, restarts: 1 } }).valid).toBe(true);
  });

  it('refuses an unknown count or a bad minimum, naming the option', () => {
    expect(() => checkCoverageHistory([], { min: { elections: 1 } })).toThrow(/option "min" names an unknown count "elections"/);
    expect(() => checkCoverageHistory([], { min: { terms: -1 } })).toThrow(/option "min.terms" must be a non-negative integer/);
    expect(() => checkCoverageHistory([], { nope: 1 })).toThrow(/nope/);
  });
});
