/** `faultline serve`: the index of runs and their reports, over HTTP on 127.0.0.1. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startReportServer, type ReportServer } from './serve.js';
import { BIN, requireDist, ROOT } from './testing/cli.js';
import { staleReadHistory, writeRunFolder, HistoryMaker } from './testing/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'faultline-serve-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** GET with the path sent as is (fetch would normalize `..`). */
function get(base: string, path: string): Promise<{ status: number; body: string; type: string; location?: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? ''), ...(res.headers.location !== undefined && { location: res.headers.location }) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function makeRuns(root: string): Promise<{ bad: string; good: string }> {
  const bad = join(root, 'bugs', 'raft-stale', '2026-01-02T03-04-05.000Z');
  await writeRunFolder(bad, staleReadHistory(), { campaign: 'bugs/raft-stale', startedAt: '2026-01-02T03:04:05.000Z' });
  const h = new HistoryMaker();
  h.call(0, 'write', 'k1', 1, 'ok', undefined, 0, 5);
  h.call(0, 'read', 'k1', undefined, 'ok', 1, 10, 12);
  const good = join(root, 'raft-smoke', '2026-01-03T00-00-00.000Z');
  await writeRunFolder(good, h.build(), { campaign: 'raft-smoke<b>', startedAt: '2026-01-03T00:00:00.000Z' });
  symlinkSync(join('raft-smoke', '2026-01-03T00-00-00.000Z'), join(root, 'latest'));
  return { bad, good };
}

async function goodRun(dir: string, campaign: string): Promise<void> {
  const h = new HistoryMaker();
  h.call(0, 'write', 'k1', 1, 'ok', undefined, 0, 5);
  h.call(0, 'read', 'k1', undefined, 'ok', 1, 10, 12);
  await writeRunFolder(dir, h.build(), { campaign, startedAt: '2026-01-03T00:00:00.000Z' });
}

describe('report server', () => {
  let server: ReportServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('lists runs with campaign, date, verdict and anomaly counts; renders a missing report; refuses paths outside', async () => {
    const root = join(tmp, 'in-process');
    const { bad } = await makeRuns(root);
    const cmp = join(root, 'compare', 'store-partitions', '2025-12-31T00-00-00.000Z');
    mkdirSync(cmp, { recursive: true });
    writeFileSync(join(cmp, 'compare.json'), JSON.stringify({ campaign: 'store-partitions', startedAt: '2025-12-31T00:00:00.000Z', valid: false, rows: [{ valid: false }, { valid: true }, { valid: false }] }));
    writeFileSync(join(cmp, 'compare.html'), '<!doctype html><title>compare</title>');
    server = await startReportServer({ dir: root, port: 0 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await get(server.url, '/');
    expect(index.status).toBe(200);
    expect(index.type).toContain('text/html');
    expect(index.body).toContain('bugs/raft-stale');
    expect(index.body).toContain('2026-01-02 03:04:05Z');
    expect(index.body).toMatch(/stale-read × \d+/);
    expect(index.body).toContain('INVALID');
    expect(index.body).toContain('raft-smoke&lt;b&gt;');
    expect(index.body).not.toContain('raft-smoke<b>');
    expect(index.body.match(/class="run-row" data-kind="run"/g)?.length).toBe(2);
    expect(index.body).toContain('href="compare/store-partitions/2025-12-31T00-00-00.000Z/compare.html"');
    expect(index.body).toContain('3 setting(s), 2 with anomalies');
    expect((await get(server.url, '/compare/store-partitions/2025-12-31T00-00-00.000Z/compare.html')).status).toBe(200);
    // newest first
    expect(index.body.indexOf('raft-smoke')).toBeLessThan(index.body.indexOf('bugs/raft-stale'));

    expect(existsSync(join(bad, 'report.html'))).toBe(false);
    const report = await get(server.url, '/bugs/raft-stale/2026-01-02T03-04-05.000Z/report.html');
    expect(report.status).toBe(200);
    expect(report.body).toContain('id="report-data"');
    expect(existsSync(join(bad, 'report.html'))).toBe(true);
    const folder = await get(server.url, '/bugs/raft-stale/2026-01-02T03-04-05.000Z');
    expect(folder.status).toBe(302);
    const log = await get(server.url, '/bugs/raft-stale/2026-01-02T03-04-05.000Z/logs/n1.log');
    expect(log.status).toBe(200);
    expect(log.type).toContain('text/plain');
    expect(log.body).toBe('n1 started\n');
    expect((await get(server.url, '/latest/results.json')).status).toBe(200);

    for (const path of ['/../../../etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd']) {
      const res = await get(server.url, path);
      expect([403, 404], path).toContain(res.status);
      expect(res.body).not.toContain('root:');
    }
    expect((await get(server.url, '/nope.html')).status).toBe(404);
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

  it('an empty folder gets an index that says how to make runs', async () => {
    const root = join(tmp, 'empty');
    mkdirSync(root, { recursive: true });
    server = await startReportServer({ dir: root, port: 0 });
    const index = await get(server.url, '/');
    expect(index.body).toContain('No runs here yet');
  });
});

describe('faultline serve', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  it('serves on 127.0.0.1 and stops on SIGTERM', async () => {
    requireDist();
    const root = join(tmp, 'cli');
    await makeRuns(root);
    child = spawn(process.execPath, [BIN, 'serve', root, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const proc = child;
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 20_000);
      proc.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /at (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      proc.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await get(url, '/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('bugs/raft-stale');
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses a missing folder and a bad port with a clear message', async () => {
    requireDist();
    const { runCli } = await import('./testing/cli.js');
    const missing = await runCli(['serve', join(tmp, 'no-such-folder')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('no such folder');
    const port = await runCli(['serve', tmp, '--port', 'eighty']);
    expect(port.code).toBe(3);
    expect(port.stderr).toContain('--port');
  });
});
