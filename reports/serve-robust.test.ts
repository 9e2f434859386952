/** `faultline serve` and the run-folder loader against broken and hostile run folders. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { renderRunReport } from './index.js';
import { startReportServer, type ReportServer } from './serve.js';
import { requireDist, runCli } from './testing/cli.js';
import { HistoryMaker, writeRunFolder } from './testing/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'faultline-serve-robust-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function get(base: string, path: string): Promise<{ status: number; body: string; location?: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ...(res.headers.location !== undefined && { location: res.headers.location }) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function goodRun(dir: string, campaign: string): Promise<void> {
  const h = new HistoryMaker();
  h.call(0, 'write', 'k1', 1, 'ok', undefined, 0, 5);
  h.call(0, 'read', 'k1', undefined, 'ok', 1, 10, 12);
  await writeRunFolder(dir, h.build(), { campaign, startedAt: '2026-01-03T00:00:00.000Z' });
}

describe('serve: broken run folders', () => {
  let server: ReportServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('a wrong-typed or corrupt results.json makes its row "unreadable"; the index and the other reports still work', async () => {
    const root = join(tmp, 'broken');
    await goodRun(join(root, 'good'), 'good-campaign');
    const broken: Record<string, string> = {
      'wrong-types': JSON.stringify({ campaign: 5, startedAt: 7, valid: 'yes', results: 'x' }),
      'wrong-results': JSON.stringify({ campaign: 'c', results: [{ checker: 'x', valid: true, summary: 's', anomalies: 'many' }] }),
      corrupt: '{"campaign": "c", "valid": tr',
      array: '[1, 2, 3]',
      nothing: 'null',
    };
    for (const [name, text] of Object.entries(broken)) {
      mkdirSync(join(root, name), { recursive: true });
      writeFileSync(join(root, name, 'results.json'), text);
      writeFileSync(join(root, name, 'history.jsonl'), '{"index":0,"time":0,"process":0,"type":"invoke","f":"read"}\n\u0000garbage\n');
    }
    mkdirSync(join(root, 'cmp'));
    writeFileSync(join(root, 'cmp', 'compare.json'), JSON.stringify({ campaign: ['x'], rows: 'none' }));
    server = await startReportServer({ dir: root, port: 0 });
    const index = await get(server.url, '/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('good-campaign');
    expect(index.body.match(/>unreadable</g)?.length).toBe(Object.keys(broken).length + 1);
    expect((await get(server.url, '/good/report.html')).status).toBe(200);
    for (const name of Object.keys(broken)) {
      const report = await get(server.url, `/${name}/report.html`);
      expect(report.status, name).toBe(200);
      expect(report.body, name).toContain('id="results-unreadable"');
    }
  });

  it('no redirect leaves the server: a folder named \\\\host, or asked for as //host', async () => {
    const root = join(tmp, 'redirects');
    for (const name of ['\\\\host', 'evil.com', 'http:']) {
      mkdirSync(join(root, name), { recursive: true });
      writeFileSync(join(root, name, 'report.html'), '<!doctype html><title>r</title>');
    }
    server = await startReportServer({ dir: root, port: 0 });
    const origin = new URL(server.url).origin;
    let redirects = 0;
    for (const path of ['/%5C%5Chost', '/%5C%5Chost/', '//evil.com', '/evil.com', '/http:', '/%2F%2Fevil.com']) {
      const res = await get(server.url, path);
      if (res.status !== 302) continue; // an index or a 404 does not send the browser anywhere
      const target = new URL(res.location!, `${origin}${path}`);
      expect(target.origin, `${path} -> ${res.location}`).toBe(origin);
      expect((await get(server.url, target.pathname)).status, `${path} -> ${res.location}`).toBe(200);
      redirects++;
    }
    expect(redirects).toBeGreaterThanOrEqual(4);
  });
});

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
