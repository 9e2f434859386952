/**
 * Performance of a run: latency quantiles per op type, throughput over time, and availability
 * (the share of `ok` among completed client ops) inside and outside fault windows. Invalid when
 * the system was not available (anomaly `unavailable`): an op type completed but never `ok`
 * (Jepsen's `stats` checker), or availability outside fault windows below its floor (default
 * DEFAULT_MIN_AVAILABILITY_OUTSIDE_FAULTS); and when a threshold option is given and broken.
 */
import type { Op } from '../../core/op.js';
import type { CheckResult } from '../../core/result.js';
import { AnomalyList } from '../common/anomalies.js';
import { callOps, pairCalls, type Call } from '../common/calls.js';
import { faultWindows, mergeWindows, overlaps, type FaultWindow } from '../common/faults.js';
import { z } from 'zod';
import { checkerOptions } from '../common/options.js';

const share = z.number().min(0).max(1);

/** The `perf` checker's options. */
export const perfOptions = z.strictObject({
  /** Throughput bucket width, ms. Default 1000. */
  bucketMs: z.number().min(1).default(1000),
  /** Thresholds (0..1 for availability): when given and broken, the result is invalid. */
  minAvailability: share.optional(),
  /** Default DEFAULT_MIN_AVAILABILITY_OUTSIDE_FAULTS; 0 turns the floor off. */
  minAvailabilityOutsideFaults: share.optional(),
  minAvailabilityInsideFaults: share.optional(),
  /** The p99 latency of ok ops of every op type must be at most this, ms. */
  maxP99Ms: z.number().min(0).optional(),
});
export type PerfCheckOptions = z.input<typeof perfOptions>;

export interface LatencyStats {
  ok: number;
  fail: number;
  info: number;
  pending: number;
  /** Latencies of ok ops, ms; null when there is none. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

export interface ThroughputBucket {
  /** Bucket start, seconds since the run started. */
  t: number;
  ok: number;
  fail: number;
  info: number;
  /** Completions per second in this bucket. */
  opsPerSec: number;
}

export interface Availability {
  completed: number;
  ok: number;
  /** ok / completed, null when nothing completed. */
  share: number | null;
}

/** Nearest-rank quantile of sorted numbers. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

const round = (x: number | null): number | null => (x === null ? null : Math.round(x * 1000) / 1000);

function latencyStats(calls: readonly Call[]): LatencyStats {
  const ms = calls.filter((c) => c.status === 'ok').map((c) => (c.end - c.start) / 1e6).sort((a, b) => a - b);
  const count = (s: Call['status']): number => calls.filter((c) => c.status === s).length;
  return {
    ok: ms.length,
    fail: count('fail'),
    info: count('info'),
    pending: count('pending'),
    p50: round(quantile(ms, 0.5)),
    p95: round(quantile(ms, 0.95)),
    p99: round(quantile(ms, 0.99)),
    max: round(ms.length ? (ms[ms.length - 1] as number) : null),
    mean: round(ms.length ? ms.reduce((a, b) => a + b, 0) / ms.length : null),
  };
}

function availability(calls: readonly Call[]): Availability {
  const ok = calls.filter((c) => c.status === 'ok').length;
  return { completed: calls.length, ok, share: calls.length ? round(ok / calls.length) : null };
}

/** The availability floor outside fault windows when the campaign sets none: a healed system
 *  that answers fewer than half of its requests is not available, whatever else holds. */
export const DEFAULT_MIN_AVAILABILITY_OUTSIDE_FAULTS = 0.5;

const percent = (share: number | null): string => (share === null ? 'n/a' : `${(share * 100).toFixed(1)}%`);

export function checkPerfHistory(history: readonly Op[], options: PerfCheckOptions = {}): CheckResult {
  const opts = checkerOptions('perf', perfOptions, options);
  const { bucketMs, minAvailability, maxP99Ms } = opts;
  const minOutside = opts.minAvailabilityOutsideFaults ?? DEFAULT_MIN_AVAILABILITY_OUTSIDE_FAULTS;
  const minInside = opts.minAvailabilityInsideFaults;

  const { calls } = pairCalls(history);
  const byF = new Map<string, Call[]>();
  for (const c of calls) {
    const list = byF.get(c.f);
    if (list) list.push(c);
    else byF.set(c.f, [c]);
  }
  const latency: Record<string, LatencyStats> = {};
  for (const [f, list] of [...byF].sort(([a], [b]) => a.localeCompare(b))) latency[f] = latencyStats(list);

  const completed = calls.filter((c) => c.status !== 'pending');
  const endOfHistory = history.reduce((m, op) => Math.max(m, op.time), 0);

  const bucketNs = bucketMs * 1e6;
  const buckets: ThroughputBucket[] = [];
  const nBuckets = completed.length ? Math.floor(endOfHistory / bucketNs) + 1 : 0;
  for (let i = 0; i < nBuckets; i++) buckets.push({ t: (i * bucketMs) / 1000, ok: 0, fail: 0, info: 0, opsPerSec: 0 });
  for (const c of completed) {
    const b = buckets[Math.min(nBuckets - 1, Math.max(0, Math.floor(c.end / bucketNs)))] as ThroughputBucket;
    b[c.status as 'ok' | 'fail' | 'info']++;
  }
  for (const b of buckets) b.opsPerSec = round(((b.ok + b.fail + b.info) * 1000) / bucketMs) as number;

  const windows: FaultWindow[] = faultWindows(history);
  const merged = mergeWindows(windows.map((w) => ({ start: w.start, end: Math.min(w.end, endOfHistory) })));
  const inside = completed.filter((c) => overlaps(merged, c.start, c.end));
  const outside = completed.filter((c) => !overlaps(merged, c.start, c.end));
  const avail = { overall: availability(completed), insideFaults: availability(inside), outsideFaults: availability(outside) };
  const faultNs = merged.reduce((n, i) => n + (i.end - i.start), 0);

  const anomalies = new AnomalyList();
  /** Why the system counts as unavailable, short, for the summary line. */
  const unavailable: string[] = [];
  // Jepsen's stats checker: an op type the clients issued that never once succeeded.
  for (const [f, s] of Object.entries(latency)) {
    if (s.ok > 0 || s.fail + s.info === 0) continue;
    const first = (byF.get(f) as Call[]).find((c) => c.status !== 'pending') as Call;
    anomalies.add({
      kind: 'unavailable',
      explanation: `No ${f} ever succeeded: 0 ok of ${s.fail + s.info} completed (${s.fail} fail, ${s.info} info); the first was process ${first.process}'s at ${(first.start / 1e9).toFixed(3)}s.`,
      ops: callOps(first),
    });
    unavailable.push(`no ${f} ever ok`);
  }
  const threshold = (kind: string, name: string, got: Availability, min: number | undefined, where: string): void => {
    if (min === undefined || got.share === null || got.share >= min) return;
    if (kind === 'unavailable') unavailable.push(`${percent(got.share)} ok ${where}, floor ${percent(min)}`);
    anomalies.add({
      kind,
      explanation: `Availability ${where} was ${percent(got.share)} (${got.ok} ok of ${got.completed} completed client ops), below ${name} = ${percent(min)}.`,
      ops: [],
    });
  };
  threshold('availability', 'minAvailability', avail.overall, minAvailability, 'over the whole run');
  threshold('unavailable', 'minAvailabilityOutsideFaults', avail.outsideFaults, minOutside, 'outside fault windows');
  threshold('availability', 'minAvailabilityInsideFaults', avail.insideFaults, minInside, 'inside fault windows');
  if (maxP99Ms !== undefined) {
    for (const [f, s] of Object.entries(latency)) {
      if (s.p99 === null || s.p99 <= maxP99Ms) continue;
      const slowest = (byF.get(f) as Call[]).filter((c) => c.status === 'ok').reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
      anomalies.add({
        kind: 'latency',
        explanation: `The p99 latency of ${f} was ${s.p99} ms, above maxP99Ms = ${maxP99Ms} ms; the slowest was process ${slowest.process}'s ${f} at ${(slowest.start / 1e9).toFixed(3)}s, ${round((slowest.end - slowest.start) / 1e6)} ms (ops #${slowest.invoke.index}, #${slowest.completion?.index}).`,
        ops: slowest.completion ? [slowest.invoke.index, slowest.completion.index] : [slowest.invoke.index],
      });
    }
  }

  const durationS = endOfHistory / 1e9;
  const meanThroughput = durationS > 0 ? round(completed.length / durationS) : null;
  const summary =
    `${completed.length} client ops in ${durationS.toFixed(1)}s (${meanThroughput ?? 0} ops/s); availability ${percent(avail.overall.share)}` +
    (merged.length ? ` (${percent(avail.insideFaults.share)} in faults, ${percent(avail.outsideFaults.share)} outside)` : '') +
    (unavailable.length ? `; UNAVAILABLE: ${unavailable.join('; ')}` : '') +
    (anomalies.list().length > unavailable.length ? `; ${anomalies.list().length - unavailable.length} threshold(s) broken` : '');
  return {
    checker: 'perf',
    valid: anomalies.list().length === 0,
    summary,
    anomalies: anomalies.list(),
    details: {
      latencyMs: latency,
      throughput: { bucketMs, meanOpsPerSec: meanThroughput, buckets },
      availability: avail,
      faultWindows: windows.map((w) => ({ ...w, end: Number.isFinite(w.end) ? w.end : null })),
      faultSeconds: round(faultNs / 1e9),
      thresholds: { minAvailability, minAvailabilityOutsideFaults: minOutside, minAvailabilityInsideFaults: minInside, maxP99Ms },
    },
  };
}
