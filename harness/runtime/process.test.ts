import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDescriptor, projectRoot } from '../descriptor.js';
import { ephemeralRange, freePort, holdPort, nodePortRange } from './ports.js';
import { ProcessRuntime } from './process.js';

const system = loadDescriptor(join(projectRoot, 'harness', 'run', 'fixtures', 'fake-system.yaml'));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Resolves with the error code of binding 127.0.0.1:port, or 'bound' when the bind worked. */
function tryBind(port: number): Promise<string> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve('bound')));
  });
}

describe('ports', () => {
  it('node ports come from below the ephemeral range, where bind(:0) never lands', async () => {
    expect(nodePortRange([32768, 60999])).toEqual([22768, 32767]);
    expect(nodePortRange([15000, 60999])).toEqual([10000, 14999]);
    expect(nodePortRange([10500, 60999])).toBeUndefined(); // too low to leave a block: any port
    const range = nodePortRange(ephemeralRange());
    const held = await holdPort();
    cleanups.push(() => held.release());
    if (range) expect(held.port).toBeGreaterThanOrEqual(range[0]);
    if (range) expect(held.port).toBeLessThanOrEqual(range[1]);
    expect(held.port).toBeGreaterThan(0);
    // Ports handed out lately are not handed out again (a released one may not be bound yet).
    const given = new Set<number>();
    for (let i = 0; i < 300; i++) given.add(await freePort());
    expect(given.size).toBe(300);
  });

  it('a held port cannot be bound by anyone else until it is released', async () => {
    const held = await holdPort();
    cleanups.push(() => held.release());
    expect(await tryBind(held.port)).toBe('EADDRINUSE');
    await held.release();
    await held.release(); // twice is harmless
    expect(await tryBind(held.port)).toBe('bound');
  });
});

describe('the process runtime', () => {
  /** A runtime for the fake system in a fresh run folder; destroyed and removed after the test. */
  const newRuntime = (): ProcessRuntime => {
    const runDir = mkdtempSync(join(tmpdir(), 'faultline-process-rt-'));
    const runtime = new ProcessRuntime({ system, runId: 'test', runDir, stopGraceMs: 500 });
    cleanups.push(async () => {
      await runtime.destroy();
      rmSync(runDir, { recursive: true, force: true });
    });
    return runtime;
  };

  it("holds each node's port from prepare() until the node starts, then the node binds it", async () => {
    const runtime = newRuntime();
    const endpoints = await runtime.prepare(['n1', 'n2']);
    const ports = [...endpoints.values()].map((e) => e.port);
    expect(new Set(ports).size).toBe(2);
    // Between prepare() and start() (when the proxies are made) nothing else gets these ports.
    for (const port of ports) expect(await tryBind(port), `port ${port} after prepare`).toBe('EADDRINUSE');

    await runtime.start({ id: 'n1', env: { NODE_ID: 'n1' } });
    await runtime.waitHealthy('n1', 15_000);
    expect(runtime.state('n1')).toBe('running');
    expect(await tryBind(endpoints.get('n2')!.port), 'n2 still held').toBe('EADDRINUSE');

    // destroy() lets go of the port of a node that never started.
    await runtime.destroy();
    expect(await tryBind(endpoints.get('n2')!.port)).toBe('bound');
    expect(await tryBind(endpoints.get('n1')!.port)).toBe('bound');
  });

  it("names a node's crash at start-up, with the error line of its log", async () => {
    const runtime = newRuntime();
    await runtime.prepare(['n1']);
    await runtime.start({ id: 'n1', env: { NODE_ID: 'n1', NODE_OPTIONS: '--require=/nonexistent/faultline-preload.js' } });
    const error = await runtime.waitHealthy('n1', 15_000).then(
      () => undefined,
      (err: Error) => err.message,
    );
    expect(error).toMatch(/^node n1 exited before it was healthy; last lines of logs\/n1\.log:/);
    expect(error).toContain("Error: Cannot find module '/nonexistent/faultline-preload.js'");
  });
});
