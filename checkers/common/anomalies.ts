/** Collects anomalies, counting every one but keeping at most `limit` of each kind for the report. */
import type { Anomaly } from '../../core/result.js';

export const DEFAULT_ANOMALY_LIMIT = 100;

export class AnomalyList {
  readonly counts: Record<string, number> = {};
  private readonly kept: Anomaly[] = [];

  constructor(private readonly limit = DEFAULT_ANOMALY_LIMIT) {}

  add(anomaly: Anomaly): void {
    const n = (this.counts[anomaly.kind] ?? 0) + 1;
    this.counts[anomaly.kind] = n;
    if (n <= this.limit) this.kept.push(anomaly);
  }

  count(kind: string): number {
    return this.counts[kind] ?? 0;
  }

  /** Kinds with more anomalies than were kept. */
  truncated(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [kind, n] of Object.entries(this.counts)) if (n > this.limit) out[kind] = n - this.limit;
    return out;
  }

  list(): Anomaly[] {
    return [...this.kept];
  }
}
