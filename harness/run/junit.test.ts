import { describe, expect, it } from 'vitest';
import type { RunResults } from './check.js';
import { junitErrorXml, junitXml } from './junit.js';

const base: RunResults = {
  campaign: 'raft-partitions',
  system: 'raft',
  seed: 7,
  runId: 'r1',
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 1500,
  valid: true,
  results: [
    { checker: 'linearizable', valid: true, summary: 'linearizable (10 ops)', anomalies: [] },
    { checker: 'perf', valid: true, summary: '10 ops', anomalies: [] },
  ],
  expected: { verdict: 'valid' },
  replay: 'npx faultline run raft-partitions --seed 7',
};
const stale = { kind: 'stale-read', explanation: 'read 1 after <write 2> & "done"', ops: [3, 4] };

function counts(xml: string): { tests: number; failures: number; errors: number; skipped: number } {
  const m = /<testsuite name="[^"]*" tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)"/.exec(xml)!;
  return { tests: Number(m[1]), failures: Number(m[2]), errors: Number(m[3]), skipped: Number(m[4]) };
}

describe('junitXml', () => {
  it('a valid run as expected: one case per checker and the expectation, no failure', () => {
    const xml = junitXml(base, 0);
    expect(counts(xml)).toEqual({ tests: 3, failures: 0, errors: 0, skipped: 0 });
    expect(xml).toContain('<testcase classname="raft-partitions" name="checker linearizable"');
    expect(xml).toContain('<property name="seed" value="7"/>');
  });

  it('a correct system with an anomaly fails the checker and the expectation, escaping the text', () => {
    const xml = junitXml({ ...base, valid: false, results: [{ checker: 'consistency', valid: false, summary: '1 stale read', anomalies: [stale] }] }, 1);
    expect(counts(xml)).toEqual({ tests: 2, failures: 2, errors: 0, skipped: 0 });
    expect(xml).toContain('stale-read: read 1 after &lt;write 2&gt; &amp; "done"');
    expect(xml).toContain('message="expected valid, got INVALID"');
  });

  it('a valid run short of a coverage minimum fails the expectation and says what was not exercised', () => {
    const coverage = { leaderChanges: 0, terms: 1, electionsWithoutWinner: 0, restarts: 2, rejoinsAfterBehind: 0, opsAcrossLeaderChange: 0, statusSamples: 40 };
    const xml = junitXml({ ...base, expected: { verdict: 'valid', coverage: { leaderChanges: 3, restarts: 1 } }, coverage }, 0);
    expect(counts(xml).failures).toBe(1);
    expect(xml).toContain('message="expected valid, coverage leaderChanges &gt;= 3, restarts &gt;= 1, got valid (election bugs not exercised: 0 leader change(s), expected &gt;= 3)"');
  });

  it('a bug campaign: finding the bug passes; not finding it fails', () => {
    const bug = { ...base, expected: { verdict: 'invalid' as const, findings: ['stale-read'] } };
    const found = junitXml({ ...bug, valid: false, results: [{ checker: 'consistency', valid: false, summary: 's', anomalies: [stale] }] }, 1);
    expect(counts(found).failures).toBe(0);
    const missed = junitXml({ ...bug, valid: true }, 0);
    expect(counts(missed).failures).toBe(1);
    expect(missed).toContain('the bug campaign did not find its bug: expected invalid (stale-read), got valid');
  });

  it('unknown verdicts are skipped cases; an interrupted run is an error', () => {
    const xml = junitXml({ ...base, valid: 'unknown', interrupted: 'SIGINT', results: [{ checker: 'linearizable', valid: 'unknown', summary: 'budget', anomalies: [] }] }, 2);
    expect(counts(xml)).toEqual({ tests: 2, failures: 0, errors: 1, skipped: 1 });
    expect(xml).toContain('<error type="interrupted" message="SIGINT"/>');
  });

  it('a run that never started is one error case with the message', () => {
    const xml = junitErrorXml('raft-smoke', 'no Docker engine answers at <x>');
    expect(counts(xml)).toEqual({ tests: 1, failures: 0, errors: 1, skipped: 0 });
    expect(xml).toContain('message="no Docker engine answers at &lt;x&gt;"');
  });
});
