/**
 * The process runtime: each node is a child process on 127.0.0.1 with a port of its own, in its
 * own process group (so a terminal's Ctrl-C reaches the harness, which then stops the nodes in
 * order). Output goes to logs/<node>.log; the pid file lets a later run kill what a run killed
 * outright left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SystemDescriptor } from '../descriptor.js';
import { processLaunch, type ProcessLaunch } from '../system-command.js';
import { describeLoss, durabilityEnv, loseUnsynced, preloadPath, unsyncedLossCheck } from '../durability/index.js';
import { waitUntilHealthy } from './health.js';
import { RUN_ID_ENV } from './leftovers.js';
import { holdPort, type HeldPort } from './ports.js';
import { RuntimeError, type Endpoint, type NodeLaunch, type NodeState, type ProxyHosts, type Runtime } from './runtime.js';

export interface ProcessRuntimeOptions {
  system: SystemDescriptor;
  runId: string;
  /** logs/ and data/ go here. */
  runDir: string;
  /** Told every time the set of node pids changes (for the pid file). */
  onPids?: (pids: Record<string, number>) => void;
  /** Milliseconds between SIGTERM and SIGKILL in stop(). Default 3000. */
  stopGraceMs?: number;
  /** Nodes run with the durability preload (their record in durability/<node>/), for loseUnsynced(). */
  durability?: boolean;
}

interface NodeProcess {
  launch: NodeLaunch;
  child?: ChildProcess;
  exited?: Promise<void>;
  state: NodeState;
  log: number;
}

const HOST = '127.0.0.1';

export class ProcessRuntime implements Runtime {
  readonly kind = 'process';
  readonly proxyHosts: ProxyHosts = { listenHost: HOST, peerHost: HOST, clientHost: HOST };
  private readonly ports = new Map<string, number>();
  /** Ports chosen by prepare() and held until their node first starts. */
  private readonly held = new Map<string, HeldPort>();
  private readonly nodes = new Map<string, NodeProcess>();
  private destroyed = false;
  /** If the harness exits without destroy() (an uncaught error), its nodes go with it. */
  private readonly killOnExit = (): void => {
    for (const node of this.nodes.values()) if (node.child) this.signal(node, 'SIGKILL');
  };

  constructor(private readonly options: ProcessRuntimeOptions) {}

  async prepare(ids: readonly string[]): Promise<Map<string, Endpoint>> {
    const out = new Map<string, Endpoint>();
    for (const id of ids) {
      const held = await holdPort(HOST);
      this.held.set(id, held);
      this.ports.set(id, held.port);
      out.set(id, { host: HOST, port: held.port });
    }
    return out;
  }

  address(id: string): Endpoint {
    const port = this.ports.get(id);
    if (port === undefined) throw new RuntimeError(`unknown node ${id}`);
    return { host: HOST, port };
  }

  async start(launch: NodeLaunch): Promise<void> {
    await this.releasePort(launch.id);
    if (this.destroyed) throw new RuntimeError('runtime destroyed');
    const existing = this.nodes.get(launch.id);
    if (existing && existing.state !== 'stopped') throw new RuntimeError(`node ${launch.id} is already running`);
    const log = existing?.log ?? this.openLog(launch.id);
    const node: NodeProcess = existing ?? { launch, state: 'stopped', log };
    node.launch = launch;
    this.nodes.set(launch.id, node);
    this.spawn(node);
  }

  /** Lets go of the port prepare() held for a node, just before the node binds it. */
  private async releasePort(id: string): Promise<void> {
    const held = this.held.get(id);
    this.held.delete(id);
    await held?.release();
  }

  private openLog(id: string): number {
    const dir = join(this.options.runDir, 'logs');
    mkdirSync(dir, { recursive: true });
    return openSync(join(dir, `${id}.log`), 'a');
  }

  private spawn(node: NodeProcess): void {
    const { system, runId, runDir } = this.options;
    const id = node.launch.id;
    const env: NodeJS.ProcessEnv = { ...process.env, ...node.launch.env, [RUN_ID_ENV]: runId };
    env[system.env.port] = String(this.address(id).port);
    if (system.env.dataDir) {
      const dataDir = this.dataDir(id);
      mkdirSync(dataDir, { recursive: true });
      env[system.env.dataDir] = dataDir;
      if (this.options.durability) Object.assign(env, durabilityEnv(dataDir, this.recordDir(id), preloadPath(), env.NODE_OPTIONS));
    }
    if (!process.listeners('exit').includes(this.killOnExit)) process.on('exit', this.killOnExit);
    let launch: ProcessLaunch;
    try {
      launch = processLaunch(system, env);
    } catch (err) {
      writeSync(node.log, `[faultline] cannot start ${id}: ${(err as Error).message}\n`);
      throw new RuntimeError(`node ${id} cannot start: ${(err as Error).message}`);
    }
    const [cmd, ...args] = launch.argv;
    const child = spawn(cmd!, args, { cwd: launch.cwd, env, stdio: ['ignore', node.log, node.log], detached: true });
    writeSync(node.log, `[faultline] ${new Date().toISOString()} started ${id} (pid ${child.pid ?? '?'}): ${[cmd, ...args].join(' ')}\n`);
    node.child = child;
    node.state = 'running';
    node.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (node.child === child) {
          node.state = 'stopped';
          node.child = undefined;
        }
        try {
          writeSync(node.log, `[faultline] ${new Date().toISOString()} ${id} exited (${signal ?? `code ${code}`})\n`);
        } catch {
          // the log was closed by destroy()
        }
        this.reportPids();
        resolve();
      });
      // A spawn that fails (the program vanished since the check) emits no 'exit': end here.
      child.once('error', (err) => {
        try {
          writeSync(node.log, `[faultline] cannot start ${id}: ${err.message}\n`);
        } catch {
          // closed
        }
        if (child.pid === undefined && node.child === child) {
          node.state = 'stopped';
          node.child = undefined;
          resolve();
        }
      });
    });
    this.reportPids();
  }

  private dataDir(id: string): string {
    return join(this.options.runDir, 'data', id);
  }

  private recordDir(id: string): string {
    return join(this.options.runDir, 'durability', id);
  }

  async loseUnsynced(id: string): Promise<string> {
    const node = this.node(id);
    const nothing = unsyncedLossCheck(id, node.state, this.options.durability, this.options.system.env.dataDir !== undefined);
    if (nothing !== undefined) return nothing;
    const loss = describeLoss(loseUnsynced(id, this.dataDir(id), this.recordDir(id)));
    writeSync(node.log, `[faultline] ${new Date().toISOString()} power loss of ${id}: ${loss}\n`);
    return loss;
  }

  private reportPids(): void {
    const pids: Record<string, number> = {};
    for (const [id, node] of this.nodes) if (node.child?.pid !== undefined) pids[id] = node.child.pid;
    this.options.onPids?.(pids);
  }

  private node(id: string): NodeProcess {
    const node = this.nodes.get(id);
    if (!node) throw new RuntimeError(`node ${id} was never started`);
    return node;
  }

  async waitHealthy(id: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const node = this.node(id);
    await waitUntilHealthy({
      id,
      endpoint: this.address(id),
      path: this.options.system.health.path,
      runDir: this.options.runDir,
      timeoutMs,
      exited: () => node.state === 'stopped',
      signal,
    });
  }

  private signal(node: NodeProcess, signal: NodeJS.Signals): void {
    const pid = node.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }

  async kill(id: string): Promise<void> {
    const node = this.node(id);
    if (node.state === 'stopped') return;
    this.signal(node, 'SIGKILL');
    await node.exited;
  }

  async stop(id: string): Promise<void> {
    const node = this.node(id);
    if (node.state === 'stopped') return;
    this.signal(node, 'SIGTERM');
    if (node.state === 'paused') this.signal(node, 'SIGCONT');
    const graceful = await Promise.race([node.exited!.then(() => true), sleep(this.options.stopGraceMs ?? 3000).then(() => false)]);
    if (!graceful) {
      this.signal(node, 'SIGKILL');
      await node.exited;
    }
  }

  async pause(id: string): Promise<void> {
    const node = this.node(id);
    if (node.state !== 'running') throw new RuntimeError(`cannot pause ${id}: it is ${node.state}`);
    this.signal(node, 'SIGSTOP');
    node.state = 'paused';
  }

  async resume(id: string): Promise<void> {
    const node = this.node(id);
    if (node.state !== 'paused') return;
    this.signal(node, 'SIGCONT');
    node.state = 'running';
  }

  async restart(id: string): Promise<void> {
    const node = this.node(id);
    if (node.state !== 'stopped') await this.stop(id);
    this.spawn(node);
  }

  state(id: string): NodeState {
    return this.nodes.get(id)?.state ?? 'stopped';
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await Promise.all([...this.nodes.keys()].map((id) => this.stop(id).catch(() => undefined)));
    await Promise.all([...this.held.keys()].map((id) => this.releasePort(id)));
    process.off('exit', this.killOnExit);
    for (const node of this.nodes.values()) {
      try {
        closeSync(node.log);
      } catch {
        // closed
      }
    }
  }
}
