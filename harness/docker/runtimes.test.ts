/**
 * The docker runtime against the process runtime (same Raft campaign, same seed: same fault plan,
 * same verdicts), and cleanup: after Ctrl-C (SIGINT) no container or network of the run is left,
 * and what a run killed outright (SIGKILL) left is removed by the next run's cleanup.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../descriptor.js';
import { readRunHistory } from '../../core/history.js';
import { dockerClient, LABEL } from './client.js';
import { removeDeadRuns } from './leftovers.js';
import { dockerSkipReason, fixture, leftoversOf, readResults, removeRunsOfPid, runCli } from './testing.js';

const why = await dockerSkipReason();
const out = mkdtempSync(join(tmpdir(), 'faultline-docker-runtimes-'));
const env = { FAULTLINE_STATE_DIR: join(out, 'state') };
const pids: number[] = [];
const raftHalvesKills = join(projectRoot, 'harness', 'run', 'fixtures', 'raft-halves-kills.yaml');

async function containersOfPid(pid: number): Promise<{ running: number; all: number; runId?: string }> {
  const list = await dockerClient().listContainers({ all: true, filters: { label: [`${LABEL.pid}=${pid}`] } });
  return { running: list.filter((c) => c.State === 'running').length, all: list.length, runId: list[0]?.Labels[LABEL.run] };
}

/** How long a run may take to start its containers (an image build included), and the rest of
 *  a test (a run of at most 30 s, its stop and the checks); a loaded machine is slow at both. */
const START_TIMEOUT = 120_000;
const RUN_TIMEOUT = 90_000;

/** The untagged images faultline built (any run, any process): builds replaced by a newer one. */
function danglingFaultlineImages(): Promise<Docker.ImageInfo[]> {
  return dockerClient().listImages({ filters: { dangling: ['true'], label: [`${LABEL.owner}=true`, LABEL.image] } });
}

/** Resolves once the harness `pid` has `count` running containers (its nodes and Toxiproxy). */
async function waitForContainers(pid: number, count: number, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const seen = await containersOfPid(pid);
    if (seen.running >= count && seen.runId) return seen.runId;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`harness ${pid} did not start ${count} containers in ${timeoutMs} ms`);
}

describe.skipIf(why !== undefined)(`docker runtime vs process runtime, cleanup${why ? ` (skipped: ${why})` : ''}`, () => {
  afterAll(async () => {
    for (const pid of pids) await removeRunsOfPid(pid);
    rmSync(out, { recursive: true, force: true });
  });

  it('a Raft campaign with partitions and kills gives the same plan and verdicts on both runtimes', async () => {
    const verdicts: Record<string, unknown> = {};
    const plans: Record<string, string> = {};
    const faults: Record<string, string[]> = {};
    for (const runtime of ['process', 'docker']) {
      const run = await runCli(['run', raftHalvesKills, '--runtime', runtime, '--seed', '7'], {
        out: join(out, runtime),
        env,
        onSpawn: (pid) => pids.push(pid),
      });
      const text = `${runtime}: exit ${run.code}\n${run.stdout}\n${run.stderr}`;
      expect(run.dir, text).toBeDefined();
      const results = readResults(run.dir!);
      verdicts[runtime] = { valid: results.valid, checkers: results.results.map((r) => [r.checker, r.valid]) };
      plans[runtime] = readFileSync(join(run.dir!, 'plan.json'), 'utf8');
      faults[runtime] = readRunHistory(join(run.dir!, 'history.jsonl'))
        .filter((o) => o.process === 'nemesis' && o.type === 'info')
        .map((o) => o.f);
      expect(run.code, text).toBe(0);
      if (runtime === 'docker') expect(await leftoversOf(results.runId)).toEqual([]);
    }
    expect(plans.docker).toBe(plans.process);
    expect(faults.docker).toEqual(faults.process);
    expect(faults.docker).toEqual(expect.arrayContaining(['start-partition', 'stop-partition', 'kill', 'restart']));
    expect(verdicts.docker).toEqual(verdicts.process);
    expect(verdicts.docker).toMatchObject({ valid: true });
  }, 120_000);

  it('Ctrl-C (SIGINT) mid-run: the run is checked and no container or network of it is left', async () => {
    // The engine is shared (other runs, other people): judge only what this run left behind, its
    // labelled objects and the build leftovers that appeared while it ran.
    const docker = dockerClient();
    const danglingBefore = new Set((await danglingFaultlineImages()).map((i) => i.Id));
    let child = 0;
    const running = runCli(['run', fixture('docker-raft.yaml'), '--runtime', 'docker', '--time-limit', '30'], {
      out: join(out, 'sigint'),
      env,
      onSpawn: (pid) => {
        child = pid;
        pids.push(pid);
      },
    });
    const runId = await waitForContainers(child, 4, START_TIMEOUT);
    await new Promise((r) => setTimeout(r, 1500));
    process.kill(child, 'SIGINT');
    const run = await running;
    const text = `${run.stdout}\n${run.stderr}`;
    expect(run.stderr, text).toMatch(/stopping \(SIGINT\)/);
    expect(run.stdout, text).toMatch(/interrupted: SIGINT/);
    expect(readResults(run.dir!).runId).toBe(runId);
    expect(await leftoversOf(runId)).toEqual([]);
    expect((await containersOfPid(child)).all).toBe(0);
    // No build leftover of this run: no untagged faultline image that appeared during it and that
    // no container uses (an older build a running container still uses is removed once it is
    // free, at the next rebuild of that image). Ones that were there before are someone else's.
    const used = new Set((await docker.listContainers({ all: true })).map((c) => c.ImageID));
    const left = (await danglingFaultlineImages()).filter((i) => !danglingBefore.has(i.Id) && !used.has(i.Id));
    expect(left.map((i) => ({ id: i.Id, labels: i.Labels }))).toEqual([]);
  }, START_TIMEOUT + RUN_TIMEOUT);

  it('a run killed outright (SIGKILL) leaves containers that the next run removes by label', async () => {
    let child = 0;
    const running = runCli(['run', fixture('docker-raft.yaml'), '--runtime', 'docker', '--time-limit', '30'], {
      out: join(out, 'sigkill'),
      env,
      onSpawn: (pid) => {
        child = pid;
        pids.push(pid);
      },
    });
    const runId = await waitForContainers(child, 4, START_TIMEOUT);
    process.kill(child, 'SIGKILL');
    await running;
    expect((await leftoversOf(runId)).length).toBeGreaterThanOrEqual(5); // 3 nodes, Toxiproxy, network
    const removed = await removeDeadRuns(dockerClient());
    expect(removed).toContain(runId);
    expect(await leftoversOf(runId)).toEqual([]);
  }, START_TIMEOUT + RUN_TIMEOUT);
});
