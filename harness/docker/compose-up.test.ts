/**
 * The compose files with a real compose tool (`docker compose` v2, or `docker-compose` v1.29 as
 * Debian packages it), offline (TOXIPROXY_IMAGE=faultline-toxiproxy:latest): `up -d` gives a
 * cluster a person can poke through the published 127.0.0.1 ports, with the Toxiproxy proxies
 * populated from the config file; `faultline run --attach` runs a smoke campaign on raft; `down -v`
 * leaves no container, network or volume of the project. Raft and queue only (time).
 * Published ports: the files' CLIENT_PORT_<n> and TOXIPROXY_PORT, set to free ports here.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { findSystem, projectRoot } from '../descriptor.js';
import { freePort } from '../runtime/ports.js';
import { dockerClient } from './client.js';
import { ensureImage, systemImage, toxiproxyImage } from './images.js';
import { dockerSkipReason, readResults, runCli } from './testing.js';

interface Exec {
  code: number;
  output: string;
}

function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, timeout = 90_000): Promise<Exec> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** `docker compose` (v2 plugin) or `docker-compose` (v1), whichever answers; undefined if none. */
async function composeCommand(): Promise<string[] | undefined> {
  for (const cmd of [['docker', 'compose'], ['docker-compose']]) {
    const r = await exec(cmd[0]!, [...cmd.slice(1), 'version'], {}, 15_000).catch(() => ({ code: 1, output: '' }));
    if (r.code === 0) return cmd;
  }
  return undefined;
}

const engineWhy = await dockerSkipReason();
const compose = engineWhy ? undefined : await composeCommand();
const why = engineWhy ?? (compose ? undefined : 'no compose command (neither `docker compose` nor `docker-compose` runs)');
if (!engineWhy && why) process.stderr.write(`compose-up tests skipped: ${why}\n`);

const out = mkdtempSync(join(tmpdir(), 'faultline-compose-up-'));
/** Projects brought up (or tried): each is brought down in afterAll, whatever happened. */
const projects = new Map<string, { file: string; env: NodeJS.ProcessEnv }>();

function run(file: string, project: string, env: NodeJS.ProcessEnv, args: string[]): Promise<Exec> {
  return exec(compose![0]!, [...compose!.slice(1), '-f', file, '-p', project, ...args], env);
}

interface Cluster {
  project: string;
  file: string;
  /** Host ports of the client proxies, node by node. */
  clientPorts: number[];
  toxiproxyPort: number;
}

async function up(system: string, nodes: number): Promise<Cluster> {
  const file = join(projectRoot, 'compose', `${system}.yml`);
  const project = `flt-test-${system}-${process.pid}`;
  const clientPorts: number[] = [];
  for (let i = 0; i < nodes; i++) clientPorts.push(await freePort());
  const toxiproxyPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    TOXIPROXY_IMAGE: `${toxiproxyImage.ref}`,
    TOXIPROXY_PORT: String(toxiproxyPort),
    ...Object.fromEntries(clientPorts.map((p, i) => [`CLIENT_PORT_${i + 1}`, String(p)])),
  };
  projects.set(project, { file, env });
  const r = await run(file, project, env, ['up', '-d', '--no-build']);
  expect(r.code, r.output).toBe(0);
  return { project, file, clientPorts, toxiproxyPort };
}

async function fetchJson(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(3000) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
}

/** Retries `f` until it returns a value (not undefined) or `ms` pass; rethrows the last error. */
async function until<T>(ms: number, f: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown = new Error('timed out');
  while (Date.now() < deadline) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(200);
  }
  throw last;
}

/** The proxies the Toxiproxy API (published on 127.0.0.1) has, against the config file's. */
async function expectProxiesPopulated(c: Cluster, system: string): Promise<void> {
  const config = JSON.parse(readFileSync(join(projectRoot, 'compose', 'toxiproxy', `${system}.json`), 'utf8')) as { name: string; upstream: string }[];
  const proxies = await until(20_000, async () => {
    const r = await fetchJson(`http://127.0.0.1:${c.toxiproxyPort}/proxies`);
    return r.status === 200 ? (r.body as Record<string, { upstream: string; enabled: boolean; toxics: unknown[] }>) : undefined;
  });
  expect(Object.keys(proxies).sort()).toEqual(config.map((p) => p.name).sort());
  for (const p of config) expect(proxies[p.name]).toMatchObject({ upstream: p.upstream, enabled: true, toxics: [] });
}

async function projectObjects(project: string): Promise<string[]> {
  const docker = dockerClient();
  const filters = { label: [`com.docker.compose.project=${project}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  return [...containers.map((x) => `container ${x.Names[0]}`), ...networks.map((n) => `network ${n.Name}`), ...volumes.map((v) => `volume ${v.Name}`)];
}

/** Builds the images a compose file needs, brings it up, and checks its proxies were populated. */
async function upWithProxies(system: string, nodes: number): Promise<{ docker: ReturnType<typeof dockerClient>; c: Cluster }> {
  const docker = dockerClient();
  await ensureImage(docker, systemImage(findSystem(system)));
  await ensureImage(docker, toxiproxyImage);
  const c = await up(system, nodes);
  await expectProxiesPopulated(c, system);
  return { docker, c };
}

async function downAndCheck(c: Cluster): Promise<void> {
  const p = projects.get(c.project)!;
  const r = await run(p.file, c.project, p.env, ['down', '-v']);
  expect(r.code, r.output).toBe(0);
  projects.delete(c.project);
  expect(await projectObjects(c.project)).toEqual([]);
}

describe.skipIf(why !== undefined)(`compose files with ${compose?.join(' ') ?? 'a compose tool'}${why ? ` (skipped: ${why})` : ''}`, () => {
  afterAll(async () => {
    for (const [project, p] of projects) {
      const r = await run(p.file, project, p.env, ['down', '-v']);
      if (r.code !== 0) process.stderr.write(`compose-up: down of ${project} failed: ${r.output}\n`);
    }
    rmSync(out, { recursive: true, force: true });
  });

  it('raft: up -d, a write through the published ports (leader hint followed), an attached smoke run, down -v', async () => {
    const { docker, c } = await upWithProxies('raft', 3);

    // A person pokes it: POST /kv on node1's published port; a follower names the leader by its
    // advertised URL, which follows CLIENT_PORT_<n>.
    const written = await until(30_000, async () => {
      const first = await fetchJson(`http://127.0.0.1:${c.clientPorts[0]}/kv`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: 'a', value: 1 }),
      });
      if (first.status === 200) return { leader: `http://127.0.0.1:${c.clientPorts[0]}`, body: first.body };
      const hint = (first.body as { leader?: string }).leader;
      if (!hint) return undefined; // no leader yet
      expect(c.clientPorts.map((p) => `http://127.0.0.1:${p}`)).toContain(hint);
      const second = await fetchJson(`${hint}/kv`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'a', value: 1 }) });
      return second.status === 200 ? { leader: hint, body: second.body } : undefined;
    });
    expect(written.body).toEqual({ key: 'a', value: 1 });
    expect((await fetchJson(`${written.leader}/kv/a`)).body).toEqual({ key: 'a', value: 1 });

    const runRes = await runCli(['run', 'raft-smoke', '--attach', c.file, '--project', c.project, '--time-limit', '5'], {
      out,
      env: { FAULTLINE_STATE_DIR: join(out, 'state') },
    });
    const text = `${runRes.stdout}\n${runRes.stderr}`;
    expect(runRes.code, text).toBe(0);
    expect(text).toContain('expected: valid: as expected');
    expect(readResults(runRes.dir!).valid).toBe(true);
    // left as found: every service still running
    const containers = await docker.listContainers({ filters: { label: [`com.docker.compose.project=${c.project}`] } });
    expect(containers.map((x) => x.Labels['com.docker.compose.service']).sort()).toEqual(['node1', 'node2', 'node3', 'toxiproxy']);

    await downAndCheck(c);
  }, 100_000);

  it('queue: up -d, a task through the published port, down -v', async () => {
    const { c } = await upWithProxies('queue', 1);
    const base = `http://127.0.0.1:${c.clientPorts[0]}`;
    const task = await until(20_000, async () => {
      const r = await fetchJson(`${base}/task`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 't', payload: { n: 1 } }) });
      return r.status === 202 ? r.body : undefined;
    });
    expect(task).toMatchObject({ message: 'Task enqueued' });
    expect((await fetchJson(`${base}/stats`)).body).toMatchObject({ pending: 1, processing: 0 });
    await downAndCheck(c);
  }, 60_000);
});
