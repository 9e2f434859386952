import { describe, expect, it } from 'vitest';
import { HistoryBuilder } from '../common/history-builder.js';
import { checkInvariantsHistory } from './index.js';

describe('invariants checker', () => {
  it('passes one leader per term across elections, and counts terms and leaders', () => {
    const h = new HistoryBuilder();
    h.monitor('n1', 0, { role: 'leader', term: 1, leader: 'n1' });
    h.monitor('n2', 1, { role: 'follower', term: 1, leader: 'n1' });
    h.monitor('n1', 100, { role: 'follower', term: 2, leader: 'n2' });
    h.monitor('n2', 101, { role: 'leader', term: 2, leader: 'n2' });
    h.monitor('n3', 102, { error: 'ECONNREFUSED' });
    h.monitor('n2', 200, { role: 'Leader', term: 2, leader: 'n2' });
    const r = checkInvariantsHistory(h.build());
    expect(r.valid).toBe(true);
    expect(r.anomalies).toEqual([]);
    expect(r.details).toMatchObject({ samples: 5, failedPolls: 1, terms: 2, leaders: 2, leadersByTerm: { '1': ['n1'], '2': ['n2'] } });
    expect(r.summary).toContain('2 terms, 2 leader(s)');
  });

  it('finds two leaders in one term and shows the first and last claim of each', () => {
    const h = new HistoryBuilder();
    const a1 = h.monitor('n1', 0, { role: 'leader', term: 3 });
    h.monitor('n3', 5, { role: 'follower', term: 3 });
    const b1 = h.monitor('n2', 10, { role: 'leader', term: 3 });
    const a2 = h.monitor('n1', 20, { role: 'leader', term: 3 });
    h.monitor('n1', 30, { role: 'leader', term: 4 });
    const r = checkInvariantsHistory(h.build());
    expect(r.valid).toBe(false);
    expect(r.anomalies).toHaveLength(1);
    const [a] = r.anomalies;
    expect(a?.kind).toBe('two-leaders');
    expect(a?.ops).toEqual([a1.completion, b1.completion, a2.completion]);
    expect(a?.explanation).toMatch(/2 nodes claimed to be leader in term 3: n1 .*n2/);
    expect(r.summary).toContain('1 term(s) with two leaders');
  });

  it('ignores client and nemesis ops and is trivially valid without status samples', () => {
    const h = new HistoryBuilder();
    h.call({ process: 1, f: 'read', key: 'x', start: 0, end: 1, result: null });
    h.nemesis('kill', 0, 1, { nodes: ['n1'] });
    const r = checkInvariantsHistory(h.build());
    expect(r.valid).toBe(true);
    expect(r.summary).toContain('no node status was recorded');
  });

  it('reports a term going down only when monotonicTerms is on, with the restart between', () => {
    const h = new HistoryBuilder();
    const before = h.monitor('n2', 0, { role: 'follower', term: 5, leader: 'n1' });
    const other = h.monitor('n1', 1, { role: 'leader', term: 5, leader: 'n1' });
    const kill = h.nemesis('kill', 10, 11, { nodes: ['n2'] });
    const restart = h.nemesis('restart', 20, 30, { nodes: ['n2'] });
    h.nemesis('kill', 12, 13, { nodes: ['n3'] });
    const after = h.monitor('n2', 40, { role: 'follower', term: 0 });
    const history = h.build();
    const lenient = checkInvariantsHistory(history);
    expect(lenient.valid).toBe(true);
    expect(lenient.details).toMatchObject({ termRegressions: 1 });
    expect(lenient.summary).toContain('1 term regression(s) (not judged)');
    const strict = checkInvariantsHistory(history, { monotonicTerms: true });
    expect(strict.valid).toBe(false);
    expect(strict.anomalies.map((a) => a.kind)).toEqual(['term-regression']);
    expect(strict.anomalies[0]?.ops).toEqual([before.completion, ...kill.ops, ...restart.ops, after.completion]);
    expect(strict.anomalies[0]?.explanation).toMatch(/Node n2 reported term 5 .* then term 0 .* after kill at 0.010s .*restart at 0.020s/);
    expect(other.completion).toBeGreaterThan(-1);
  });

  it('takes the leader role word as an option', () => {
    const h = new HistoryBuilder();
    h.monitor('n1', 0, { role: 'primary', term: 1 });
    h.monitor('n2', 1, { role: 'PRIMARY', term: 1 });
    expect(checkInvariantsHistory(h.build()).valid).toBe(true);
    const r = checkInvariantsHistory(h.build(), { leaderRole: 'primary' });
    expect(r.anomalies.map((a) => a.kind)).toEqual(['two-leaders']);
    expect(() => checkInvariantsHistory([], { leaderRole: 3 } as never)).toThrow(/^leaderRole: checker invariants: expected string, got number 3$/);
  });
});
