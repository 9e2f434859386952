import { describe, expect, it } from 'vitest';
import type { Op } from '../../core/op.js';
import { BEHIND_LAG_NS } from './count.js';
import { checkCoverageHistory, coverageOf, CoverageCounter } from './index.js';

let index = 0;
const op = (o: Partial<Op> & Pick<Op, 'process' | 'type' | 'f' | 'time'>): Op => ({ index: index++, ...o }) as Op;
const status = (time: number, node: string, role: string, term: number, progress?: unknown): Op =>
  op({ process: 'monitor', type: 'info', f: 'status', node, time, value: { role, term, ...(progress !== undefined && { progress }) } });

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
    status(60.5, 'n1', 'leader', 1), // a deposed leader still claiming term 1: no change
    op({ process: 'monitor', type: 'info', f: 'status', node: 'n3', time: 61, error: 'ECONNREFUSED' }), // not an answer
  ];
}

const s = (x: number): number => x * BEHIND_LAG_NS;

describe('coverage', () => {
  it('counts leader changes, terms, elections without a winner, restarts and ops ok across a change', () => {
    expect(coverageOf(history())).toEqual({ leaderChanges: 1, terms: 3, electionsWithoutWinner: 1, restarts: 1, rejoinsAfterBehind: 0, opsAcrossLeaderChange: 1, statusSamples: 6 });
  });

  it('counts a node that fell behind the cluster (term or progress) and caught up later, once per episode', () => {
    index = 0;
    const cutOff = [
      status(s(0), 'n1', 'leader', 1, 10),
      status(s(0), 'n3', 'follower', 1, 10),
      // n3 is cut off: its progress stays at 10 while n1 commits on
      status(s(1), 'n1', 'leader', 1, 20),
      status(s(1), 'n3', 'follower', 1, 10),
      status(s(2.5), 'n1', 'leader', 1, 30),
      status(s(2.5), 'n3', 'candidate', 4, 10), // behind: the cluster had 20 a second before
      status(s(3), 'n3', 'candidate', 5, 10),
      status(s(4), 'n3', 'follower', 5, 30), // caught up with what it was behind of
      status(s(4.2), 'n3', 'follower', 5, 30),
    ];
    expect(coverageOf(cutOff).rejoinsAfterBehind).toBe(1);
    // A stale term alone (a deposed leader that missed the next election) counts too, with dotted versions as progress.
    index = 0;
    const deposed = [
      status(s(0), 'n1', 'leader', 2, '2.5'),
      status(s(0), 'n2', 'follower', 2, '2.5'),
      status(s(0.5), 'n2', 'leader', 3, '3.1'),
      status(s(2), 'n1', 'leader', 2, '2.5'),
      status(s(2.1), 'n1', 'follower', 3, '3.1'),
    ];
    expect(coverageOf(deposed).rejoinsAfterBehind).toBe(1);
  });

  it('does not count a follower a heartbeat behind, nor a restart after which the cluster had not moved on', () => {
    index = 0;
    const steady: Op[] = [];
    for (let t = 0; t < 10; t++) steady.push(status(s(t), 'n1', 'leader', 1, 10 * t + 5), status(s(t) + 1, 'n2', 'follower', 1, 10 * t + 4));
    expect(coverageOf(steady).rejoinsAfterBehind).toBe(0);
    index = 0;
    const restartedIdle = [
      status(s(0), 'n1', 'leader', 1, 10),
      status(s(0), 'n2', 'follower', 1, 10),
      status(s(3), 'n1', 'leader', 1, 10),
      status(s(3), 'n2', 'follower', 1, 0), // volatile commit index after a restart; nothing was committed meanwhile
      status(s(3.2), 'n2', 'follower', 1, 10),
    ];
    expect(coverageOf(restartedIdle).rejoinsAfterBehind).toBe(0);
  });

  it('counts the same fed op by op as over the whole history (the adaptive nemesis counts live)', () => {
    const counter = new CoverageCounter();
    const ops = history();
    for (const o of ops) counter.add(o);
    expect(counter.counts()).toEqual(coverageOf(ops));
  });

  it('a run whose leader never changed says election bugs were not exercised', () => {
    index = 0;
    const steady = [status(1, 'n1', 'leader', 1), status(2, 'n1', 'leader', 1)];
    const r = checkCoverageHistory(steady);
    expect(r.valid).toBe(true);
    expect(r.summary).toContain('election bugs not exercised');
    expect(checkCoverageHistory(history()).summary).toBe('1 leader change(s), 3 term(s), 1 election(s) without a winner, 1 restart(s), 0 node(s) rejoined after falling behind, 1 op(s) ok across a leader change');
  });

  it('refuses min (minimums are the expectation\'s) and unknown options, naming them', () => {
    expect(() => checkCoverageHistory([], { min: { leaderChanges: 1 } })).toThrow(/unknown option "min" for checker coverage; valid options: \(none\); min moved to the campaign's expectation: write expected: \{verdict: valid, coverage/);
    expect(() => checkCoverageHistory([], { nope: 1 })).toThrow('unknown option "nope" for checker coverage; valid options: (none)');
  });
});
