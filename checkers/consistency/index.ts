/**
 * Session and real-time consistency of register histories (read/write/delete per key, each write
 * with a value unique to its key; a delete writes null; absent keys read null):
 * - stale-read: a read returns a value older than a write that completed before the read began;
 * - read-your-writes: a process reads a value older than its own last acknowledged write;
 * - monotonic-reads: a process reads a value older than one it read before;
 * - unexpected-value: a read returns a value no write (that could have happened) wrote;
 * - divergence: once every write of a key has ended, reads of it still return different values
 *   (replicas did not converge), counting only values of writes that surely happened and only
 *   reads invoked at least `divergenceGraceMs` (default 1000) after the key's last write ended, so
 *   a read during ordinary replication lag is not a finding.
 * "Older" is real-time precedence of the writes: A is older than B when A completed before B was
 * invoked. Only definite violations are reported: a write that is concurrent or indeterminate
 * (info) is never older than anything, so concurrency never raises a false alarm.
 */
import type { Op } from '../../core/op.js';
import type { CheckResult } from '../../core/result.js';
import { AnomalyList } from '../common/anomalies.js';
import { callOps, effectEnd, pairCalls, pushTo, type Call } from '../common/calls.js';
import { describeCall, formatCounts, formatTime, formatValue, opIndexes } from '../common/describe.js';
import { z } from 'zod';
import { checkerOptions, checkList, maxAnomalies } from '../common/options.js';
import { stringifyJson } from '../../core/json.js';

export const CONSISTENCY_KINDS = ['stale-read', 'read-your-writes', 'monotonic-reads', 'unexpected-value', 'divergence'] as const;
export type ConsistencyKind = (typeof CONSISTENCY_KINDS)[number];

/** The `consistency` checker's options. */
export const consistencyOptions = z.strictObject({
  /** Which properties to check (the others are counted in details only). Default: all. */
  checks: checkList(CONSISTENCY_KINDS),
  maxAnomalies,
  /** Divergence counts only reads invoked at least this long after the key's last write ended (ms). Default 1000. */
  divergenceGraceMs: z.number().min(0).optional(),
});
export type ConsistencyCheckOptions = z.input<typeof consistencyOptions>;

/** The default of `divergenceGraceMs`: replication lag allowed before disagreeing reads are divergence. */
export const DEFAULT_DIVERGENCE_GRACE_MS = 1000;

/** Where a value read may have come from: the writes that wrote it (null: the initial state and deletes). */
interface Source {
  /** Earliest invoke among the possible writes (-Infinity when the initial state is possible). */
  minStart: number;
  /** Latest time any possible write may have taken effect (Infinity when one is indeterminate). */
  maxEnd: number;
  /** The writes that may have produced the value (empty for the initial state). */
  writes: Call[];
}

interface KeyWrites {
  /** Writes and deletes that may have happened (not `fail`), in invoke order. */
  possible: Call[];
  byValue: Map<string, Call[]>;
  deletes: Call[];
  /** Writes and deletes acknowledged ok, by completion time. */
  acknowledged: Call[];
  failedByValue: Map<string, Call[]>;
}

/** `add` (a set element's key, written once) is a write of its value. */
const isWrite = (c: Call): boolean => c.f === 'write' || c.f === 'add' || c.f === 'delete';
const valueKey = (v: unknown): string => stringifyJson(v ?? null)!;
const writtenValue = (c: Call): unknown => (c.f === 'delete' ? null : (c.input ?? null));

function describeWrite(c: Call): string {
  return c.f === 'delete' ? describeCall(c, `delete ${c.key ?? ''}`) : describeCall(c, `write ${c.key ?? ''} = ${formatValue(c.input)}`);
}

function describeSource(s: Source): string {
  if (s.writes.length === 0) return 'the initial (absent) state';
  if (s.minStart === -Infinity) return `the initial state or the deletes up to ${describeWrite(s.writes[0] as Call)}`;
  return s.writes.map(describeWrite).join(' or ');
}

export function checkConsistencyHistory(history: readonly Op[], options: ConsistencyCheckOptions = {}): CheckResult {
  const opts = checkerOptions('consistency', consistencyOptions, options);
  const graceMs = opts.divergenceGraceMs ?? DEFAULT_DIVERGENCE_GRACE_MS;
  const enabled = new Set<ConsistencyKind>(opts.checks ?? CONSISTENCY_KINDS);
  const anomalies = new AnomalyList(opts.maxAnomalies);
  const ignored: Record<string, number> = {};
  const report = (kind: ConsistencyKind, explanation: string, ops: number[], key: string): void => {
    if (enabled.has(kind)) anomalies.add({ kind, explanation, ops, key });
    else ignored[kind] = (ignored[kind] ?? 0) + 1;
  };

  const { calls } = pairCalls(history);
  const keys = new Map<string, KeyWrites>();
  const keyOf = (k: string): KeyWrites => {
    let w = keys.get(k);
    if (!w) keys.set(k, (w = { possible: [], byValue: new Map(), deletes: [], acknowledged: [], failedByValue: new Map() }));
    return w;
  };
  const reads: Call[] = [];
  for (const c of calls) {
    if (c.key === undefined) continue;
    if (c.f === 'read') {
      keyOf(c.key);
      if (c.status === 'ok') reads.push(c);
      continue;
    }
    if (!isWrite(c)) continue;
    const w = keyOf(c.key);
    const vk = valueKey(writtenValue(c));
    if (c.status === 'fail') {
      if (c.f !== 'delete') pushTo(w.failedByValue, vk, c);
      continue;
    }
    w.possible.push(c);
    if (c.f === 'delete') w.deletes.push(c);
    else pushTo(w.byValue, vk, c);
    if (c.status === 'ok') w.acknowledged.push(c);
  }
  for (const w of keys.values()) w.acknowledged.sort((a, b) => a.end - b.end);

  /** The possible sources of what `read` returned; undefined when nothing could have written it. */
  const sourceOf = (read: Call): Source | undefined => {
    const w = keys.get(read.key as string) as KeyWrites;
    const value = read.output ?? null;
    if (value === null) {
      // The initial state or any delete invoked before the read ended; the latest of them is the witness.
      let last: Call | undefined;
      for (const d of w.deletes) if (d.start < read.end && (!last || effectEnd(d) > effectEnd(last))) last = d;
      return { minStart: -Infinity, maxEnd: last ? effectEnd(last) : -Infinity, writes: last ? [last] : [] };
    }
    const writers = (w.byValue.get(valueKey(value)) ?? []).filter((c) => c.start < read.end);
    if (writers.length === 0) return undefined;
    return { minStart: Math.min(...writers.map((c) => c.start)), maxEnd: Math.max(...writers.map(effectEnd)), writes: writers };
  };

  const sources = new Map<Call, Source>();
  let unexpected = 0;
  for (const r of reads) {
    const s = sourceOf(r);
    if (s) {
      sources.set(r, s);
      continue;
    }
    unexpected++;
    const w = keys.get(r.key as string) as KeyWrites;
    const failed = w.failedByValue.get(valueKey(r.output)) ?? [];
    const later = (w.byValue.get(valueKey(r.output)) ?? []).filter((c) => c.start >= r.end);
    const why = failed.length
      ? `the only write of that value failed (${failed.map(describeWrite).join('; ')}), so it never happened`
      : later.length
        ? `that value was written only after the read had completed (${later.map(describeWrite).join('; ')})`
        : 'no process ever wrote that value to this key';
    report('unexpected-value', `${describeCall(r, `read ${r.key}`)} returned ${formatValue(r.output)}, but ${why}.`, opIndexes(callOps(r), ...failed.map(callOps), ...later.map(callOps)), r.key as string);
  }

  // Stale reads: sweep reads by invoke time; among acknowledged writes completed before the read
  // began, keep the one invoked last. If the read's value was surely written before it, it is stale.
  const readsByKey = new Map<string, Call[]>();
  for (const r of reads) if (sources.has(r)) pushTo(readsByKey, r.key as string, r);
  let stale = 0;
  for (const [key, keyReads] of readsByKey) {
    const acked = (keys.get(key) as KeyWrites).acknowledged;
    const sorted = [...keyReads].sort((a, b) => a.start - b.start);
    let i = 0;
    let latest: Call | undefined;
    for (const r of sorted) {
      while (i < acked.length && (acked[i] as Call).end < r.start) {
        const w = acked[i] as Call;
        if (!latest || w.start > latest.start) latest = w;
        i++;
      }
      const s = sources.get(r) as Source;
      if (!latest || !(s.maxEnd < latest.start)) continue;
      stale++;
      report(
        'stale-read',
        `${describeCall(r, `read ${key}`)} returned ${formatValue(r.output ?? null)}, a stale value: ` +
          `${describeWrite(latest)} had completed at ${formatTime(latest.end)}, before the read began at ${formatTime(r.start)}, ` +
          `and ${describeSource(s)} ${s.writes.length ? `had completed by ${formatTime(s.maxEnd)}` : 'precedes every write'}, before that write was invoked at ${formatTime(latest.start)}.`,
        opIndexes(callOps(r), callOps(latest), ...s.writes.map(callOps)),
        key,
      );
    }
  }

  // Divergence: reads begun a grace period after every write of the key ended must agree (a read
  // inside the grace may see replication lag). Values an indeterminate write may have produced are
  // left out: such a write may land between two of those reads. History times are nanoseconds.
  let divergence = 0;
  for (const [key, keyReads] of readsByKey) {
    const w = keys.get(key) as KeyWrites;
    if (w.possible.some((c) => c.status === 'pending')) continue;
    const quietFrom = w.possible.reduce((m, c) => Math.max(m, c.end), -Infinity);
    const checkedFrom = quietFrom + graceMs * 1e6;
    const indeterminateDelete = w.deletes.some((d) => d.status !== 'ok');
    const byValue = new Map<string, Call[]>();
    for (const r of keyReads) {
      if (!(r.start > quietFrom && r.start >= checkedFrom)) continue;
      const s = sources.get(r) as Source;
      const determinate = (r.output ?? null) === null ? !indeterminateDelete : s.writes.every((c) => c.status === 'ok');
      if (determinate) pushTo(byValue, valueKey(r.output), r);
    }
    if (byValue.size < 2) continue;
    divergence++;
    const groups = [...byValue.values()];
    const node = (r: Call): string => (r.completion?.node ?? r.invoke.node ? ` from ${r.completion?.node ?? r.invoke.node}` : '');
    report(
      'divergence',
      `After the last write of ${key} ended (${formatTime(quietFrom)}), reads of it begun ${graceMs} ms or more later still disagree: ` +
        groups
          .map((g) => `${g.length} read(s) returned ${formatValue(g[0]?.output ?? null)}${node(g[0] as Call)} (first: ${describeCall(g[0] as Call, `read ${key}`)})`)
          .join('; ') +
        '. The replicas did not converge.',
      opIndexes(...groups.map((g) => callOps(g[0] as Call)), ...groups.flatMap((g) => (sources.get(g[0] as Call) as Source).writes.map(callOps))),
      key,
    );
  }

  // Session guarantees, per process (a process is one client session; it is retired after an info).
  let ryw = 0;
  let monotonic = 0;
  const byProcess = new Map<number, Call[]>();
  for (const c of calls) pushTo(byProcess, c.process, c);
  for (const [process, own] of byProcess) {
    const lastWrite = new Map<string, Call>();
    const newestRead = new Map<string, { read: Call; source: Source }>();
    for (const c of own) {
      if (c.key === undefined) continue;
      if (isWrite(c)) {
        if (c.status === 'ok') lastWrite.set(c.key, c);
        continue;
      }
      if (c.f !== 'read' || c.status !== 'ok') continue;
      const s = sources.get(c);
      if (!s) continue;
      const mine = lastWrite.get(c.key);
      if (mine && s.maxEnd < mine.start) {
        ryw++;
        report(
          'read-your-writes',
          `Process ${process} wrote then read ${c.key}, and did not see its own write: ${describeWrite(mine)} was acknowledged, ` +
            `then ${describeCall(c, `read ${c.key}`)} returned ${formatValue(c.output ?? null)}, from ${describeSource(s)}, which is older than that write.`,
          opIndexes(callOps(mine), callOps(c), ...s.writes.map(callOps)),
          c.key,
        );
      }
      const before = newestRead.get(c.key);
      if (before && s.maxEnd < before.source.minStart) {
        monotonic++;
        report(
          'monotonic-reads',
          `Process ${process} read ${c.key} = ${formatValue(before.read.output ?? null)} (${describeCall(before.read, `read ${c.key}`)}), ` +
            `then an older value ${formatValue(c.output ?? null)} (${describeCall(c, `read ${c.key}`)}): ` +
            `${describeSource(s)} completed before ${describeSource(before.source)} was invoked.`,
          opIndexes(callOps(before.read), callOps(c), ...before.source.writes.map(callOps), ...s.writes.map(callOps)),
          c.key,
        );
      }
      if (!before || s.minStart > before.source.minStart) newestRead.set(c.key, { read: c, source: s });
    }
  }

  const found = { 'stale-read': stale, 'read-your-writes': ryw, 'monotonic-reads': monotonic, 'unexpected-value': unexpected, divergence };
  const counted = Object.fromEntries(Object.entries(found).filter(([k]) => enabled.has(k as ConsistencyKind)));
  const valid = Object.values(counted).some((n) => n > 0) ? false : true;
  const writes = [...keys.values()].reduce((n, w) => n + w.possible.length, 0);
  return {
    checker: 'consistency',
    valid,
    summary: `${reads.length} reads, ${writes} writes over ${keys.size} keys: ${formatCounts(counted) === 'none' ? `no ${[...enabled].join(', ')} violations` : formatCounts(counted)}`,
    anomalies: anomalies.list(),
    details: { reads: reads.length, writes, keys: keys.size, ...found, checks: [...enabled], divergenceGraceMs: graceMs, ignored, truncated: anomalies.truncated() },
  };
}
