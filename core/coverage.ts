/**
 * What a run put the system through (its coverage), by name: the counts `checkers/coverage`
 * makes from the status monitor's samples and the nemesis ops, the counts a campaign's
 * `expected.coverage` can require, and the words the verdict table and the report use for them.
 */

/** The counts, in the order every table shows them. */
export const COVERAGE_COUNTS = ['leaderChanges', 'terms', 'electionsWithoutWinner', 'restarts', 'rejoinsAfterBehind', 'opsAcrossLeaderChange'] as const;

export type CoverageCount = (typeof COVERAGE_COUNTS)[number];

export type Coverage = Record<CoverageCount, number> & {
  /** Status answers the monitor recorded (0: the system has no status endpoint, so the leader counts are unknown). */
  statusSamples: number;
};

/** Each count as a phrase after its number ("3 leader change(s)"). */
export const COVERAGE_LABELS: Readonly<Record<CoverageCount, string>> = {
  leaderChanges: 'leader change(s)',
  terms: 'term(s)',
  electionsWithoutWinner: 'election(s) without a winner',
  restarts: 'restart(s)',
  rejoinsAfterBehind: 'node(s) rejoined after falling behind',
  opsAcrossLeaderChange: 'op(s) ok across a leader change',
};

/** What a run cannot have tested when a count is short (the verdict table's words, and the
 *  coverage checker's when the leader never changed). */
export const NOT_EXERCISED: Readonly<Record<CoverageCount, string>> = {
  leaderChanges: 'election bugs not exercised',
  terms: 'election bugs not exercised',
  electionsWithoutWinner: 'split votes not exercised',
  restarts: 'crash recovery not exercised',
  rejoinsAfterBehind: 'catching up after falling behind not exercised',
  opsAcrossLeaderChange: 'ops across a leader change not exercised',
};

/** Minimum counts a campaign requires (`expected.coverage`). */
export type CoverageMinimums = Partial<Record<CoverageCount, number>>;

export interface CoverageShortfall {
  count: CoverageCount;
  got: number;
  min: number;
}

/** The required counts a run did not reach (a run without coverage counts reached none). */
export function coverageShortfalls(min: CoverageMinimums | undefined, coverage: Coverage | undefined): CoverageShortfall[] {
  const out: CoverageShortfall[] = [];
  for (const count of COVERAGE_COUNTS) {
    const want = min?.[count];
    if (want === undefined) continue;
    const got = coverage?.[count] ?? 0;
    if (got < want) out.push({ count, got, min: want });
  }
  return out;
}

/** "election bugs not exercised: 0 leader change(s), expected >= 3". */
export function describeShortfall(s: CoverageShortfall): string {
  return `${NOT_EXERCISED[s.count]}: ${s.got} ${COVERAGE_LABELS[s.count]}, expected >= ${s.min}`;
}

/** "3 leader change(s), 4 term(s), ...": every count, in order. */
export function describeCoverage(c: Coverage): string {
  return COVERAGE_COUNTS.map((k) => `${c[k]} ${COVERAGE_LABELS[k]}`).join(', ');
}
