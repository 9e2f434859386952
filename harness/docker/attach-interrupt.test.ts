/**
 * Ctrl-C while `--attach` gets ready: one SIGINT ends the run within seconds with exit 3
 * ("interrupted ... before the run started"). The engine is a stand-in (test-engine.ts) showing
 * a running compose project whose Toxiproxy accepts connections and never answers, so without
 * the signal the run would wait on its first request to that Toxiproxy for minutes.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../descriptor.js';
import { startStandInEngine, type StandInContainer } from './test-engine.js';
import { fixture, killChildren, runCli } from './testing.js';

const STOP_BOUND = 5_000;
const root = mkdtempSync(join(tmpdir(), 'faultline-attach-interrupt-'));
const children: number[] = [];

afterAll(() => {
  killChildren(children);
  rmSync(root, { recursive: true, force: true });
});

describe('Ctrl-C while --attach gets ready', () => {
  it("during the wait for the project's Toxiproxy: exit 3 within seconds, nothing asked of the engine but reads", async () => {
    // A Toxiproxy that takes connections and never answers.
    const sockets: Socket[] = [];
    const silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    // compose/raft.yml with its Toxiproxy's API on that port.
    mkdirSync(join(root, 'toxiproxy'));
    copyFileSync(join(projectRoot, 'compose', 'toxiproxy', 'raft.json'), join(root, 'toxiproxy', 'raft.json'));
    const composeFile = join(root, 'raft.yml');
    writeFileSync(composeFile, readFileSync(join(projectRoot, 'compose', 'raft.yml'), 'utf8').replace('"-host=0.0.0.0",', `"-host=0.0.0.0", "-port=${port}",`));
    const project = 'flt-attach-interrupt';
    const containers: StandInContainer[] = ['toxiproxy', 'node1', 'node2', 'node3'].map((service) => ({
      id: `c-${service}`,
      labels: { 'com.docker.compose.project': project, 'com.docker.compose.service': service },
      network: `${project}_default`,
      ip: '127.0.0.1',
    }));
    const engine = await startStandInEngine(root, { containers });
    try {
      let child = 0;
      const running = runCli(['run', fixture('docker-raft.yaml'), '--attach', composeFile, '--project', project], {
        out: join(root, 'runs'),
        env: { DOCKER_HOST: engine.dockerHost, FAULTLINE_STATE_DIR: join(root, 'state') },
        onSpawn: (pid) => {
          child = pid;
          children.push(pid);
        },
      });
      let exited = false;
      void running.then(() => (exited = true));
      const until = Date.now() + 60_000;
      while (sockets.length === 0 && !exited && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(sockets.length, exited ? `the run ended first: ${(await running).stderr}` : 'no request to the Toxiproxy').toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 1000));
      expect(exited, 'still waiting for the Toxiproxy').toBe(false);
      const sent = Date.now();
      process.kill(child, 'SIGINT');
      const run = await running;
      const took = Date.now() - sent;
      console.log(`--attach start-up SIGINT: exit ${run.code} ${took} ms after the SIGINT`);
      expect(took, run.stderr).toBeLessThan(STOP_BOUND);
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).toContain('interrupted (SIGINT) before the run started');
      expect(run.stderr).not.toMatch(/\n\s+at /);
      // Attach makes nothing: nothing but reads was asked of the engine.
      expect(engine.requests.filter((q) => q.method !== 'GET').map((q) => `${q.method} ${q.path}`)).toEqual([]);
    } finally {
      await engine.close();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  }, 90_000);
});
