import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../descriptor.js';
import { startEmbeddedToxiproxy, type EmbeddedToxiproxy } from '../proxy/server.js';
import { removeProxies } from '../network/network.js';
import { removeLeftovers } from '../runtime/leftovers.js';
import { readRunHistory } from '../../core/history.js';
import { killAll, listening, pidAlive, proxyPorts, startedNodes } from './testing.js';
import { historyProblems } from './validate.js';

const cli = join(projectRoot, 'bin', 'faultline.js');
const campaign = join(projectRoot, 'harness', 'run', 'fixtures', 'fake.yaml');
const base = mkdtempSync(join(tmpdir(), 'faultline-signals-'));
const stateDir = join(base, 'state');
const children: ChildProcess[] = [];
const pids: number[] = [];
const proxies: EmbeddedToxiproxy[] = [];

async function proxiesOf(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/proxies`);
  return (await res.json()) as Record<string, unknown>;
}

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  killAll(pids.splice(0));
});
afterAll(async () => {
  for (const p of proxies.splice(0)) await p.close();
  rmSync(base, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
}

function startRun(out: string, env: Record<string, string> = {}, args: string[] = []): Started {
  const child = spawn(process.execPath, [cli, 'run', campaign, '--out', out, '--time-limit', '60', ...args], {
    env: { ...process.env, FAULTLINE_STATE_DIR: stateDir, ...env },
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

// Budgets (ms). On a loaded machine node start-up and the first ops are slow: the waits are
// generous and each test's timeout covers its waits plus the run's stop and the checks.
/** How long a wait for the run to get somewhere (nodes started, ops recorded) may take. */
const WAIT = 90_000;
/** "Stops at once" after SIGINT while nodes come up: well under HEALTH_TIMEOUT. */
const STOP_BOUND = 15_000;
/** The nodes' health timeout in the start-up test: a run that waited for it instead of stopping
 *  at once would exit after it, failing the STOP_BOUND check (not the test timeout). */
const HEALTH_TIMEOUT = 4 * STOP_BOUND;
const TEST_TIMEOUT = WAIT + HEALTH_TIMEOUT + 30_000;

/** Waits for cond; fails at once, with the run's output, when the run ends first (and on timeout). */
async function until(what: string, cond: () => boolean, run?: Started, timeoutMs = WAIT): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    const output = run ? `\nstdout:\n${run.stdout()}\nstderr:\n${run.stderr()}` : '';
    if (run && (run.child.exitCode !== null || run.child.signalCode !== null))
      throw new Error(`the run ended (${run.child.signalCode ?? `exit ${run.child.exitCode}`}) before ${what}${output}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${output}`);
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
  // SIGINT with the embedded Toxiproxy (in the harness process); SIGTERM with a Toxiproxy of
  // this test process given as TOXIPROXY_URL, so its proxies and listeners can be checked after.
  // SIGINT with no checkers: nothing found so far, so exit 2 (a partial history is no pass);
  // SIGTERM with a perf threshold every run breaks: anomalies already, so exit 1.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`on ${signal} mid-run heals, stops every node and proxy, flushes and still checks, and never exits 0`, async () => {
      const out = join(base, `out-${signal}`);
      const external = signal === 'SIGTERM' ? await startEmbeddedToxiproxy({ host: '127.0.0.1', port: 0 }) : undefined;
      proxies.push(...(external ? [external] : []));
      const run = startRun(out, external ? { TOXIPROXY_URL: external.url } : {}, external ? ['--set', 'checkers=[{name: perf, options: {maxP99Ms: 0}}]'] : []);
      await until('the run to record ops', () => existsSync(join(out, 'latest')) && historyLines(runDirOf(out)) > 100, run);
      const dir = runDirOf(out);
      const nodes = startedNodes(dir);
      pids.push(...nodes.map((n) => n.pid));
      expect(nodes.length).toBeGreaterThanOrEqual(3);
      const api = /toxiproxy: (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stderr());
      expect(api?.[1], run.stderr()).toEqual(external ? external.url : expect.stringMatching(/^http/));
      const ports = proxyPorts(dir);
      expect(ports.length).toBe(3 * 2 + 3);
      if (external) {
        expect(Object.keys(await proxiesOf(external.url))).toHaveLength(9);
        for (const port of ports) expect(await listening(port), `proxy port ${port}`).toBe(true);
      }

      run.child.kill(signal);
      const code = await run.exited;
      if (external) {
        expect(code, run.stderr()).toBe(1);
        expect(run.stdout()).toContain(`verdict: INVALID (interrupted: ${signal})`);
      } else {
        expect(code, run.stderr()).toBe(2);
        expect(run.stdout()).toContain(`verdict: unknown (interrupted: ${signal}; no anomalies in the partial history)`);
      }
      expect(run.stdout()).toMatch(/replay: npx faultline run .*fake\.yaml --seed 42/);

      for (const n of startedNodes(dir)) expect(pidAlive(n.pid), `node ${n.id} pid ${n.pid}`).toBe(false);
      if (external) {
        // The run removed its proxies from a Toxiproxy that outlives it, and their listeners closed.
        expect(await proxiesOf(external.url)).toEqual({});
        for (const port of ports) expect(await listening(port), `proxy port ${port}`).toBe(false);
      }
      const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
      expect(results.interrupted).toBe(signal);
      expect(results.valid).toBe(external ? false : 'unknown');
      // The history was flushed whole: every line is JSON.
      const lines = readFileSync(join(dir, 'history.jsonl'), 'utf8').split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThan(100);
      for (const line of lines) JSON.parse(line);
      expect(readdirSync(stateDir).filter((f) => f.endsWith('.json'))).toEqual([]);
    }, TEST_TIMEOUT);
  }

  it('with stdout closed (| head -3) runs to the end: results.json, report.html, every node stopped, never exit 0', async () => {
    const out = join(base, 'out-epipe-stdout');
    const run = startRun(out, {}, ['--time-limit', '2']);
    run.child.stdout!.destroy(); // the verdict table at the end meets EPIPE
    const code = await run.exited;
    const dir = runDirOf(out);
    expect(code, run.stderr()).toBe(2);
    expect(run.stderr()).not.toMatch(/internal error|\n\s+at /);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(results.valid).toBe(true); // the run itself was whole; only its output was lost
    const nodes = startedNodes(dir);
    pids.push(...nodes.map((n) => n.pid));
    expect(nodes.length).toBe(3);
    for (const n of nodes) expect(pidAlive(n.pid), `node ${n.id}`).toBe(false);
  }, TEST_TIMEOUT);

  it('with its output closed mid-run (2>&1 | head) stops cleanly like Ctrl-C: interrupted, results, report, nodes stopped, exit 2', async () => {
    const out = join(base, 'out-epipe-mid');
    const run = startRun(out);
    await until('the run to record ops', () => existsSync(join(out, 'latest')) && historyLines(runDirOf(out)) > 50, run);
    const dir = runDirOf(out);
    const nodes = startedNodes(dir);
    pids.push(...nodes.map((n) => n.pid));
    // The reader goes away; the next progress line (a fault starting or ending) meets EPIPE.
    run.child.stdout!.destroy();
    run.child.stderr!.destroy();
    const code = await run.exited;
    expect(code).toBe(2);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(results.interrupted).toBe('output closed (EPIPE)');
    expect(results.valid).toBe('unknown');
    expect(nodes.length).toBe(3);
    for (const n of nodes) expect(pidAlive(n.pid), `node ${n.id}`).toBe(false);
    expect(readdirSync(stateDir).filter((f) => f.endsWith('.json'))).toEqual([]);
  }, TEST_TIMEOUT);

  /** Lines of a run's history.jsonl, parsed. */
  const historyOps = (dir: string): { process: number | string; type: string; f: string; error?: string }[] =>
    existsSync(join(dir, 'history.jsonl')) ? readFileSync(join(dir, 'history.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];

  it('on SIGINT while every op hangs (clients.timeout 10m) stops within a few seconds: the ops in flight stay pending', async () => {
    const out = join(base, 'out-hang');
    const run = startRun(out, { FAKE_HANG: '1', TMPDIR: base }, ['--set', 'clients.timeout=10m', '--set', 'nemesis.faults=[]']);
    await until('every client to have an op in flight', () => existsSync(join(out, 'latest')) && historyOps(runDirOf(out)).filter((o) => o.type === 'invoke').length >= 4, run);
    const dir = runDirOf(out);
    pids.push(...startedNodes(dir).map((n) => n.pid));
    const sent = Date.now();
    run.child.kill('SIGINT');
    const code = await run.exited;
    console.log(`hanging ops: exit ${Date.now() - sent} ms after the SIGINT`);
    expect(Date.now() - sent, run.stderr()).toBeLessThan(STOP_BOUND);
    expect(code, run.stderr()).toBe(2);
    // Given up on by the harness, not failed by the system: invokes with no completion (unknown).
    const ops = historyOps(dir).filter((o) => typeof o.process === 'number');
    expect(ops.filter((o) => o.type === 'invoke').length).toBeGreaterThanOrEqual(4);
    expect(ops.filter((o) => o.type !== 'invoke')).toEqual([]);
    expect(historyProblems(readRunHistory(join(dir, 'history.jsonl')))).toEqual([]);
    for (const n of startedNodes(dir)) expect(pidAlive(n.pid), `node ${n.id}`).toBe(false);
  }, TEST_TIMEOUT);

  it('on SIGINT while a restarted node never turns healthy stops within a few seconds, not after the health timeout', async () => {
    const out = join(base, 'out-restart');
    const run = startRun(out, { FAKE_UNHEALTHY_AFTER_RESTART: '1', FAULTLINE_HEALTH_TIMEOUT_MS: String(HEALTH_TIMEOUT), TMPDIR: base }, [
      '--set',
      'nemesis.faults=[{type: kill, targets: one}]',
    ]);
    await until('a restart to be under way', () => existsSync(join(out, 'latest')) && historyOps(runDirOf(out)).some((o) => o.process === 'nemesis' && o.f === 'restart'), run);
    const dir = runDirOf(out);
    pids.push(...startedNodes(dir).map((n) => n.pid));
    const sent = Date.now();
    run.child.kill('SIGINT');
    const code = await run.exited;
    console.log(`restart under way: exit ${Date.now() - sent} ms after the SIGINT`);
    expect(Date.now() - sent, run.stderr()).toBeLessThan(STOP_BOUND);
    expect(code, run.stderr()).toBe(2);
    const restart = historyOps(dir).filter((o) => o.process === 'nemesis' && o.f === 'restart');
    expect(restart.at(-1)).toMatchObject({ type: 'info', error: expect.stringMatching(/interrupted/) });
    for (const n of startedNodes(dir)) expect(pidAlive(n.pid), `node ${n.id}`).toBe(false);
    expect(readdirSync(stateDir).filter((f) => f.endsWith('.json'))).toEqual([]);
  }, TEST_TIMEOUT);

  it('on SIGINT while nodes come up stops at once, with exit 3 and nothing left', async () => {
    const out = join(base, 'out-startup');
    const started = Date.now();
    // The nodes never turn healthy: the run waits for them until HEALTH_TIMEOUT, unless stopped.
    const run = startRun(out, { FAULTLINE_HEALTH_TIMEOUT_MS: String(HEALTH_TIMEOUT) }, ['--set', 'settings.env.FAKE_UNHEALTHY=1']);
    await until('the nodes to start', () => existsSync(join(out, 'latest')) && startedNodes(runDirOf(out)).length === 3, run);
    const dir = runDirOf(out);
    const nodes = startedNodes(dir);
    pids.push(...nodes.map((n) => n.pid));
    for (const n of nodes) expect(pidAlive(n.pid), `node ${n.id} runs before the SIGINT`).toBe(true);
    expect(run.child.exitCode, run.stderr()).toBeNull(); // still waiting for the health checks
    const sent = Date.now();
    run.child.kill('SIGINT');
    const code = await run.exited;
    console.log(`start-up SIGINT: 3 nodes up after ${sent - started} ms, exit ${Date.now() - sent} ms after the SIGINT`);
    expect(Date.now() - sent, run.stderr()).toBeLessThan(STOP_BOUND); // not the health timeout
    expect(code).toBe(3);
    expect(run.stderr()).toContain('interrupted (SIGINT) before the run started');
    expect(run.stderr()).not.toContain('checking the history'); // there is none
    expect(run.stderr()).not.toMatch(/\n\s+at /);
    for (const n of nodes) expect(pidAlive(n.pid), `node ${n.id}`).toBe(false);
    expect(readdirSync(stateDir).filter((f) => f.endsWith('.json'))).toEqual([]);
  }, TEST_TIMEOUT);

  it('a later run removes the nodes and proxies of a run killed outright (pid file)', async () => {
    const out = join(base, 'out-kill');
    const external = await startEmbeddedToxiproxy({ host: '127.0.0.1', port: 0 });
    proxies.push(external);
    const run = startRun(out, { TOXIPROXY_URL: external.url });
    await until('the run to record ops', () => existsSync(join(out, 'latest')) && historyLines(runDirOf(out)) > 20, run);
    const dir = runDirOf(out);
    const nodes = startedNodes(dir);
    pids.push(...nodes.map((n) => n.pid));
    run.child.kill('SIGKILL');
    await run.exited;
    // The nodes outlive their harness (own process group), and so do its proxies...
    const alive = nodes.filter((n) => pidAlive(n.pid));
    expect(alive.length).toBeGreaterThan(0);
    expect(Object.keys(await proxiesOf(external.url))).toHaveLength(9);
    // ...until the next run cleans up after it.
    const previous = process.env.FAULTLINE_STATE_DIR;
    process.env.FAULTLINE_STATE_DIR = stateDir;
    try {
      const cleaned = await removeLeftovers(removeProxies);
      expect(cleaned).toHaveLength(1);
      expect(cleaned[0]!.killed.sort()).toEqual(alive.map((n) => n.pid).sort());
      expect(cleaned[0]!.toxiproxy?.url).toBe(external.url);
    } finally {
      if (previous === undefined) delete process.env.FAULTLINE_STATE_DIR;
      else process.env.FAULTLINE_STATE_DIR = previous;
    }
    await until('the nodes to die', () => nodes.every((n) => !pidAlive(n.pid)), undefined, 15_000);
    expect(await proxiesOf(external.url)).toEqual({});
    expect(readdirSync(stateDir).filter((f) => f.endsWith('.json'))).toEqual([]);
  }, TEST_TIMEOUT);
});
