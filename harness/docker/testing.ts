/** Helpers of the docker tests (kept out of *.test.ts so several files share them). */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../descriptor.js';
import { dockerClient, dockerUnavailable, LABEL } from './client.js';
import { findRunObjects, removeObjects } from './leftovers.js';

// The tests never reach a registry: without node:20-slim the base image is made from this host's Node.js.
process.env.FAULTLINE_NO_PULL ??= '1';

/** Why the docker tests cannot run here, or undefined. Printed once when they are skipped. */
export async function dockerSkipReason(): Promise<string | undefined> {
  const why = await dockerUnavailable(dockerClient(), 5000);
  if (why) process.stderr.write(`docker tests skipped: ${why}\n`);
  return why;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The run folder (via <out>/latest), when one was made. */
  dir?: string;
}

export const cli = join(projectRoot, 'bin', 'faultline.js');
export const fixture = (name: string): string => join(projectRoot, 'harness', 'docker', 'fixtures', name);

/** The children runCli started that have not exited, by pid. */
const running = new Map<number, ChildProcess>();

/** Runs `faultline ...args` as a child; onSpawn gets the child (to signal it). */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; out: string; onSpawn?: (pid: number) => void }): Promise<CliRun> {
  const child = spawn(process.execPath, [cli, ...args, '--out', options.out], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) {
    running.set(child.pid, child);
    options.onSpawn?.(child.pid);
  }
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      if (child.pid !== undefined) running.delete(child.pid);
      const latest = join(options.out, 'latest');
      resolve({ code, stdout, stderr, dir: existsSync(latest) ? realpathSync(latest) : undefined });
    }),
  );
}

/** SIGKILLs the test's child processes that are still running (a test that failed mid-way);
 *  never a pid whose child exited, which another process may have been given since. */
export function killChildren(pids: readonly number[]): void {
  for (const pid of pids) running.get(pid)?.kill('SIGKILL');
}

export interface Results {
  runId: string;
  valid: boolean | 'unknown';
  results: { checker: string; valid: boolean | 'unknown' }[];
}

export function readResults(dir: string): Results {
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
}

/** Containers and networks a run of this test process's children still has (by label). */
export async function leftoversOf(runId: string): Promise<string[]> {
  const objects = await findRunObjects(dockerClient(), runId);
  return [...objects.containers.map((c) => `container ${c.name}`), ...objects.networks.map((n) => `network ${n.name}`)];
}

/** Removes every container and network made by the harness process `pid` (a test's child). */
export async function removeRunsOfPid(pid: number): Promise<void> {
  const docker = dockerClient();
  const filters = { label: [`${LABEL.pid}=${pid}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  await removeObjects(docker, {
    containers: containers.map((c) => ({ id: c.Id, name: c.Names[0] ?? '', runId: '' })),
    networks: networks.map((n) => ({ id: n.Id, name: n.Name, runId: '' })),
  });
}

/**
 * Brings a compose file's services up the way `docker compose up -d` does for these files
 * (no docker compose on CI): a `<project>_default` network, one container per service (without
 * profiles) with the compose labels, its service name as alias, its environment, command and
 * bind mounts. Published ports are left out (tests use no fixed host port). Returns `down`.
 */
export async function composeUp(file: string, project: string, env: NodeJS.ProcessEnv): Promise<() => Promise<void>> {
  const { loadComposeFile } = await import('./compose-file.js');
  const docker = dockerClient();
  const compose = loadComposeFile(file, env);
  const labels = (service?: string): Record<string, string> => ({
    'com.docker.compose.project': project,
    ...(service && { 'com.docker.compose.service': service }),
    [`${LABEL.owner}.test`]: String(process.pid),
  });
  const network = `${project}_default`;
  const made: { containers: string[]; network?: string } = { containers: [] };
  const down = async (): Promise<void> => {
    await Promise.all(made.containers.map((id) => docker.getContainer(id).remove({ force: true, v: true }).catch(() => undefined)));
    if (made.network) await docker.getNetwork(made.network).remove().catch(() => undefined);
  };
  try {
    made.network = (await docker.createNetwork({ Name: network, Labels: labels() })).id;
    const services = Object.values(compose.services)
      .filter((s) => s.profiles.length === 0)
      .sort((a, b) => (a.name === 'toxiproxy' ? -1 : b.name === 'toxiproxy' ? 1 : 0));
    for (const s of services) {
      const container = await docker.createContainer({
        name: `${project}-${s.name}-1`,
        Image: s.image ?? '',
        Env: Object.entries(s.environment).map(([k, v]) => `${k}=${v}`),
        ...(s.command && { Cmd: s.command }),
        Labels: labels(s.name),
        HostConfig: {
          NetworkMode: network,
          Binds: s.volumes.filter((v) => v.source).map((v) => `${v.source}:${v.target}${v.readOnly ? ':ro' : ''}`),
        },
        NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [s.name] } } },
      });
      made.containers.push(container.id);
      await container.start();
    }
  } catch (err) {
    await down();
    throw err;
  }
  return down;
}
