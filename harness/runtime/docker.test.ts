/** The docker runtime's node operations, on one Raft node: pause freezes it, kill works on a
 * paused node, restart keeps the container's data, destroy removes everything it made. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findSystem } from '../descriptor.js';
import { leftoversOf, dockerSkipReason } from '../docker/testing.js';
import { probe } from './health.js';
import { DockerRuntime } from './docker.js';

const why = await dockerSkipReason();
const runDir = mkdtempSync(join(tmpdir(), 'faultline-docker-runtime-'));
const runId = `test-${process.pid}-${Date.now()}`;
let runtime: DockerRuntime | undefined;

describe.skipIf(why !== undefined)(`docker runtime operations${why ? ` (skipped: ${why})` : ''}`, () => {
  afterAll(async () => {
    await runtime?.destroy();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('starts, pauses, resumes, kills (also paused), restarts with its data, and removes everything', async () => {
    const system = findSystem('raft');
    const rt = new DockerRuntime({ system, runId, runDir });
    runtime = rt;
    const upstreams = await rt.prepare(['node1']);
    expect(upstreams.get('node1')).toEqual({ host: 'node1', port: 3000 });
    expect(rt.toxiproxyUrl).toMatch(/^http:\/\/[\d.]+:8474$/);
    expect(rt.proxyHosts.listenHost).toBe('0.0.0.0');

    await rt.start({ id: 'node1', env: { NODE_ID: 'node1', PEER_IDS: '' } });
    await rt.waitHealthy('node1', 20_000);
    const address = rt.address('node1');
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      // a single node elects itself after an election timeout
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      const write = await fetch(`http://${address.host}:${address.port}/kv`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: 'k', value: 'v1' }),
      });
      status = write.status;
      await write.text();
    }
    expect(status).toBe(200);

    await rt.pause('node1');
    expect(rt.state('node1')).toBe('paused');
    expect(await probe(address, '/debug', 500)).toBeUndefined(); // frozen: no answer
    await rt.resume('node1');
    expect(await probe(address, '/debug', 2000)).toBe(200);

    await rt.pause('node1');
    await rt.kill('node1');
    expect(rt.state('node1')).toBe('stopped');
    expect(await probe(address, '/debug', 500)).toBeUndefined();

    await rt.restart('node1');
    await rt.waitHealthy('node1', 20_000);
    const again = rt.address('node1');
    let value: unknown;
    for (let i = 0; i < 50 && value !== 'v1'; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      const res = await fetch(`http://${again.host}:${again.port}/kv/k`);
      value = res.status === 200 ? ((await res.json()) as { value?: unknown }).value : await res.text();
    }
    expect(value).toBe('v1'); // the Raft log on /data survived the kill

    await rt.stop('node1');
    expect(rt.state('node1')).toBe('stopped');
    const log = readFileSync(join(runDir, 'logs', 'node1.log'), 'utf8');
    expect(log.match(/\] \S+ started node1 \(container/g)?.length).toBe(2);
    expect(log).toContain('paused node1');

    expect((await leftoversOf(runId)).length).toBe(3); // node, Toxiproxy, network
    await rt.destroy();
    expect(await leftoversOf(runId)).toEqual([]);
  }, 90_000);
});
