/**
 * Ctrl-C while the docker runtime gets ready: one SIGINT ends the run within seconds, exit 3
 * ("interrupted ... before the run started", as the process runtime), and nothing of the run is
 * left. The Toxiproxy container here is one that runs but never answers (TOXIPROXY_IMAGE: the
 * base image with a Node.js program that only idles), so without the signal the run would wait
 * out the 20 s Toxiproxy timeout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBaseImage } from './base-image.js';
import { dockerClient, LABEL } from './client.js';
import { dockerSkipReason, fixture, leftoversOf, removeRunsOfPid, runCli } from './testing.js';

const why = await dockerSkipReason();
const out = mkdtempSync(join(tmpdir(), 'faultline-docker-startup-interrupt-'));
const pids: number[] = [];
/** Exit within this after the SIGINT: well under the 20 s Toxiproxy wait it cuts short. */
const STOP_BOUND = 8_000;
/** Images built (when stale) and the network and Toxiproxy container made, on a loaded machine. */
const START_TIMEOUT = 120_000;
/** An image whose container runs (with Toxiproxy's arguments) and never listens. */
const silentProxy = { repo: 'faultline-test-silent-toxiproxy', tag: String(process.pid) };

async function makeSilentProxyImage(): Promise<string> {
  const docker = dockerClient();
  const base = await ensureBaseImage(docker);
  const container = await docker.createContainer({ Image: base, Entrypoint: ['node', '-e', 'setInterval(() => {}, 1 << 30)', '--'] });
  try {
    await container.commit(silentProxy);
  } finally {
    await container.remove({ force: true });
  }
  return `${silentProxy.repo}:${silentProxy.tag}`;
}

describe.skipIf(why !== undefined)(`docker runtime start-up${why ? ` (skipped: ${why})` : ''}`, () => {
  afterAll(async () => {
    for (const pid of pids) await removeRunsOfPid(pid);
    await dockerClient().getImage(`${silentProxy.repo}:${silentProxy.tag}`).remove({ force: true }).catch(() => undefined);
    rmSync(out, { recursive: true, force: true });
  });

  it('on SIGINT while the Toxiproxy container comes up stops at once, with exit 3 and no container or network left', async () => {
    const docker = dockerClient();
    const proxyImage = await makeSilentProxyImage();
    let child = 0;
    const started = Date.now();
    const running = runCli(['run', fixture('docker-raft.yaml'), '--runtime', 'docker'], {
      out,
      env: { FAULTLINE_STATE_DIR: join(out, 'state'), TOXIPROXY_IMAGE: proxyImage },
      onSpawn: (pid) => {
        child = pid;
        pids.push(pid);
      },
    });
    let exited = false;
    void running.then(() => (exited = true));
    // Wait for the run's Toxiproxy container (its network exists then too).
    let runId: string | undefined;
    const deadline = Date.now() + START_TIMEOUT;
    while (!runId && !exited && Date.now() < deadline) {
      const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL.pid}=${child}`, `${LABEL.role}=toxiproxy`] } });
      runId = list[0]?.Labels[LABEL.run];
      if (!runId) await new Promise((r) => setTimeout(r, 100));
    }
    expect(runId, exited ? `the run ended first: ${JSON.stringify(await running)}` : 'no Toxiproxy container').toBeDefined();
    expect((await leftoversOf(runId!)).length).toBeGreaterThanOrEqual(2); // the network and Toxiproxy
    // Past the container's start (slow on a loaded machine): the run is waiting for an answer from it.
    let proxy: { State?: string } | undefined;
    const runningBy = Date.now() + START_TIMEOUT;
    while (proxy?.State !== 'running' && !exited && Date.now() < runningBy) {
      await new Promise((r) => setTimeout(r, 250));
      proxy = (await docker.listContainers({ filters: { label: [`${LABEL.run}=${runId}`, `${LABEL.role}=toxiproxy`] } }))[0];
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(proxy?.State, 'the Toxiproxy container runs').toBe('running');
    expect(exited, 'still waiting for Toxiproxy').toBe(false);
    const sent = Date.now();
    process.kill(child, 'SIGINT');
    const run = await running;
    const took = Date.now() - sent;
    console.log(`docker start-up SIGINT: Toxiproxy container after ${sent - started} ms, exit ${run.code} ${took} ms after the SIGINT`);
    expect(took, run.stderr).toBeLessThan(STOP_BOUND);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain('interrupted (SIGINT) before the run started');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(await leftoversOf(runId!)).toEqual([]);
  }, START_TIMEOUT + 30_000);
});
