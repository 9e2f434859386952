import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../core/result.js';
import { runValidity } from './check.js';
import { exitCodeFor, formatVerdictTable, meetsExpectation } from './verdict.js';

const result = (checker: string, valid: CheckResult['valid'], kinds: string[] = []): CheckResult => ({
  checker,
  valid,
  summary: `${checker} says ${String(valid)}`,
  anomalies: kinds.map((kind) => ({ kind, explanation: kind, ops: [1] })),
});

describe('verdict', () => {
  it('maps verdicts to exit codes 0, 1, 2', () => {
    expect(exitCodeFor(true)).toBe(0);
    expect(exitCodeFor(false)).toBe(1);
    expect(exitCodeFor('unknown')).toBe(2);
  });

  it('prints one row per checker, the verdict and the expectation', () => {
    const results = [result('linearizable', false, ['not-linearizable']), result('perf', true)];
    const text = formatVerdictTable(results, false, { verdict: 'invalid', findings: ['not-linearizable'] });
    expect(text).toContain('linearizable  INVALID  linearizable says false');
    expect(text).toContain('perf          valid    perf says true');
    expect(text).toContain('verdict: INVALID');
    expect(text).toContain('expected: invalid (not-linearizable): as expected');
  });

  it('a run short of a coverage minimum does not meet its expectation, and the table says what was not exercised', () => {
    const coverage = { leaderChanges: 0, terms: 1, electionsWithoutWinner: 0, restarts: 2, rejoinsAfterBehind: 0, opsAcrossLeaderChange: 0, statusSamples: 40 };
    const expected = { verdict: 'valid' as const, coverage: { leaderChanges: 3, restarts: 1 } };
    const clean = [result('linearizable', true)];
    expect(meetsExpectation(clean, true, expected, coverage)).toBe(false);
    expect(meetsExpectation(clean, true, expected, { ...coverage, leaderChanges: 3 })).toBe(true);
    // no coverage recorded at all is no coverage reached
    expect(meetsExpectation(clean, true, expected, undefined)).toBe(false);
    const text = formatVerdictTable(clean, true, expected, undefined, coverage);
    expect(text).toContain('verdict: valid');
    expect(text).toContain('expected: valid, coverage leaderChanges >= 3, restarts >= 1: NOT as expected (election bugs not exercised: 0 leader change(s), expected >= 3)');
    // a bug campaign's minimum counts as well as its findings
    const found = [result('consistency', false, ['stale-read'])];
    expect(meetsExpectation(found, false, { verdict: 'invalid', findings: ['stale-read'], coverage: { leaderChanges: 1 } }, coverage)).toBe(false);
    // the parenthesis names the coverage shortfalls only, not the verdict's own reason
    const missed = formatVerdictTable(found, false, { verdict: 'invalid', findings: ['lost-write'], coverage: { leaderChanges: 1 } }, undefined, coverage);
    expect(missed).toContain('NOT as expected (election bugs not exercised: 0 leader change(s), expected >= 1)');
  });

  it('tells an expected finding from a regression', () => {
    const found = [result('consistency', false, ['stale-read'])];
    expect(meetsExpectation(found, false, { verdict: 'invalid', findings: ['stale-read'] })).toBe(true);
    expect(meetsExpectation(found, false, { verdict: 'invalid', findings: ['stale-read', 'lost'] })).toBe(false);
    expect(meetsExpectation(found, false, { verdict: 'valid' })).toBe(false);
    expect(meetsExpectation([result('perf', true)], true, { verdict: 'valid' })).toBe(true);
    expect(meetsExpectation([result('perf', 'unknown')], 'unknown', { verdict: 'invalid' })).toBe(false);
    expect(formatVerdictTable(found, false, { verdict: 'valid' })).toContain('expected: valid: NOT as expected');
  });

  it('never calls an interrupted run valid: anomalies so far exit 1, none exit 2, and the verdict line says interrupted', () => {
    const clean = [result('perf', true)];
    const found = [result('consistency', false, ['stale-read'])];
    expect(runValidity(clean, undefined)).toBe(true);
    expect(runValidity(clean, 'SIGINT')).toBe('unknown');
    expect(exitCodeFor(runValidity(clean, 'SIGINT'))).toBe(2);
    expect(runValidity(found, 'SIGTERM')).toBe(false);
    expect(exitCodeFor(runValidity(found, 'SIGTERM'))).toBe(1);
    expect(formatVerdictTable(clean, 'unknown', undefined, 'SIGINT')).toContain('verdict: unknown (interrupted: SIGINT; no anomalies in the partial history)');
    expect(formatVerdictTable(found, false, undefined, 'output closed (EPIPE)')).toContain('verdict: INVALID (interrupted: output closed (EPIPE))');
    expect(formatVerdictTable(clean, true)).toMatch(/verdict: valid$/m);
  });
});
