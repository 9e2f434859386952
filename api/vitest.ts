/**
 * `faultline/vitest`: a campaign as one vitest test.
 *
 *     import { campaignTest } from 'faultline/vitest';
 *     campaignTest('raft stays linearizable under partitions', campaign, { seed: 7 });
 *
 * or, with the matchers this module adds to `expect`:
 *
 *     const result = await runCampaign(campaign);
 *     expect(result).toBeValidRun();        // valid; on failure: verdict table, anomalies, replay
 *     expect(result).toMeetExpectation();   // what the campaign's `expected` says (a bug found)
 *
 * vitest is a peer dependency of this entry only; `faultline` itself never imports it.
 */
import { expect, it } from 'vitest';
import type { CampaignDefinition } from './campaign.js';
import { formatRunResult, runCampaign, type RunOptions, type RunResult } from './run.js';

declare module 'vitest' {
  // `T = any` is vitest's own declaration, which this one merges with.
  interface Matchers<T = any> {
    /** The run's verdict is valid (every checker). */
    toBeValidRun(): T;
    /** The run found what its campaign's `expected` says (valid when it says nothing). */
    toMeetExpectation(): T;
  }
}

function isRunResult(value: unknown): value is RunResult {
  return typeof value === 'object' && value !== null && 'verdict' in value && 'results' in value && 'replay' in value;
}

function notARun(received: unknown): { pass: false; message: () => string } {
  return { pass: false, message: () => `expected a runCampaign result, got ${typeof received === 'object' ? JSON.stringify(received)?.slice(0, 200) : String(received)}` };
}

expect.extend({
  toBeValidRun(received: unknown) {
    if (!isRunResult(received)) return notARun(received);
    const pass = received.valid === true;
    return {
      pass,
      message: () =>
        pass
          ? `expected the run of ${received.campaign} not to be valid, but it was\n\n${formatRunResult(received)}`
          : `expected the run of ${received.campaign} to be valid; the verdict is ${received.verdict}\n\n${formatRunResult(received)}`,
    };
  },
  toMeetExpectation(received: unknown) {
    if (!isRunResult(received)) return notARun(received);
    const pass = received.meetsExpectation;
    const want = received.expected ? `${received.expected.verdict}${received.expected.findings?.length ? ` (${received.expected.findings.join(', ')})` : ''}` : 'valid';
    return {
      pass,
      message: () =>
        pass
          ? `expected the run of ${received.campaign} not to meet its expectation (${want}), but it did\n\n${formatRunResult(received)}`
          : `expected the run of ${received.campaign} to be ${want}; the verdict is ${received.verdict}\n\n${formatRunResult(received)}`,
    };
  },
});

export interface CampaignTestOptions extends RunOptions {
  /** The test's timeout in milliseconds (default 180 s: start-up, the main phase, the final phase, the checks). */
  timeout?: number;
  /** Called with the result before the assertion (to assert more). */
  onResult?: (result: RunResult) => void | Promise<void>;
}

/**
 * One test that runs a campaign and expects it to meet its expectation (valid, unless the
 * campaign's `expected` says it should find a bug). On failure the message is the verdict table,
 * the anomalies, the run folder and the replay.
 */
export function campaignTest(name: string, campaign: CampaignDefinition | string, options: CampaignTestOptions = {}): void {
  const { timeout = 180_000, onResult, ...run } = options;
  it(
    name,
    async () => {
      const result = await runCampaign(campaign, run);
      await onResult?.(result);
      expect(result).toMeetExpectation();
    },
    timeout,
  );
}

export type { RunResult };
