import { describe, expect, it } from 'vitest';
import { HistoryBuilder } from '../common/history-builder.js';
import { checkOrderingHistory } from './index.js';

/** Two clients that both finish: a clean base every case adds one op to. */
function base(): HistoryBuilder {
  const h = new HistoryBuilder();
  for (const p of [1, 2]) h.call({ process: p, f: 'join', value: { room: 'r' }, start: p, end: p + 1 });
  h.call({ process: 1, f: 'publish', value: { room: 'r', content: 'a' }, start: 10, end: 12, result: { room: 'r', content: 'a', id: 'a', sequence: 1 } });
  h.call({ process: 1, f: 'publish', value: { room: 'r', content: 'b' }, start: 13, end: 15, result: { room: 'r', content: 'b', id: 'b', sequence: 2 } });
  h.call({ process: 1, f: 'publish', value: { room: 'r', content: 'c' }, start: 16, end: 18, result: { room: 'r', content: 'c', id: 'c', sequence: 3 } });
  const frames = ['a', 'b', 'c'].map((id, i) => ({ room: 'r', id, sequence: i + 1, content: id, user: 'u1', via: 'live' }));
  for (const p of [1, 2]) {
    h.call({ process: p, f: 'catch-up', start: 200, end: 201 });
    h.call({ process: p, f: 'poll', start: 202, end: 203, result: frames });
  }
  return h;
}

let clock = 50;
const read = (h: HistoryBuilder, since: number, limit: number, seqs: number[], lastSequence?: number) =>
  h.call({
    process: 2,
    f: 'history',
    value: { room: 'r', back: 0, limit },
    start: (clock += 2),
    end: clock + 1,
    result: { room: 'r', since, limit, messages: seqs.map((s) => ({ sequence: s, id: ['a', 'b', 'c'][s - 1], content: ['a', 'b', 'c'][s - 1] })), ...(lastSequence !== undefined ? { lastSequence } : {}) },
  });

describe('ordering: history reads and self-delivery', () => {
  it('passes history pages that start right after the boundary and fill their limit', () => {
    const h = base();
    read(h, 0, 2, [1, 2], 3);
    read(h, 2, 5, [3], 3);
    read(h, 3, 5, [], 3);
    const r = checkOrderingHistory(h.build());
    expect(r.valid).toBe(true);
    expect(r.details).toMatchObject({ historyReads: 3 });
  });

  it('finds a page that skips the message right after the boundary, or one inside it', () => {
    const h = base();
    const skipFirst = read(h, 1, 2, [3], 3);
    read(h, 0, 3, [1, 3], 3);
    const r = checkOrderingHistory(h.build());
    expect(r.valid).toBe(false);
    const found = r.anomalies.filter((a) => a.kind === 'history-skip');
    expect(found).toHaveLength(2);
    expect(found[0]?.ops).toEqual(skipFirst.ops);
    expect(found[0]?.explanation).toMatch(/starts at 3, not at 2/);
    expect(found[1]?.explanation).toMatch(/sequence 2 is skipped inside the page/);
  });

  it('finds a page short of its limit while the room holds more; without lastSequence a short page is not judged', () => {
    const h = base();
    read(h, 0, 3, [1, 2], 3);
    expect(checkOrderingHistory(h.build()).anomalies.map((a) => a.explanation)).toEqual([expect.stringMatching(/short of its limit/)]);
    const h2 = base();
    read(h2, 0, 3, [1, 2]);
    expect(checkOrderingHistory(h2.build()).valid).toBe(true);
  });

  it('finds a sender that got its own message only from history', () => {
    const h = base();
    const pub = h.call({ process: 2, f: 'publish', value: { room: 'r', content: 'd' }, start: 60, end: 65, result: { room: 'r', content: 'd', id: 'd', sequence: 4, via: 'history' } });
    h.call({ process: 1, f: 'poll', start: 66, end: 67, result: [{ room: 'r', id: 'd', sequence: 4, content: 'd', user: 'u2', via: 'live' }] });
    const r = checkOrderingHistory(h.build());
    const self = r.anomalies.filter((a) => a.kind === 'self-delivery');
    expect(self).toHaveLength(1);
    expect(self[0]?.ops).toEqual(pub.ops);
    expect(r.valid).toBe(false);
  });
});
