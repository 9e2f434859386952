import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { judge, summarize, type Entry } from './detection-matrix.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A run folder whose checkers found `kinds` (each anomaly pointing at op 1, completed at 2.5 s). */
function folder(kinds: string[]): string {
  const d = mkdtempSync(join(tmpdir(), 'faultline-det-'));
  dirs.push(d);
  writeFileSync(join(d, 'results.json'), JSON.stringify({ results: [{ anomalies: kinds.map((kind) => ({ kind, ops: [0, 1] })) }] }));
  writeFileSync(join(d, 'history.jsonl'), `${JSON.stringify({ index: 0, time: 1e9 })}\n${JSON.stringify({ index: 1, time: 2.5e9 })}\n`);
  return d;
}

const bug: Entry = { name: 'bugs/x-y', role: 'bug', verdict: 'invalid', findings: ['lost', 'stuck'], timeLimitMs: 5000 };
const correct: Entry = { name: 'x-partitions', role: 'correct', verdict: 'valid', findings: [], timeLimitMs: 5000 };
const claim: Entry = { name: 'store-z', role: 'claim', verdict: 'invalid', findings: ['not-linearizable'], timeLimitMs: 5000 };

describe('detection judgement', () => {
  it('a bug run passes only with exit 1 and every expected finding; first evidence is the witness end', () => {
    const found = judge(bug, 1, 1, 9000, folder(['lost', 'stuck', 'duplicated']), '');
    expect(found).toMatchObject({ pass: true, note: 'also: duplicated', firstEvidenceS: 2.5 });
    expect(judge(bug, 1, 1, 9000, folder(['lost']), '')).toMatchObject({ pass: false, note: 'MISSED: no stuck' });
    expect(judge(bug, 1, 0, 9000, folder([]), '')).toMatchObject({ pass: false, note: 'MISSED: the run passed' });
    expect(judge(bug, 1, 2, 9000, folder(['lost', 'stuck']), '')).toMatchObject({ pass: false });
  });

  it('a correct run passes only with exit 0; any finding is a false alarm', () => {
    expect(judge(correct, 2, 0, 9000, folder([]), '').pass).toBe(true);
    expect(judge(correct, 2, 1, 9000, folder(['gap']), '')).toMatchObject({ pass: false, note: 'FALSE ALARM: gap' });
    expect(judge(correct, 2, 3, 900, undefined, 'faultline: boom\n')).toMatchObject({ pass: false, note: 'error (exit 3): faultline: boom' });
  });

  it('a claim run may show its expected findings, and nothing else', () => {
    expect(judge(claim, 1, 1, 9000, folder(['not-linearizable']), '')).toMatchObject({ pass: true, note: 'expected finding' });
    expect(judge(claim, 1, 0, 9000, folder([]), '')).toMatchObject({ pass: true, note: 'claim held this time' });
    expect(judge(claim, 1, 1, 9000, folder(['not-linearizable', 'divergence']), '')).toMatchObject({ pass: false, note: 'REGRESSION: unexpected divergence' });
  });

  it('the summary counts regressions and shows time to detection', () => {
    const runs = [judge(bug, 1, 1, 8000, folder(['lost', 'stuck']), ''), judge(bug, 2, 1, 12000, folder(['lost', 'stuck']), ''), judge(correct, 1, 1, 9000, folder(['gap']), '')];
    const { markdown, regressions } = summarize([bug, correct], runs, [1, 2]);
    expect(regressions).toBe(1);
    expect(markdown).toContain('| bugs/x-y | bug | invalid: lost, stuck | 2/2 | 8.0 s | 12.0 s | 2.5 s | lost (2/2), stuck (2/2) | ok |');
    expect(markdown).toContain('seed 1: FALSE ALARM: gap');
  });
});
