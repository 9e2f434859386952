/** `faultline compare`: parsing, figures from checker results, the table, and a short real comparison. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../core/result.js';
import { hasChromium, launchBrowser, openReport } from '../../reports/testing/browser.js';
import { requireDist, runCli } from '../../reports/testing/cli.js';
import { parseLevels, parseQuorums, variantsOf, type CompareFile } from './compare.js';
import { metricsOf } from './metrics.js';
import { formatCompareTable } from './table.js';

const tmp = mkdtempSync(join(tmpdir(), 'faultline-compare-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('compare settings', () => {
  it('parses levels and W/R pairs, and refuses what it cannot run', () => {
    expect(parseLevels('strong, eventual')).toEqual(['strong', 'eventual']);
    expect(() => parseLevels('strong,linearizable')).toThrow(/unknown read level "linearizable"; valid choices: strong, eventual, read_your_writes/);
    expect(parseQuorums('2/1, W3/R1')).toEqual([{ w: 2, r: 1 }, { w: 3, r: 1 }]);
    expect(() => parseQuorums('2-1')).toThrow(/W\/R pairs/);
    expect(variantsOf(['strong', 'eventual'], []).map((v) => v.label)).toEqual(['strong', 'eventual']);
    expect(variantsOf(['strong'], [{ w: 2, r: 1 }, { w: 2, r: 2 }]).map((v) => v.label)).toEqual(['strong W2/R1', 'strong W2/R2']);
  });

  it('takes every figure from the checkers\' results', () => {
    const results: CheckResult[] = [
      { checker: 'linearizable', valid: false, summary: '', anomalies: [] },
      { checker: 'consistency', valid: false, summary: '', anomalies: [], details: { 'stale-read': 7, 'read-your-writes': 2, 'monotonic-reads': 1 } },
      {
        checker: 'perf',
        valid: true,
        summary: '',
        anomalies: [],
        details: {
          latencyMs: { read: { ok: 10, fail: 2, info: 1, p50: 1.5, p99: 30 }, write: { ok: 5, fail: 1, info: 0, p50: 4, p99: 50 } },
          availability: { overall: { share: 0.8 }, insideFaults: { share: 0.5 }, outsideFaults: { share: 1 } },
        },
      },
    ];
    const m = metricsOf(results);
    expect(m).toEqual({
      ok: 15, fail: 3, info: 1, availabilityInFaults: 0.5, availability: 0.8, staleReads: 7, readYourWrites: 2, monotonicReads: 1,
      linearizable: false, readP50: 1.5, readP99: 30, writeP50: 4, writeP99: 50,
    });
    const none = metricsOf([]);
    expect(none.staleReads).toBeNull();
    const table = formatCompareTable([{ variant: { label: 'strong', readLevel: 'strong' }, runDir: 'x', valid: false, metrics: m }, { variant: { label: 'eventual', readLevel: 'eventual' }, runDir: 'y', valid: 'unknown', metrics: none }]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^setting\s+ok\s+fail\s+info\s+avail\. in faults\s+stale reads\s+RYW viol\.\s+monotonic viol\.\s+linearizable/);
    expect(lines[2]).toMatch(/^strong\s+15\s+3\s+1\s+50\.0%\s+7\s+2\s+1\s+NO\s+1\.50 \/ 30\.0\s+4\.00 \/ 50\.0$/);
    expect(lines[3]).toMatch(/^eventual\s+–/);
  });
});

const STORE_CAMPAIGN = `description: a short store campaign for faultline compare
system: store
workload:
  name: register
  options: {keys: 2}
clients: {concurrency: 4, rate: 60, timeout: 1s}
time_limit: 2s
final: {settle: 300ms, timeout: 2s}
nemesis:
  timeline:
    - {type: partition, shapes: [isolate-leader], at: 500ms, duration: 1s}
checkers:
  - consistency
`;

describe('faultline compare on the process runtime', () => {
  it('runs the campaign once per level with one seed and fault schedule; table, compare.json and compare.html agree with the runs', async () => {
    requireDist();
    const campaign = join(tmp, 'store-compare.yaml');
    writeFileSync(campaign, STORE_CAMPAIGN);
    const out = join(tmp, 'runs');
    const res = await runCli(['compare', campaign, '--seed', '11', '--out', out], { timeoutMs: 240_000 });
    expect([0, 1], res.stderr).toContain(res.code);
    expect(res.stdout).toContain('seed 11, same fault schedule for every run');
    const report = /comparison: (.+)/.exec(res.stdout)![1]!.trim();
    expect(report.endsWith('compare.html')).toBe(true);
    const dir = report.slice(0, -'/compare.html'.length);
    const file = JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')) as CompareFile;
    expect(file.seed).toBe(11);
    expect(file.rows.map((r) => r.variant.label)).toEqual(['strong', 'eventual', 'read_your_writes']);
    expect(file.faults).toHaveLength(1);
    const plans = new Set<string>();
    for (const row of file.rows) {
      const runDir = join(dir, row.runDir);
      const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as { seed: number; results: CheckResult[]; replay: string };
      expect(results.seed).toBe(11);
      expect(results.replay).toContain(`workload.options.readLevel=${row.variant.readLevel}`);
      // the comparison added the checkers it reads (linearizable, perf) to the campaign
      expect(results.results.map((r) => r.checker).sort()).toEqual(['consistency', 'linearizable', 'perf']);
      expect(row.metrics).toEqual(metricsOf(results.results));
      expect(readFileSync(join(runDir, 'campaign.yaml'), 'utf8')).toMatch(new RegExp(`readLevel: ${row.variant.readLevel}`));
      plans.add(JSON.stringify((JSON.parse(readFileSync(join(runDir, 'plan.json'), 'utf8')) as { faults: unknown }).faults));
      // the terminal table shows the same figures
      const line = res.stdout.split('\n').find((l) => l.startsWith(`${row.variant.label} `))!;
      expect(line, row.variant.label).toBeDefined();
      expect(line.split(/\s+/).slice(1, 4).map(Number)).toEqual([row.metrics.ok, row.metrics.fail, row.metrics.info]);
    }
    expect(plans.size).toBe(1);

    const html = readFileSync(report, 'utf8');
    expect(html.match(/class="compare-row"/g)).toHaveLength(3);
    if (hasChromium()) {
      const browser = await launchBrowser();
      try {
        const { page, errors } = await openReport(browser, report, { waitReady: false });
        expect(await page.locator('#compare-table tr.compare-row').count()).toBe(3);
        expect(await page.locator('.bars figure').count()).toBeGreaterThan(3);
        expect(errors).toEqual([]);
        await page.close();
      } finally {
        await browser.close();
      }
    }
  }, 300_000);

  it('an adaptive campaign: the later variants run the faults the first one chose', async () => {
    requireDist();
    const campaign = join(tmp, 'store-compare-adaptive.yaml');
    writeFileSync(
      campaign,
      STORE_CAMPAIGN.replace(
        /nemesis:[\s\S]*?checkers:/,
        'nemesis:\n  mode: adaptive\n  explore: 0.5\n  start: 300ms\n  interval: 200ms\n  duration: 300ms\n  faults:\n    - {type: kill, targets: one}\n    - {type: pause, targets: one}\n    - {type: partition, shapes: [halves]}\ncheckers:',
      ),
    );
    const out = join(tmp, 'runs-adaptive');
    const res = await runCli(['compare', campaign, '--seed', '5', '--levels', 'strong,eventual', '--out', out], { timeoutMs: 240_000 });
    expect([0, 1], res.stderr).toContain(res.code);
    const dir = /comparison: (.+)/.exec(res.stdout)![1]!.trim().slice(0, -'/compare.html'.length);
    const file = JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')) as CompareFile;
    const plans = file.rows.map((row) => JSON.parse(readFileSync(join(dir, row.runDir, 'plan.json'), 'utf8')) as { mode?: string; recorded?: boolean; faults: unknown[] });
    expect(plans[0]!.mode).toBe('adaptive');
    expect(plans[0]!.faults.length).toBeGreaterThanOrEqual(2);
    expect(plans[1]!.recorded).toBe(true);
    expect(plans[1]!.faults).toEqual(plans[0]!.faults);
    expect(file.faults).toEqual(plans[0]!.faults);
  }, 240_000);

  it('refuses a campaign that is not a store campaign, and bad levels, before running anything', async () => {
    requireDist();
    writeFileSync(join(tmp, 'store-compare.yaml'), STORE_CAMPAIGN);
    const raft = await runCli(['compare', 'raft-smoke', '--out', join(tmp, 'never')]);
    expect(raft.code).toBe(3);
    expect(raft.stderr).toContain('faultline compare runs store campaigns');
    const levels = await runCli(['compare', 'raft-smoke', '--levels', 'strongest']);
    expect(levels.code).toBe(3);
    expect(levels.stderr).toContain('unknown read level "strongest"');
    const quorum = await runCli(['compare', join(tmp, 'store-compare.yaml'), '--quorums', '4/1', '--out', join(tmp, 'never')]);
    expect(quorum.code).toBe(3);
    expect(quorum.stderr).toContain('W4/R1 does not fit 3 nodes');
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });
});
