/** Hand-made run folders for the report tests: a history, the real checkers' results, logs. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Op } from '../../core/op.js';
import { checkers } from '../../checkers/index.js';
import { coverageOf } from '../../checkers/coverage/count.js';
import type { Expected } from '../../core/expectation.js';
import { combineValidity, type CheckResult } from '../../core/result.js';

export interface FolderOptions {
  campaign?: string;
  /** Checker entries to run on the history (default linearizable kv, consistency, perf). */
  checkers?: { name: string; options: Record<string, unknown> }[];
  logs?: Record<string, string>;
  /** Replaces the checkers' results (for hostile summaries). */
  results?: CheckResult[];
  startedAt?: string;
  /** The campaign's `expected`, as results.json carries it. */
  expected?: Expected;
}

export async function writeRunFolder(dir: string, history: readonly Op[], options: FolderOptions = {}): Promise<CheckResult[]> {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, 'history.jsonl'), history.map((op) => JSON.stringify(op)).join('\n') + '\n');
  const entries = options.checkers ?? [
    { name: 'linearizable', options: { model: 'kv' } },
    { name: 'consistency', options: {} },
    { name: 'perf', options: {} },
  ];
  const results: CheckResult[] = options.results ?? [];
  if (!options.results) for (const c of entries) results.push(await checkers[c.name]!.check(history, c.options));
  const campaign = options.campaign ?? 'test/hand-made';
  writeFileSync(join(dir, 'campaign.yaml'), `name: ${JSON.stringify(campaign)}\nsystem: raft\nworkload: {name: register}\nseed: 42\n`);
  writeFileSync(
    join(dir, 'results.json'),
    JSON.stringify(
      {
        campaign,
        system: 'raft',
        seed: 42,
        runId: 'test-run',
        startedAt: options.startedAt ?? '2026-01-02T03:04:05.000Z',
        durationMs: 1234,
        valid: combineValidity(results.map((r) => r.valid)),
        results,
        coverage: coverageOf(history),
        ...(options.expected && { expected: options.expected }),
        replay: `npx faultline run ${campaign} --seed 42`,
      },
      null,
      2,
    ),
  );
  for (const [node, text] of Object.entries(options.logs ?? { n1: 'n1 started\n', n2: 'n2 started\n' })) writeFileSync(join(dir, 'logs', `${node}.log`), text);
  return results;
}

/** Builds a history op by op with increasing times (ms) and dense indexes. */
export class HistoryMaker {
  readonly ops: Op[] = [];
  private t = 0;

  at(ms: number): this {
    this.t = Math.round(ms * 1e6);
    return this;
  }

  op(fields: Omit<Op, 'index' | 'time'>, ms?: number): Op {
    if (ms !== undefined) this.at(ms);
    const op: Op = { index: this.ops.length, time: this.t, ...fields };
    this.ops.push(op);
    this.t += 1000;
    return op;
  }

  /** invoke at `start` ms and complete at `end` ms (ops are sorted by time at the end). */
  call(process: number, f: string, key: string, input: unknown, type: 'ok' | 'fail' | 'info', output: unknown, start: number, end: number, extra: Partial<Op> = {}): void {
    const inv: Op = { index: -1, time: Math.round(start * 1e6), process, type: 'invoke', f, key, ...(input !== undefined && { value: input }) };
    const done: Op = { index: -1, time: Math.round(end * 1e6), process, type, f, key, ...(output !== undefined && { value: output }), ...extra };
    this.ops.push(inv, done);
  }

  fault(start: string, stop: string, value: unknown, from: number, to: number): void {
    this.ops.push({ index: -1, time: from * 1e6, process: 'nemesis', type: 'invoke', f: start, value });
    this.ops.push({ index: -1, time: from * 1e6 + 5e5, process: 'nemesis', type: 'info', f: start, value });
    this.ops.push({ index: -1, time: to * 1e6, process: 'nemesis', type: 'invoke', f: stop, value });
    this.ops.push({ index: -1, time: to * 1e6 + 5e5, process: 'nemesis', type: 'info', f: stop, value });
  }

  /** Sorted by time (stable), indexes renumbered. */
  build(): Op[] {
    const sorted = this.ops.map((op, i) => ({ op, i })).sort((a, b) => a.op.time - b.op.time || a.i - b.i);
    return sorted.map(({ op }, index) => ({ ...op, index }));
  }
}

/**
 * A register history on one key with a stale read during a partition: writes 1..n, reads that
 * return the latest value, and one read that returns an overwritten value. Plus monitor samples.
 */
export function staleReadHistory(value: (v: number) => unknown = (v) => v): Op[] {
  const h = new HistoryMaker();
  let v = 0;
  for (let i = 0; i < 40; i++) {
    const p = i % 4;
    const start = i * 25;
    if (i % 2 === 0) {
      v++;
      h.call(p, 'write', 'k1', value(v), 'ok', undefined, start, start + 10, { node: 'n1' });
    } else h.call(p, 'read', 'k1', undefined, 'ok', value(v), start, start + 8, { node: 'n1' });
  }
  // the partition, a write on the majority, then a stale read from the old leader
  h.fault('start-partition', 'stop-partition', { description: 'n1 | n2 n3' }, 1000, 1600);
  h.call(0, 'write', 'k1', value(100), 'ok', undefined, 1100, 1150, { node: 'n2' });
  h.call(1, 'read', 'k1', undefined, 'ok', value(v), 1200, 1210, { node: 'n1' });
  h.call(2, 'write', 'k1', value(101), 'info', undefined, 1250, 2250, { node: 'n1', error: 'timeout' });
  h.call(3, 'read', 'k1', undefined, 'fail', undefined, 1300, 1320, { node: 'n3', error: 'no leader' });
  for (let i = 0; i < 10; i++) {
    for (const node of ['n1', 'n2', 'n3']) {
      h.ops.push({ index: -1, time: (i * 200 + 7) * 1e6, process: 'monitor', type: 'info', f: 'status', node, value: { role: node === 'n1' || (i >= 6 && node === 'n2') ? 'leader' : 'follower', term: i >= 6 && node !== 'n1' ? 2 : 1 } });
    }
  }
  return h.build();
}

/** `calls` client calls on `processes` lanes over about `calls / 50` seconds, with faults. */
export function bigHistory(calls: number, processes = 20): Op[] {
  const ops: Op[] = [];
  const perProcess = Math.ceil(calls / processes);
  let seed = 12345;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const durationMs = perProcess * 20;
  for (let p = 0; p < processes; p++) {
    let t = p * 0.7;
    let process = p;
    for (let i = 0; i < perProcess && ops.length / 2 < calls; i++) {
      const write = rand() < 0.4;
      const lat = 1 + rand() * 12;
      const r = rand();
      const type = r < 0.9 ? 'ok' : r < 0.96 ? 'fail' : 'info';
      const key = `k${1 + Math.floor(rand() * 5)}`;
      const value = p * 1_000_000 + i;
      ops.push({ index: -1, time: Math.round(t * 1e6), process, type: 'invoke', f: write ? 'write' : 'read', key, ...(write && { value }) });
      ops.push({ index: -1, time: Math.round((t + lat) * 1e6), process, type, f: write ? 'write' : 'read', key, ...(!write && type === 'ok' && { value: null }) });
      t += lat + 8 + rand() * 4;
      if (type === 'info') process += processes;
    }
  }
  for (let s = 5000; s < durationMs; s += 10_000) {
    ops.push({ index: -1, time: s * 1e6, process: 'nemesis', type: 'invoke', f: 'start-partition', value: { shape: 'halves' } });
    ops.push({ index: -1, time: (s + 3000) * 1e6, process: 'nemesis', type: 'invoke', f: 'stop-partition' });
  }
  ops.sort((a, b) => a.time - b.time);
  return ops.map((op, index) => ({ ...op, index }));
}
