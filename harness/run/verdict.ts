/** The verdict table printed at the end of a run (and of a re-check), and the exit code. */
import type { Coverage } from '../../core/coverage.js';
import { describeExpected, judgeExpectation, type Expected } from '../../core/expectation.js';
import type { CheckResult, Validity } from '../../core/result.js';
import { EXIT } from '../../core/errors.js';
import { terminalSafe } from '../cli/terminal.js';

export type { Expected } from '../../core/expectation.js';

export function exitCodeFor(valid: Validity): number {
  return valid === true ? EXIT.valid : valid === false ? EXIT.invalid : EXIT.unknown;
}

export function verdictWord(valid: Validity): string {
  return valid === true ? 'valid' : valid === false ? 'INVALID' : 'unknown';
}

/** The table, the verdict line (which says `interrupted` when the run was stopped early) and the
 *  expectation, with every coverage minimum the run did not reach. */
export function formatVerdictTable(results: readonly CheckResult[], valid: Validity, expected?: Expected, interrupted?: string, coverage?: Coverage): string {
  // checker names and summaries can quote a history's keys and values: shown, never obeyed
  const rows = results.map((r) => [terminalSafe(r.checker), verdictWord(r.valid), terminalSafe(r.summary)]);
  if (rows.length === 0) rows.push(['(no checkers)', 'valid', 'the campaign names no checkers']);
  const w0 = Math.max('checker'.length, ...rows.map((r) => r[0]!.length));
  const w1 = Math.max('verdict'.length, ...rows.map((r) => r[1]!.length));
  const lines = [`${'checker'.padEnd(w0)}  ${'verdict'.padEnd(w1)}  summary`, `${'-'.repeat(w0)}  ${'-'.repeat(w1)}  -------`];
  for (const [a, b, c] of rows) lines.push(`${a!.padEnd(w0)}  ${b!.padEnd(w1)}  ${c}`);
  const early = interrupted === undefined ? '' : valid === false ? ` (interrupted: ${interrupted})` : ` (interrupted: ${interrupted}; no anomalies in the partial history)`;
  lines.push('', `verdict: ${verdictWord(valid)}${early}`);
  if (expected) lines.push(describeExpectation(results, valid, expected, coverage));
  return lines.join('\n');
}

/** Whether the run found what the campaign says it should and reached its coverage minimums
 *  (the detection matrix's question). */
export function meetsExpectation(results: readonly CheckResult[], valid: Validity, expected: Expected, coverage?: Coverage): boolean {
  return judgeExpectation(results, valid, expected, coverage).met;
}

function describeExpectation(results: readonly CheckResult[], valid: Validity, expected: Expected, coverage: Coverage | undefined): string {
  const want = describeExpected(expected);
  const { met, shortfalls } = judgeExpectation(results, valid, expected, coverage);
  if (met) return `expected: ${want}: as expected`;
  return `expected: ${want}: NOT as expected${shortfalls.length ? ` (${shortfalls.join('; ')})` : ''}`;
}
