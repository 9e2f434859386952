import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../harness/descriptor.js';
import { killAll, startedNodes } from '../harness/run/testing.js';
import { defineCampaign, type RunResult } from './index.js';
import { campaignTest } from './vitest.js';

const fixtures = join(projectRoot, 'harness', 'run', 'fixtures');
const out = mkdtempSync(join(tmpdir(), 'faultline-vitest-'));
const started: number[] = [];
afterAll(() => {
  killAll(started);
  rmSync(out, { recursive: true, force: true });
});

/** A finished run as runCampaign returns it: one checker found a stale read. */
const invalid: RunResult = {
  valid: false,
  verdict: 'invalid',
  anomalies: [{ checker: 'consistency', kind: 'stale-read', explanation: 'read 0 of k1 after write 1 completed', ops: [3, 7], key: 'k1' }],
  results: [
    { checker: 'consistency', valid: false, summary: '1 stale-read', anomalies: [{ kind: 'stale-read', explanation: 'read 0 of k1 after write 1 completed', ops: [3, 7], key: 'k1' }] },
    { checker: 'perf', valid: true, summary: 'p50 2 ms', anomalies: [] },
  ],
  dir: '/tmp/runs/demo/2026-01-01T00-00-00.000Z',
  exitCode: 1,
  meetsExpectation: false,
  replay: 'npx faultline run demo --seed 9',
  seed: 9,
  campaign: 'demo',
};

describe('the matchers', () => {
  it('toBeValidRun fails with the verdict table, the anomalies and the replay command', () => {
    let message = '';
    try {
      expect(invalid).toBeValidRun();
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('expected the run of demo to be valid; the verdict is invalid');
    expect(message).toMatch(/consistency\s+INVALID\s+1 stale-read/);
    expect(message).toContain('[consistency] stale-read (key k1): read 0 of k1 after write 1 completed');
    expect(message).toContain('replay: npx faultline run demo --seed 9');
    expect({ ...invalid, valid: true, verdict: 'valid', anomalies: [] }).toBeValidRun();
    expect(invalid).not.toBeValidRun();
  });

  it('toMeetExpectation passes when a bug campaign finds its bug, and says what was expected when not', () => {
    const found = { ...invalid, expected: { verdict: 'invalid' as const, findings: ['stale-read'] }, meetsExpectation: true };
    expect(found).toMeetExpectation();
    expect(() => expect({ ...found, meetsExpectation: false, valid: true, verdict: 'valid' as const }).toMeetExpectation()).toThrow(
      'expected the run of demo to be invalid (stale-read); the verdict is valid',
    );
    expect(() => expect({ verdict: 'valid' }).toBeValidRun()).toThrow(/expected a runCampaign result/);
  });
});

describe('campaignTest', () => {
  campaignTest(
    'a campaign is one test',
    defineCampaign({
      name: 'vitest-fake',
      system: join(fixtures, 'fake-system.yaml'),
      workload: { name: join(fixtures, 'fake-workload.mjs'), options: { keys: 2 } },
      clients: { concurrency: 2, rate: 50, timeout: '500ms' },
      time_limit: '500ms',
      final: { enabled: false },
      checkers: ['perf'],
    }),
    {
      seed: 1,
      out,
      onResult: (result) => {
        started.push(...startedNodes(result.dir).map((n) => n.pid));
        expect(result.results.map((r) => r.checker)).toEqual(['perf']);
        expect(result.seed).toBe(1);
      },
    },
  );
});
