import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../descriptor.js';
import { removeLeftovers } from '../runtime/leftovers.js';
import { killAll, listening, pidAlive, proxyPorts, startedNodes } from './testing.js';

const cli = join(projectRoot, 'bin', 'faultline.js');
const campaign = join(projectRoot, 'harness', 'run', 'fixtures', 'fake.yaml');
const base = mkdtempSync(join(tmpdir(), 'faultline-signals-'));
const stateDir = join(base, 'state');
const children: ChildProcess[] = [];
const pids: number[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  killAll(pids.splice(0));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
}

function startRun(out: string): Started {
  const child = spawn(process.execPath, [cli, 'run', campaign, '--out', out, '--time-limit', '60'], {
    env: { ...process.env, FAULTLINE_STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, stdout: () => stdout, exited };
}

async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function runDirOf(out: string): string {
  return realpathSync(join(out, 'latest'));
}

function historyLines(dir: string): number {
  const file = join(dir, 'history.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

describe('stopping a run', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`on ${signal} mid-run heals, stops every node and proxy, flushes and still checks`, async () => {
      const out = join(base, `out-${signal}`);
      const run = startRun(out);
      await until('the run to record ops', () => existsSync(join(out, 'latest')) && historyLines(runDirOf(out)) > 100);
      const dir = runDirOf(out);
      const nodes = startedNodes(dir);
      pids.push(...nodes.map((n) => n.pid));
      expect(nodes.length).toBeGreaterThanOrEqual(3);
      const api = /toxiproxy: http:\/\/127\.0\.0\.1:(\d+) \(embedded\)/.exec(run.stderr());
      expect(api, run.stderr()).not.toBeNull();
      const apiPort = Number(api![1]);
      const ports = [apiPort, ...proxyPorts(dir), ...nodes.map((n) => n.port)];
      expect(await listening(apiPort)).toBe(true);

      run.child.kill(signal);
      const code = await run.exited;
      expect(code, run.stderr()).toBe(0); // valid: no checkers, nothing wrong
      expect(run.stdout()).toContain(`interrupted: ${signal}`);
      expect(run.stdout()).toMatch(/replay: npx faultline run .*fake\.yaml --seed 42/);

      for (const n of startedNodes(dir)) expect(pidAlive(n.pid), `node ${n.id} pid ${n.pid}`).toBe(false);
      for (const port of ports) expect(await listening(port), `port ${port}`).toBe(false);
      const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
      expect(results.interrupted).toBe(signal);
      // The history was flushed whole: every line is JSON, and it ends with what the run did last.
      const lines = readFileSync(join(dir, 'history.jsonl'), 'utf8').split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThan(100);
      for (const line of lines) JSON.parse(line);
      expect(readdirSync(stateDir).filter((f) => f.endsWith('.json'))).toEqual([]);
    });
  }

  it('a later run removes the node processes of a run killed outright (pid file)', async () => {
    const out = join(base, 'out-kill');
    const run = startRun(out);
    await until('the run to record ops', () => existsSync(join(out, 'latest')) && historyLines(runDirOf(out)) > 20);
    const dir = runDirOf(out);
    const nodes = startedNodes(dir);
    pids.push(...nodes.map((n) => n.pid));
    run.child.kill('SIGKILL');
    await run.exited;
    // The nodes outlive their harness (own process group)...
    const alive = nodes.filter((n) => pidAlive(n.pid));
    expect(alive.length).toBeGreaterThan(0);
    // ...until the next run cleans up after it.
    const previous = process.env.FAULTLINE_STATE_DIR;
    process.env.FAULTLINE_STATE_DIR = stateDir;
    try {
      const cleaned = await removeLeftovers();
      expect(cleaned).toHaveLength(1);
      expect(cleaned[0]!.killed.sort()).toEqual(alive.map((n) => n.pid).sort());
    } finally {
      if (previous === undefined) delete process.env.FAULTLINE_STATE_DIR;
      else process.env.FAULTLINE_STATE_DIR = previous;
    }
    await until('the nodes to die', () => nodes.every((n) => !pidAlive(n.pid)), 5000);
  });
});
