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
});
