/**
 * The figures of one comparison row, read from the checkers' results (never recomputed here):
 * perf gives counts, availability and latency; consistency gives stale reads, read-your-writes
 * and monotonic-read violations; linearizable gives the verdict.
 */
import type { CheckResult, Validity } from '../../core/result.js';

export interface CompareMetrics {
  ok: number | null;
  fail: number | null;
  info: number | null;
  /** Share of ok among client ops completed inside fault windows (0..1), null when none. */
  availabilityInFaults: number | null;
  availability: number | null;
  staleReads: number | null;
  readYourWrites: number | null;
  monotonicReads: number | null;
  linearizable: Validity | null;
  /** Latency of ok reads and writes, ms. */
  readP50: number | null;
  readP99: number | null;
  writeP50: number | null;
  writeP99: number | null;
}

interface LatencyStats {
  ok?: number;
  fail?: number;
  info?: number;
  p50?: number | null;
  p99?: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function metricsOf(results: readonly CheckResult[]): CompareMetrics {
  const by = (name: string): CheckResult | undefined => results.find((r) => r.checker === name);
  const perf = by('perf')?.details as { latencyMs?: Record<string, LatencyStats>; availability?: Record<string, { share?: unknown }> } | undefined;
  const consistency = by('consistency')?.details as Record<string, unknown> | undefined;
  const lin = by('linearizable');
  const latency = perf?.latencyMs;
  const sum = (field: 'ok' | 'fail' | 'info'): number | null =>
    latency ? Object.values(latency).reduce((n, s) => n + (num(s[field]) ?? 0), 0) : null;
  return {
    ok: sum('ok'),
    fail: sum('fail'),
    info: sum('info'),
    availabilityInFaults: num(perf?.availability?.['insideFaults']?.share),
    availability: num(perf?.availability?.['overall']?.share),
    staleReads: num(consistency?.['stale-read']),
    readYourWrites: num(consistency?.['read-your-writes']),
    monotonicReads: num(consistency?.['monotonic-reads']),
    linearizable: lin ? lin.valid : null,
    readP50: num(latency?.['read']?.p50),
    readP99: num(latency?.['read']?.p99),
    writeP50: num(latency?.['write']?.p50),
    writeP99: num(latency?.['write']?.p99),
  };
}
