import { describe, expect, it } from 'vitest';
import { HistoryBuilder } from '../common/history-builder.js';
import { checkPerfHistory, DEFAULT_MIN_AVAILABILITY_OUTSIDE_FAULTS, quantile, type Availability, type LatencyStats, type ThroughputBucket } from './index.js';

describe('quantile', () => {
  it('is nearest-rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(xs, 0.5)).toBe(50);
    expect(quantile(xs, 0.95)).toBe(95);
    expect(quantile(xs, 0.99)).toBe(99);
    expect(quantile(xs, 1)).toBe(100);
    expect(quantile([7], 0.5)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
  });
});

function run(): HistoryBuilder {
  const h = new HistoryBuilder();
  // 0-1 s: 10 ok reads of 10 ms, 10 ok writes of 20..29 ms.
  for (let i = 0; i < 10; i++) {
    h.call({ process: 1, f: 'read', key: 'x', start: i * 50, end: i * 50 + 10, result: null });
    h.call({ process: 2, f: 'write', key: 'x', value: i, start: i * 50, end: i * 50 + 20 + i });
  }
  // A partition from 1.0 s to 2.0 s: 4 reads, 1 ok, 2 fail, 1 info.
  h.nemesis('start-partition', 1000, 1001, { mode: 'halves' });
  h.call({ process: 1, f: 'read', key: 'x', start: 1100, end: 1110, result: null });
  h.call({ process: 1, f: 'read', key: 'x', start: 1200, end: 1210, type: 'fail' });
  h.call({ process: 1, f: 'read', key: 'x', start: 1300, end: 1310, type: 'fail' });
  h.call({ process: 3, f: 'read', key: 'x', start: 1400, end: 1900, type: 'info' });
  h.nemesis('stop-partition', 2000, 2001);
  // 2-3 s: healed, 4 ok.
  for (let i = 0; i < 4; i++) h.call({ process: 1, f: 'read', key: 'x', start: 2100 + i * 100, end: 2110 + i * 100, result: null });
  h.call({ process: 4, f: 'read', key: 'x', start: 2900 }); // pending: not counted
  return h;
}

describe('perf checker', () => {
  it('computes latency quantiles per op type, throughput per second and availability in and out of faults', () => {
    const r = checkPerfHistory(run().build());
    expect(r.valid).toBe(true);
    const d = r.details as {
      latencyMs: Record<string, LatencyStats>;
      throughput: { buckets: ThroughputBucket[] };
      availability: Record<string, Availability>;
      faultWindows: unknown[];
    };
    expect(d.latencyMs.read).toMatchObject({ ok: 15, fail: 2, info: 1, pending: 1, p50: 10, max: 10 });
    expect(d.latencyMs.write).toMatchObject({ ok: 10, p50: 24, p95: 29, p99: 29, max: 29 });
    expect(d.throughput.buckets.map((b) => [b.t, b.ok, b.fail, b.info, b.opsPerSec])).toEqual([
      [0, 20, 0, 0, 20],
      [1, 1, 2, 1, 4],
      [2, 4, 0, 0, 4],
    ]);
    expect(d.availability.overall).toEqual({ completed: 28, ok: 25, share: 0.893 });
    expect(d.availability.insideFaults).toEqual({ completed: 4, ok: 1, share: 0.25 });
    expect(d.availability.outsideFaults).toEqual({ completed: 24, ok: 24, share: 1 });
    expect(d.faultWindows).toHaveLength(1);
    expect(r.summary).toContain('availability 89.3% (25.0% in faults, 100.0% outside)');
  });

  it('is invalid only when a given threshold is broken, naming it', () => {
    const history = run().build();
    expect(checkPerfHistory(history, { minAvailabilityOutsideFaults: 0.99, minAvailability: 0.8 }).valid).toBe(true);
    const r = checkPerfHistory(history, { minAvailabilityInsideFaults: 0.5, maxP99Ms: 25 });
    expect(r.valid).toBe(false);
    expect(r.anomalies.map((a) => a.kind)).toEqual(['availability', 'latency']);
    expect(r.anomalies[0]?.explanation).toContain('inside fault windows was 25.0% (1 ok of 4');
    expect(r.anomalies[1]?.explanation).toContain('p99 latency of write was 29 ms');
    expect(r.anomalies[1]?.ops).toHaveLength(2);
  });

  it('is unavailable when an op type completed but never ok (Jepsen stats), with the numbers', () => {
    const h = new HistoryBuilder();
    for (let i = 0; i < 10; i++) h.call({ process: 1, f: 'read', key: 'x', start: i * 50, end: i * 50 + 10, result: null });
    h.call({ process: 2, f: 'write', key: 'x', value: 1, start: 20, end: 30, type: 'fail' });
    h.call({ process: 2, f: 'write', key: 'x', value: 2, start: 40, end: 540, type: 'info' });
    h.call({ process: 3, f: 'cas', key: 'x', value: [1, 2], start: 600 }); // pending only: never completed, not judged
    const r = checkPerfHistory(h.build());
    expect(r.valid).toBe(false);
    expect(r.anomalies.map((a) => a.kind)).toEqual(['unavailable']);
    expect(r.anomalies[0]?.explanation).toBe("No write ever succeeded: 0 ok of 2 completed (1 fail, 1 info); the first was process 2's at 0.020s.");
    expect(r.anomalies[0]?.ops).toHaveLength(2);
    expect(r.summary).toContain('UNAVAILABLE: no write ever ok');
  });

  it('is unavailable when availability outside faults is below the floor (default 50%, the campaign may set it)', () => {
    const h = new HistoryBuilder();
    // Outside faults: 3 ok, 7 fail of 10 reads.
    for (let i = 0; i < 10; i++) h.call({ process: 1, f: 'read', key: 'x', start: i * 50, end: i * 50 + 10, ...(i < 3 ? { result: null } : { type: 'fail' as const }) });
    const history = h.build();
    expect(DEFAULT_MIN_AVAILABILITY_OUTSIDE_FAULTS).toBe(0.5);
    const r = checkPerfHistory(history);
    expect(r.valid).toBe(false);
    expect(r.anomalies.map((a) => a.kind)).toEqual(['unavailable']);
    expect(r.anomalies[0]?.explanation).toBe('Availability outside fault windows was 30.0% (3 ok of 10 completed client ops), below minAvailabilityOutsideFaults = 50.0%.');
    expect(r.summary).toContain('UNAVAILABLE: 30.0% ok outside fault windows, floor 50.0%');
    expect(checkPerfHistory(history, { minAvailabilityOutsideFaults: 0.3 }).valid).toBe(true);
    expect(checkPerfHistory(history, { minAvailabilityOutsideFaults: 0 }).valid).toBe(true);
    expect((checkPerfHistory(history, { minAvailabilityOutsideFaults: 0.9 }).details as { thresholds: Record<string, number> }).thresholds.minAvailabilityOutsideFaults).toBe(0.9);
  });

  it('rejects a threshold outside 0..1', () => {
    expect(() => checkPerfHistory([], { minAvailability: 95 })).toThrow(/^minAvailability: checker perf: .*<=1/);
  });

  it('handles an empty history', () => {
    const r = checkPerfHistory([]);
    expect(r.valid).toBe(true);
    expect(r.summary).toContain('0 client ops');
  });
});
