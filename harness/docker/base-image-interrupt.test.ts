/**
 * Ctrl-C while the docker runtime makes its Node.js base image (the first build on a host): one
 * SIGINT ends the run within seconds with exit 3 ("interrupted ... before the run started"),
 * the pull's or build's request is closed (the engine cancels it), nothing is made or tagged, the
 * base image's build lock is released and the temporary build context removed. The engine is a
 * stand-in (test-engine.ts) whose pull and build never end, so no Docker is needed and no real
 * image is touched; without the signal the run would wait out the pull's 60 s timeout, or the
 * build forever.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startStandInEngine, type StandInEngine } from './test-engine.js';
import { fixture, killChildren, runCli, type CliRun } from './testing.js';

/** Exit within this after the SIGINT: far under the pull's 60 s timeout it cuts short. */
const STOP_BOUND = 5_000;
const root = mkdtempSync(join(tmpdir(), 'faultline-base-interrupt-'));
const children: number[] = [];

afterAll(() => {
  killChildren(children);
  rmSync(root, { recursive: true, force: true });
});

async function interruptWhile(name: string, noPull: '0' | '1', phase: RegExp): Promise<{ run: CliRun; took: number; engine: StandInEngine; tmp: string; request: RegExp }> {
  const dir = join(root, name);
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const engine = await startStandInEngine(dir);
  let child = 0;
  const running = runCli(['run', fixture('docker-raft.yaml'), '--runtime', 'docker'], {
    out: join(dir, 'runs'),
    env: { DOCKER_HOST: engine.dockerHost, TMPDIR: tmp, FAULTLINE_STATE_DIR: join(dir, 'state'), FAULTLINE_NO_PULL: noPull, BASE_IMAGE: '' },
    onSpawn: (pid) => {
      child = pid;
      children.push(pid);
    },
  });
  try {
    const request = await engine.waitFor(phase, 60_000);
    // Well into it: the base image's lock is held, the pull or the context upload under way.
    await new Promise((r) => setTimeout(r, 1000));
    expect(existsSync(join(tmp, 'faultline-lock-node-base')), 'the base image lock is held').toBe(true);
    expect(request.closedByClient, 'still under way').toBe(false);
    const sent = Date.now();
    process.kill(child, 'SIGINT');
    const run = await running;
    const took = Date.now() - sent;
    // The engine sees the request's close an event-loop turn or two after the child is gone.
    for (let i = 0; i < 40 && !request.closedByClient; i++) await new Promise((r) => setTimeout(r, 50));
    return { run, took, engine, tmp, request: phase };
  } finally {
    await engine.close();
  }
}

function expectNothingLeft(r: { run: CliRun; took: number; engine: StandInEngine; tmp: string; request: RegExp }): void {
  const { run, took, engine, tmp } = r;
  expect(took, run.stderr).toBeLessThan(STOP_BOUND);
  expect(run.code, run.stderr).toBe(3);
  expect(run.stderr).toContain('interrupted (SIGINT) before the run started');
  expect(run.stderr).not.toMatch(/\n\s+at /);
  // The pull or build was cancelled: its request closed by faultline, never answered in full.
  const cancelled = engine.requests.find((q) => r.request.test(q.path));
  expect(cancelled?.closedByClient).toBe(true);
  // Nothing else was asked of the engine that makes or tags anything.
  const made = engine.requests.filter((q) => q.method !== 'GET' && !r.request.test(q.path)).map((q) => `${q.method} ${q.path}`);
  expect(made).toEqual([]);
  // The lock is released and the temporary build context is gone.
  expect(readdirSync(tmp)).toEqual([]);
}

describe('Ctrl-C while the docker base image is made', () => {
  it('during the pull of node:20-slim: exit 3 within seconds, the pull cancelled, the lock released', async () => {
    const r = await interruptWhile('pull', '0', /^\/images\/create\?.*fromImage=node/);
    console.log(`base image pull SIGINT: exit ${r.run.code} ${r.took} ms after the SIGINT`);
    expectNothingLeft(r);
  }, 90_000);

  it("while the image of the host's Node.js builds: exit 3 within seconds, the build cancelled, its context removed", async () => {
    const r = await interruptWhile('host-node', '1', /^\/build\?/);
    const build = r.engine.requests.find((q) => q.path.startsWith('/build'));
    expect(build?.bodyBytes, 'the context upload had begun').toBeGreaterThan(0);
    console.log(`host Node.js base image build SIGINT: exit ${r.run.code} ${r.took} ms after the SIGINT`);
    expectNothingLeft(r);
  }, 90_000);
});
