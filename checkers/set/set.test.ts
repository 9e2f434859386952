import { describe, expect, it } from 'vitest';
import { HistoryBuilder } from '../common/history-builder.js';
import { checkSetHistory } from './index.js';

/** Three elements added (ok, info, fail), then each read on n1..n3 as `finals` says. */
function history(finals: Record<string, Record<string, number | null>>): { h: ReturnType<HistoryBuilder['build']>; adds: Record<string, number[]> } {
  const b = new HistoryBuilder();
  const refs = {
    e1: b.call({ process: 0, f: 'add', key: 'e1', value: 1, start: 0, end: 10, result: 1 }),
    e2: b.call({ process: 1, f: 'add', key: 'e2', value: 2, start: 5, end: 2000, type: 'info', error: 'timeout' }),
    e3: b.call({ process: 2, f: 'add', key: 'e3', value: 3, start: 20, end: 30, type: 'fail', error: 'HTTP 400' }),
  };
  b.call({ process: 3, f: 'write', key: 'k1', value: 9, start: 40, end: 50 });
  let t = 3000;
  for (const [node, values] of Object.entries(finals)) {
    for (const [key, value] of Object.entries(values)) b.call({ process: 4, f: 'read', key, node, start: t, end: t + 5, result: value }), (t += 10);
  }
  const h = b.build();
  return { h, adds: Object.fromEntries(Object.entries(refs).map(([k, r]) => [k, r.ops])) };
}

describe('set checker', () => {
  it('every acknowledged element present everywhere: valid; an unknown add present is only counted', () => {
    const all = { e1: 1, e2: 2, e3: null };
    const r = checkSetHistory(history({ n1: all, n2: all, n3: all }).h);
    expect(r.valid).toBe(true);
    expect(r.summary).toBe('3 elements added (1 ok, 1 info, 1 fail), 3 read back: none lost, none unexpected; 1 unknown add(s) present');
    expect(checkSetHistory(history({ n1: { e1: 1, e2: null, e3: null } }).h).valid).toBe(true);
  });

  it('an acknowledged element absent on one node is lost, naming that node and its read', () => {
    const { h, adds } = history({ n1: { e1: 1 }, n2: { e1: null }, n3: { e1: 1 } });
    const r = checkSetHistory(h);
    expect(r.valid).toBe(false);
    expect(r.anomalies).toHaveLength(1);
    const lost = r.anomalies[0]!;
    expect(lost).toMatchObject({ kind: 'lost', key: 'e1' });
    expect(lost.explanation).toMatch(/^element 1 \(key e1\) was added, process 0 add e1 1 .* but reads as absent on n2: process 4 read e1 /);
    const n2Read = h.filter((o) => o.f === 'read' && o.key === 'e1' && o.node === 'n2').map((o) => o.index);
    expect(lost.ops).toEqual([...adds.e1!, ...n2Read].sort((a, b) => a - b));
  });

  it('a failed add present, or an element read with another value, is unexpected', () => {
    const r = checkSetHistory(history({ n1: { e1: 7, e3: 3 } }).h);
    expect(r.anomalies.map((a) => [a.kind, a.key])).toEqual([
      ['unexpected', 'e1'],
      ['unexpected', 'e3'],
    ]);
    expect(r.anomalies[1]!.explanation).toMatch(/^element 3 \(key e3\) was never added .* but reads as present on n1/);
  });

  it('a read that began before the add completed is not a loss', () => {
    const b = new HistoryBuilder();
    b.call({ process: 0, f: 'add', key: 'e1', value: 1, start: 0, end: 100 });
    b.call({ process: 1, f: 'read', key: 'e1', start: 50, end: 60, result: null });
    b.call({ process: 1, f: 'read', key: 'e1', start: 200, end: 210, result: 1 });
    expect(checkSetHistory(b.build()).valid).toBe(true);
  });

  it('says "not checked" without adds or without final reads', () => {
    expect(checkSetHistory([])).toMatchObject({ valid: 'unknown', summary: 'not checked: no element was added' });
    expect(checkSetHistory(history({}).h)).toMatchObject({ valid: 'unknown', summary: 'not checked: no element was read back (no final reads)' });
  });
});
