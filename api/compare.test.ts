/** `compareCampaign`: `faultline compare` from code, on the process runtime. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll, startedNodes } from '../harness/run/testing.js';
import { compareCampaign, formatCompareResult, UserError } from './index.js';

const out = mkdtempSync(join(tmpdir(), 'faultline-api-compare-'));
const started: number[] = [];
afterAll(() => {
  killAll(started);
  rmSync(out, { recursive: true, force: true });
});

const campaign = join(out, 'store-compare.yaml');
writeFileSync(
  campaign,
  `system: store
workload: {name: register, options: {keys: 2}}
clients: {concurrency: 3, rate: 60, timeout: 1s}
time_limit: 1s
final: {settle: 200ms, timeout: 2s}
nemesis:
  timeline:
    - {type: partition, shapes: [isolate-leader], at: 300ms, duration: 500ms}
checkers: [consistency]
`,
);

describe('compareCampaign', () => {
  it('runs a store campaign once per level with one seed, as `faultline compare` does: rows, compare.html, replay, the printed table', async () => {
    const result = await compareCampaign(campaign, { levels: ['strong', 'eventual'], seed: 5, out });
    for (const row of result.rows) started.push(...startedNodes(join(result.dir, row.runDir)).map((n) => n.pid));
    expect(result.rows.map((r) => r.variant.label)).toEqual(['strong', 'eventual']);
    expect(result.complete).toBe(true);
    expect(result.seed).toBe(5);
    expect(existsSync(result.report)).toBe(true);
    expect(result.replay).toMatch(/^npx faultline compare .*store-compare\.yaml --seed 5 .*--levels strong,eventual/);
    // every run had the seed and the linearizable checker the comparison adds
    for (const row of result.rows) {
      const run = JSON.parse(readFileSync(join(result.dir, row.runDir, 'results.json'), 'utf8')) as { seed: number; results: { checker: string }[] };
      expect(run.seed).toBe(5);
      expect(run.results.map((r) => r.checker)).toEqual(expect.arrayContaining(['consistency', 'linearizable', 'perf']));
    }
    const worst = result.rows.some((r) => r.valid === false) ? false : result.rows.some((r) => r.valid === 'unknown') ? 'unknown' : true;
    expect(result.valid).toBe(worst);
    const text = formatCompareResult(result).split('\n');
    expect(text[0]).toBe(`store-compare, seed 5, same fault schedule for every run:`);
    expect(text[1]).toMatch(/^setting\s+ok\s+fail/);
    expect(text.slice(3, 5).map((l) => l.split(/\s+/)[0])).toEqual(['strong', 'eventual']);
    expect(text).toContain(`comparison: ${result.report}`);
  }, 120_000);

  it('a comparison stopped before its runs is no pass: not complete, at best unknown', async () => {
    const stop = new AbortController();
    stop.abort();
    const result = await compareCampaign(campaign, { levels: ['strong'], seed: 6, out, signal: stop.signal });
    expect(result.rows).toEqual([]);
    expect(result.complete).toBe(false);
    expect(result.valid).toBe('unknown');
    expect(formatCompareResult(result)).toContain('interrupted: not every setting ran to its end');
  }, 60_000);

  it('refuses what it cannot run before anything starts, naming the option', async () => {
    await expect(compareCampaign(campaign, { levels: ['linearizable' as never], out })).rejects.toThrow(UserError);
    await expect(compareCampaign(campaign, { levels: ['linearizable' as never], out })).rejects.toThrow('compareCampaign: unknown read level "linearizable"; valid choices: strong, eventual, read_your_writes');
    await expect(compareCampaign(campaign, { seed: -1, out })).rejects.toThrow('compareCampaign: seed takes an integer');
    await expect(compareCampaign(campaign, { timeLimit: 'soon', out })).rejects.toThrow(`compareCampaign: timeLimit takes seconds (or '500ms', '2s', '1m'), got "soon"`);
    await expect(compareCampaign('raft-smoke', { out })).rejects.toThrow(/runs store campaigns/);
    await expect(compareCampaign(campaign, { quorums: [{ w: 4, r: 1 }], out })).rejects.toThrow('quorums: W4/R1 does not fit 3 nodes (each must be 1..3)');
  });
});
