/** The run-folder loader (and `faultline report`) against broken and hostile run folders. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderRunReport } from './index.js';
import { requireDist, runCli } from './testing/cli.js';
import { HistoryMaker, writeRunFolder } from './testing/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'faultline-load-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function goodRun(dir: string, campaign: string): Promise<void> {
  const h = new HistoryMaker();
  h.call(0, 'write', 'k1', 1, 'ok', undefined, 0, 5);
  h.call(0, 'read', 'k1', undefined, 'ok', 1, 10, 12);
  await writeRunFolder(dir, h.build(), { campaign, startedAt: '2026-01-03T00:00:00.000Z' });
}

describe('the report of a history with integers beyond 2^53', () => {
  it('keeps their digits', async () => {
    const dir = join(tmp, 'bigint');
    await goodRun(dir, 'big');
    writeFileSync(join(dir, 'history.jsonl'), [
      '{"index":0,"time":0,"process":0,"type":"invoke","f":"write","key":"k","value":9007199254740993}',
      '{"index":1,"time":1000,"process":0,"type":"ok","f":"write","key":"k","value":9007199254740993}',
    ].join('\n'));
    const html = renderRunReport(dir);
    expect(html).toContain('9007199254740993');
  });
});

describe('faultline report: broken run folders', () => {
  it('each folder gets its report or one error line; one bad folder never hides the others (exit 3)', async () => {
    requireDist();
    const root = join(tmp, 'report-cli');
    await goodRun(join(root, 'good'), 'good');
    mkdirSync(join(root, 'history-is-a-folder', 'history.jsonl'), { recursive: true });
    mkdirSync(join(root, 'logs-is-a-file'), { recursive: true });
    writeFileSync(join(root, 'logs-is-a-file', 'results.json'), '{"valid": "maybe"}');
    writeFileSync(join(root, 'logs-is-a-file', 'logs'), 'not a folder');
    writeFileSync(join(root, 'logs-is-a-file', 'campaign.yaml'), ': : [');
    const dirs = ['history-is-a-folder', 'good', 'missing', 'logs-is-a-file'].map((d) => join(root, d));
    const r = await runCli(['report', ...dirs]);
    expect(r.code).toBe(3);
    expect(r.stdout.trim().split('\n')).toEqual([join(root, 'good', 'report.html'), join(root, 'logs-is-a-file', 'report.html')]);
    const errors = r.stderr.trim().split('\n');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/history-is-a-folder\/history\.jsonl: cannot be read \(it is a directory\)/);
    expect(errors[1]).toMatch(/missing: no such run folder/);
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  });
});
