/** What every checker returns (shared/DESIGN.md: `check(history, options) -> { valid, ...details }`). */

export type Validity = true | false | 'unknown';

/** One thing a checker found wrong, for people: what it is, in words, and which ops show it. */
export interface Anomaly {
  /** Short machine name: `stale-read`, `lost`, `duplicate`, `not-linearizable`, `two-leaders`, ... */
  kind: string;
  /** A sentence a person can follow. */
  explanation: string;
  /** `index` of every history op involved, so a report can highlight them. */
  ops: number[];
  key?: string;
  /** The part that found it, when the checker is composed of several (`composeCheckers`). */
  part?: string;
}

export interface CheckResult {
  /** The checker's registry name. */
  checker: string;
  valid: Validity;
  /** One line for the verdict table. */
  summary: string;
  anomalies: Anomaly[];
  /** Checker-specific JSON (the linearizability witness, latency quantiles, counts...). */
  details?: Record<string, unknown>;
}

/** The worst verdict wins: false over "unknown" over true. */
export function combineValidity(values: Iterable<Validity>): Validity {
  let result: Validity = true;
  for (const v of values) {
    if (v === false) return false;
    if (v === 'unknown') result = 'unknown';
  }
  return result;
}
