/**
 * The docker runtime's Toxiproxy container gets the run's seed (`-seed`): the same seed makes
 * the same per-connection toxic choices there too, so `--seed` replays which connections a
 * fault hits on the docker runtime as on the process runtime (harness/proxy/seed.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findSystem } from '../descriptor.js';
import { dockerClient, LABEL } from '../docker/client.js';
import { dockerSkipReason, leftoversOf } from '../docker/testing.js';
import { exchange } from '../proxy/test-servers.js';
import { DockerRuntime } from './docker.js';

const why = await dockerSkipReason();
const runDir = mkdtempSync(join(tmpdir(), 'faultline-docker-seed-'));
const runtimes: DockerRuntime[] = [];
const REQUEST = 'GET /version HTTP/1.0\r\n\r\n';

/**
 * In a fresh docker runtime seeded with `seed`: the proxy container's command line, and which of
 * 16 connections (one after the other) a toxicity-0.5 `limit_data` toxic of 0 bytes cut. The
 * proxy forwards to the container's own API, so no node is needed.
 */
async function hits(seed: number, n: number): Promise<{ cmd: string[]; pattern: string }> {
  const runId = `test-seed-${process.pid}-${Date.now()}-${n}`;
  const rt = new DockerRuntime({ system: findSystem('raft'), runId, runDir, proxySeed: seed });
  runtimes.push(rt);
  try {
    await rt.prepare([]);
    const url = rt.toxiproxyUrl!;
    const host = new URL(url).hostname;
    const post = async (path: string, body: unknown): Promise<void> => {
      const res = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) });
      expect(res.ok, `${path}: ${res.status} ${await res.text()}`).toBe(true);
    };
    await post('/proxies', { name: 'p', listen: '0.0.0.0:20000', upstream: '127.0.0.1:8474' });
    await post('/proxies/p/toxics', { type: 'limit_data', toxicity: 0.5, attributes: { bytes: 0 } });
    let pattern = '';
    for (let i = 0; i < 16; i++) pattern += (await exchange(20000, REQUEST, 1, 5000, host)).outcome === 'complete' ? '.' : 'x';
    const [container] = await dockerClient().listContainers({ all: true, filters: { label: [`${LABEL.run}=${runId}`, `${LABEL.role}=toxiproxy`] } });
    const info = await dockerClient().getContainer(container!.Id).inspect();
    return { cmd: info.Config.Cmd, pattern };
  } finally {
    await rt.destroy();
    expect(await leftoversOf(runId)).toEqual([]);
  }
}

describe.skipIf(why !== undefined)(`docker runtime: the proxy container's seed${why ? ` (skipped: ${why})` : ''}`, () => {
  afterAll(async () => {
    for (const rt of runtimes) await rt.destroy();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('passes -seed to the proxy container; the same seed hits the same connections, another seed others', async () => {
    const a = await hits(7, 1);
    const b = await hits(7, 2);
    const c = await hits(8, 3);
    expect(a.cmd).toContain('-seed=7');
    expect(c.cmd).toContain('-seed=8');
    expect(a.pattern).toMatch(/x/);
    expect(a.pattern).toMatch(/\./);
    expect(b.pattern).toBe(a.pattern);
    expect(c.pattern).not.toBe(a.pattern);
  }, 120_000);
});
