/**
 * Test support for the workload tests: runs a shipped system from its descriptor as real child
 * processes on 127.0.0.1 (free ports, temporary data folders, no proxies), so a workload client
 * can be tried against the real reference system. Every test that starts one stops it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSystem, formatPeers, nodeIds, type SystemDescriptor } from '../harness/descriptor.js';
import { resolveCommand } from '../harness/system-command.js';
import { Random } from '../core/random.js';
import type { ClientContext, NodeEndpoint, Workload, WorkloadClient } from '../core/workload.js';
import { freePort, spawnNode, type Spawned } from '../systems/common/testing.js';

export interface TestCluster {
  system: SystemDescriptor;
  nodes: NodeEndpoint[];
  /** SIGKILLs one node. */
  kill(id: string): Promise<void>;
  /** Starts a killed node again with the same port, data and settings. */
  restart(id: string): Promise<void>;
  stop(): Promise<void>;
  output(id: string): string;
}

export interface ClusterOptions {
  nodes?: number;
  env?: Record<string, string>;
  bugs?: string[];
}

export async function startCluster(systemName: string, options: ClusterOptions = {}): Promise<TestCluster> {
  const system = findSystem(systemName);
  const ids = nodeIds(system, options.nodes ?? system.nodes.default);
  const ports = new Map<string, number>();
  for (const id of ids) ports.set(id, await freePort());
  const dataRoot = mkdtempSync(join(tmpdir(), `faultline-wl-${system.name}-`));
  const scheme = system.protocol === 'ws' ? 'ws' : 'http';
  const nodes = ids.map((id) => ({ id, url: `${scheme}://127.0.0.1:${ports.get(id)}` }));
  const [exe, ...args] = resolveCommand(system.process.command);
  if (exe !== process.execPath || args.length === 0) throw new Error(`startCluster: ${system.name} is not a node program`);
  const procs = new Map<string, Spawned>();

  const envOf = (id: string): Record<string, string> => {
    const env: Record<string, string> = { ...system.settings, ...options.env };
    env[system.env.id] = id;
    env[system.env.port] = String(ports.get(id));
    const peers = ids.filter((p) => p !== id).map((p) => ({ id: p, host: '127.0.0.1', port: ports.get(p)! }));
    env[system.env.peers] = formatPeers(system, peers);
    if (system.env.dataDir) env[system.env.dataDir] = join(dataRoot, id);
    if (system.env.bugs) env[system.env.bugs] = (options.bugs ?? []).join(',');
    if (system.env.advertise) env[system.env.advertise] = nodes.find((n) => n.id === id)!.url;
    return env;
  };

  const healthy = async (id: string): Promise<void> => {
    const url = `http://127.0.0.1:${ports.get(id)}${system.health.path}`;
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`${system.name} ${id} never became healthy:\n${procs.get(id)?.output() ?? ''}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const start = async (id: string): Promise<void> => {
    procs.set(id, spawnNode(args[0]!, envOf(id), args.slice(1)));
    await healthy(id);
  };

  const cluster: TestCluster = {
    system,
    nodes,
    kill: async (id) => {
      await procs.get(id)?.kill('SIGKILL');
    },
    restart: (id) => start(id),
    stop: async () => {
      await Promise.all([...procs.values()].map((p) => p.kill('SIGKILL')));
      rmSync(dataRoot, { recursive: true, force: true });
    },
    output: (id) => procs.get(id)?.output() ?? '',
  };
  try {
    await Promise.all(ids.map((id) => start(id)));
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** One test's cluster and the workload clients it opened; `stop()` (for afterEach) closes them all. */
export interface ClusterAndClients {
  start(systemName: string, options?: ClusterOptions): Promise<TestCluster>;
  /** A client of the workload for `process`, on the started cluster, with a 2 s timeout. */
  client(process: number, options?: unknown, context?: Partial<ClientContext>): Promise<WorkloadClient>;
  stop(): Promise<void>;
}

export function clusterAndClients<O>(workload: Workload<O>): ClusterAndClients {
  let cluster: TestCluster | undefined;
  const clients: WorkloadClient[] = [];
  return {
    async start(systemName, options) {
      cluster = await startCluster(systemName, options);
      return cluster;
    },
    async client(process, options = {}, context = {}) {
      if (!cluster) throw new Error('clusterAndClients: start a cluster first');
      const c = await workload.client(workload.options.parse(options), { nodes: cluster.nodes, process, timeoutMs: 2000, random: new Random(process), ...context });
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients.splice(0)) await c.close();
      await cluster?.stop();
      cluster = undefined;
    },
  };
}
