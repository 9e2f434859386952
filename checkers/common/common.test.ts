import { describe, expect, it } from 'vitest';
import { pairCalls, effectEnd } from './calls.js';
import { faultWindows, mergeWindows, overlaps } from './faults.js';
import { HistoryBuilder } from './history-builder.js';
import { checkerOptions, CheckerOptionError } from './options.js';
import { queueOptions } from '../queue/index.js';

describe('pairCalls', () => {
  it('pairs each invoke with the next completion of its process, across interleavings', () => {
    const h = new HistoryBuilder();
    const a = h.call({ process: 1, f: 'write', key: 'x', value: 1, start: 0, end: 10 });
    const b = h.call({ process: 2, f: 'read', key: 'x', start: 2, end: 5, result: 1 });
    const c = h.call({ process: 3, f: 'write', key: 'x', value: 2, start: 3, end: 20, type: 'info' });
    const d = h.call({ process: 4, f: 'read', key: 'x', start: 30 });
    h.nemesis('kill', 4, 6, { nodes: ['n1'] });
    const { calls, orphans } = pairCalls(h.build());
    expect(orphans).toEqual([]);
    expect(calls.map((x) => [x.process, x.status, x.invoke.index, x.completion?.index])).toEqual([
      [1, 'ok', a.invoke, a.completion],
      [2, 'ok', b.invoke, b.completion],
      [3, 'info', c.invoke, c.completion],
      [4, 'pending', d.invoke, undefined],
    ]);
    expect(calls[1]?.output).toBe(1);
    expect(effectEnd(calls[0]!)).toBe(10e6);
    expect(effectEnd(calls[2]!)).toBe(Infinity);
    expect(effectEnd(calls[3]!)).toBe(Infinity);
  });

  it('keeps a completion without an invoke as an orphan', () => {
    const { calls, orphans } = pairCalls([{ index: 0, time: 1, process: 1, type: 'ok', f: 'read' }]);
    expect(calls).toEqual([]);
    expect(orphans.map((o) => o.index)).toEqual([0]);
  });
});

describe('faultWindows', () => {
  it('a power loss is a window of its node until the restart that ends it (as a kill is)', () => {
    const h = new HistoryBuilder();
    const l1 = h.nemesis('power-loss', 100, 101, { nodes: ['n1', 'n2'] });
    const r1 = h.nemesis('restart', 200, 203, { nodes: ['n1', 'n2'] });
    expect(faultWindows(h.build())).toEqual([
      { kind: 'power-loss', node: 'n1', start: 100e6, end: 203e6, ops: [l1.invoke, r1.completion] },
      { kind: 'power-loss', node: 'n2', start: 100e6, end: 203e6, ops: [l1.invoke, r1.completion] },
    ]);
  });

  it('pairs start-X/stop-X, kill/restart per node, pause/resume; an unended fault lasts forever', () => {
    const h = new HistoryBuilder();
    const p1 = h.nemesis('start-partition', 100, 110, { grudge: {}, mode: 'halves' });
    const p2 = h.nemesis('stop-partition', 200, 205);
    const k1 = h.nemesis('kill', 300, 301, { nodes: ['n1'] });
    const k2 = h.nemesis('kill', 310, 311, { nodes: ['n2'] });
    const r1 = h.nemesis('restart', 400, 402, { nodes: ['n2'] });
    const pa = h.nemesis('pause', 500, 501, { nodes: ['n3'] });
    const ws = faultWindows(h.build());
    expect(ws).toEqual([
      { kind: 'partition', start: 100e6, end: 205e6, ops: [p1.invoke, p2.completion] },
      { kind: 'kill', node: 'n1', start: 300e6, end: Infinity, ops: [k1.invoke] },
      { kind: 'kill', node: 'n2', start: 310e6, end: 402e6, ops: [k2.invoke, r1.completion] },
      { kind: 'pause', node: 'n3', start: 500e6, end: Infinity, ops: [pa.invoke] },
    ]);
    const merged = mergeWindows(ws.map((w) => ({ start: w.start, end: Math.min(w.end, 600e6) })));
    expect(merged).toEqual([
      { start: 100e6, end: 205e6 },
      { start: 300e6, end: 600e6 },
    ]);
    expect(overlaps(merged, 0, 99e6)).toBe(false);
    expect(overlaps(merged, 90e6, 101e6)).toBe(true);
    expect(overlaps(merged, 206e6, 299e6)).toBe(false);
    expect(overlaps(merged, 250e6, 1000e6)).toBe(true);
  });

  it('keeps a window open while overlapping faults of one kind last; a kill that chose no node is no window', () => {
    const h = new HistoryBuilder();
    const a = h.nemesis('start-partition', 100, 101, { shape: 'halves' });
    const b = h.nemesis('start-partition', 150, 151, { shape: 'ring' });
    const sa = h.nemesis('stop-partition', 200, 201);
    const sb = h.nemesis('stop-partition', 300, 301);
    h.call({ process: 'nemesis', f: 'kill', value: { targets: 'leader' }, start: 400, end: 401, type: 'info', error: 'no leader known' });
    expect(faultWindows(h.build())).toEqual([{ kind: 'partition', start: 100e6, end: 301e6, ops: [a.invoke, b.invoke, sa.completion, sb.completion] }]);
  });
});

describe('options', () => {
  it("parses with the checker's schema (defaults filled) and names the checker and the option when one is wrong", () => {
    expect(checkerOptions('queue', queueOptions, {})).toEqual({ allowDuplicates: true });
    expect(() => checkerOptions('queue', queueOptions, { allowDuplicates: 'yes' })).toThrow(/^allowDuplicates: checker queue: expected boolean, got "yes"$/);
    expect(() => checkerOptions('queue', queueOptions, { alowDuplicates: true })).toThrow(CheckerOptionError);
    expect(() => checkerOptions('queue', queueOptions, { alowDuplicates: true })).toThrow(
      'unknown option "alowDuplicates" for checker queue; valid options: allowDuplicates, maxAnomalies',
    );
  });
});
