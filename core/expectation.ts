/**
 * A campaign's `expected`: the verdict it should reach, the findings it should make, and the
 * coverage it must reach (minimum counts). One judgement for the verdict table, the API's
 * `meetsExpectation`, JUnit, the detection matrix and the report page.
 */
import { coverageShortfalls, describeShortfall, type Coverage, type CoverageMinimums } from './coverage.js';
import type { CheckResult, Validity } from './result.js';

export interface Expected {
  verdict: 'valid' | 'invalid';
  findings?: string[];
  /** Minimum counts of what the run put the system through (results.json `coverage`). */
  coverage?: CoverageMinimums;
}

export interface ExpectationOutcome {
  met: boolean;
  /** Why not, one phrase each ("found nothing", "election bugs not exercised: 0 leader change(s), expected >= 3"). */
  reasons: string[];
  /** The reasons that are coverage minimums not reached (the last of `reasons`). */
  shortfalls: string[];
}

export function judgeExpectation(results: readonly CheckResult[], valid: Validity, expected: Expected, coverage: Coverage | undefined): ExpectationOutcome {
  const reasons: string[] = [];
  if (expected.verdict === 'valid') {
    if (valid !== true) reasons.push(valid === false ? 'anomalies found' : 'verdict unknown');
  } else if (valid !== false) {
    reasons.push('found nothing');
  } else {
    const kinds = new Set(results.flatMap((r) => r.anomalies.map((a) => a.kind)));
    const missing = (expected.findings ?? []).filter((k) => !kinds.has(k));
    if (missing.length) reasons.push(`not found: ${missing.join(', ')}`);
  }
  const shortfalls = coverageShortfalls(expected.coverage, coverage).map(describeShortfall);
  reasons.push(...shortfalls);
  return { met: reasons.length === 0, reasons, shortfalls };
}

/** What the expectation asks, in words: "valid, coverage leaderChanges >= 3". */
export function describeExpected(expected: Expected): string {
  const min = Object.entries(expected.coverage ?? {}).map(([k, v]) => `${k} >= ${v}`);
  return `${expected.verdict}${expected.findings?.length ? ` (${expected.findings.join(', ')})` : ''}${min.length ? `, coverage ${min.join(', ')}` : ''}`;
}
