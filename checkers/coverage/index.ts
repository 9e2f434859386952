/**
 * Coverage: what a run put the system through (checkers/coverage/count.ts counts it: leader
 * changes, terms, elections without a winner, restarts, nodes that rejoined after falling behind,
 * ops ok across a leader change). Never invalid: a run whose leader never changed says "election
 * bugs not exercised" in its summary. Minimums belong to the campaign's expectation
 * (`expected: {coverage: {leaderChanges: 3}}`), not to this checker: the counts are in every
 * run's results.json whether or not this checker is listed.
 */
import { describeCoverage, NOT_EXERCISED } from '../../core/coverage.js';
import type { Op } from '../../core/op.js';
import type { CheckResult } from '../../core/result.js';
import { z } from 'zod';
import { checkerOptions } from '../common/options.js';
import { coverageOf } from './count.js';

export { CoverageCounter, coverageOf } from './count.js';

/** The `coverage` checker's options: none (minimums are the campaign's `expected.coverage`). */
export const coverageOptions = z.strictObject(
  {},
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' && issue.keys.includes('min')
        ? "min moved to the campaign's expectation: write expected: {verdict: valid, coverage: {leaderChanges: 3}}"
        : undefined,
  },
);

export function checkCoverageHistory(history: readonly Op[], options: Record<string, unknown> = {}): CheckResult {
  checkerOptions('coverage', coverageOptions, options);
  const c = coverageOf(history);
  let summary = c.statusSamples === 0 ? `no status samples (the system has no status endpoint): leader coverage unknown; ${c.restarts} restart(s)` : describeCoverage(c);
  if (c.statusSamples > 0 && c.leaderChanges === 0) summary += `; ${NOT_EXERCISED.leaderChanges} (the leader never changed)`;
  return { checker: 'coverage', valid: true, summary, anomalies: [], details: { ...c } };
}
