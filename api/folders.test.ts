/** The API's side of `faultline run --plan`, `check <run folder>`, `report`, `list` and `proxy`: the same answers as the commands. */
import { connect, createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../harness/descriptor.js';
import { requireDist, runCli } from '../reports/testing/cli.js';
import { killAll, startedNodes } from '../harness/run/testing.js';
import { CATALOG_KINDS, checkRun, listCatalog, planCampaign, runCampaign, startToxiproxy, UserError, writeReport } from './index.js';

const out = mkdtempSync(join(tmpdir(), 'faultline-api-folders-'));
const started: number[] = [];
afterAll(() => {
  killAll(started);
  rmSync(out, { recursive: true, force: true });
});

describe('planCampaign', () => {
  it('is `faultline run --plan`: the same text for the same seed, another for another seed, nothing started', async () => {
    const plan = await planCampaign('raft-partitions', { seed: 7 });
    requireDist();
    const cli = await runCli(['run', 'raft-partitions', '--plan', '--seed', '7']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(plan.text).toBe(cli.stdout);
    expect(plan.seed).toBe(7);
    expect(plan.faults.length).toBeGreaterThan(0);
    expect(plan.text).toContain(plan.faults[0]!.type);
    expect(Object.keys(plan.ops)).toHaveLength(6); // raft-partitions: 6 clients
    expect((await planCampaign('raft-partitions', { seed: 7 })).text).toBe(plan.text);
    expect((await planCampaign('raft-partitions', { seed: 8 })).text).not.toBe(plan.text);
    await expect(planCampaign('raft-partitions', { seed: 1.5 })).rejects.toThrow('runCampaign: seed takes an integer');
  });
});

describe('listCatalog', () => {
  it('is `faultline list`, kind by kind; an unknown kind is refused naming the kinds', async () => {
    for (const kind of CATALOG_KINDS) {
      const cli = await runCli(['list', kind]);
      expect(cli.code, cli.stderr).toBe(0);
      const items = listCatalog(kind);
      expect(items.length, kind).toBeGreaterThan(0);
      expect(cli.stdout.trimEnd().split('\n').map((l) => l.split(/\s+/)[0]), kind).toEqual(items.map((i) => i.name));
    }
    expect(listCatalog('systems').map((s) => s.name)).toEqual(expect.arrayContaining(['queue', 'store', 'chat', 'raft']));
    expect(() => listCatalog('planets')).toThrow(UserError);
    expect(() => listCatalog('planets')).toThrow(`unknown kind "planets" for list; choose one of: ${CATALOG_KINDS.join(', ')}`);
  });
});

describe('checkRun and writeReport', () => {
  it('re-check a run folder with its campaign\'s checkers and render its report again, as `check <dir>` and `report <dir>` do', async () => {
    const run = await runCampaign(join(projectRoot, 'harness', 'run', 'fixtures', 'fake.yaml'), { seed: 3, out, timeLimit: '1s' });
    started.push(...startedNodes(run.dir).map((n) => n.pid));
    const again = await checkRun(run.dir);
    expect(again.results.map((r) => [r.checker, r.valid])).toEqual(run.results.map((r) => [r.checker, r.valid]));
    expect(again.valid).toBe(run.valid);
    expect(again.exitCode).toBe(run.exitCode);
    expect(again.seed).toBe(3);
    const cli = await runCli(['check', run.dir, '--json']);
    expect((JSON.parse(cli.stdout) as { valid: unknown }).valid).toBe(again.valid);

    rmSync(join(run.dir, 'report.html'));
    const report = await writeReport(run.dir);
    expect(report).toBe(join(run.dir, 'report.html'));
    expect(readFileSync(report, 'utf8')).toContain('<html');

    await expect(checkRun(out)).rejects.toThrow(UserError);
    await expect(writeReport(join(out, 'nothing-here'))).rejects.toThrow(`${join(out, 'nothing-here')}: no such run folder`);
    await expect(writeReport(out)).rejects.toThrow(`${out} is not a run folder`);
  }, 60_000);
});

describe('startToxiproxy', () => {
  it('is `faultline proxy` in this process: the Toxiproxy HTTP API, a proxy that carries bytes, and close stops it all', async () => {
    const upstream = createServer((socket) => socket.pipe(socket)); // echo
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const proxy = await startToxiproxy({ port: 0 });
    try {
      expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const created = await fetch(`${proxy.url}/proxies`, {
        method: 'POST',
        body: JSON.stringify({ name: 'echo', listen: '127.0.0.1:0', upstream: `127.0.0.1:${(upstream.address() as AddressInfo).port}` }),
      });
      expect(created.status).toBe(201);
      const { listen } = (await created.json()) as { listen: string };
      const port = Number(listen.split(':').pop());
      const echoed = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.end('through the proxy'));
        let got = '';
        socket.on('data', (d: Buffer) => (got += d.toString()));
        socket.on('close', () => resolve(got));
        socket.on('error', reject);
      });
      expect(echoed).toBe('through the proxy');
    } finally {
      await proxy.close();
      upstream.close();
    }
    await expect(fetch(`${proxy.url}/version`)).rejects.toThrow();
  });
});
