/**
 * What the docker runtime and the compose (attach) runtime share: nodes that are containers,
 * reached by their IP on a Docker network (Linux), with their output in logs/<node>.log, and
 * kill (SIGKILL), stop, pause (docker pause), resume and restart through dockerode.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import type { SystemDescriptor } from '../../descriptor.js';
import { waitUntilHealthy } from '../health.js';
import { RuntimeError, type Endpoint, type NodeLaunch, type NodeState, type ProxyHosts, type Runtime } from '../runtime.js';

export interface NodeContainer {
  id: string;
  launch?: NodeLaunch;
  container: Docker.Container;
  state: NodeState;
  ip?: string;
  /** Bumped at every start, so a late `wait` of an earlier start changes nothing. */
  generation: number;
  exited?: Promise<void>;
  log: number;
  logStream?: NodeJS.ReadableStream;
}

export interface ContainerRuntimeOptions {
  system: SystemDescriptor;
  runDir: string;
  docker: Docker;
  /** Seconds between SIGTERM and SIGKILL in stop(). Default 3. */
  stopGraceSeconds?: number;
}

export abstract class ContainerRuntime implements Runtime {
  abstract readonly kind: string;
  abstract readonly proxyHosts: ProxyHosts;
  abstract readonly toxiproxyUrl: string | undefined;
  abstract prepare(nodes: readonly string[], signal?: AbortSignal): Promise<Map<string, Endpoint>>;
  abstract start(launch: NodeLaunch): Promise<void>;
  abstract destroy(): Promise<void>;

  protected readonly nodes = new Map<string, NodeContainer>();
  protected destroyed = false;
  /** Ends the log streams and exit watches (open requests to the engine) at destroy. */
  protected readonly requests = new AbortController();

  constructor(protected readonly base: ContainerRuntimeOptions) {}

  /** The Docker network the nodes' addresses are on. */
  protected abstract readonly networkName: string;

  protected async ipOf(container: Docker.Container): Promise<string> {
    const info = await container.inspect();
    const ip = info.NetworkSettings.Networks[this.networkName]?.IPAddress;
    if (!ip) throw new RuntimeError(`container ${info.Name} has no address on network ${this.networkName}`);
    return ip;
  }

  protected port(): number {
    return this.base.system.port;
  }

  address(id: string): Endpoint {
    const node = this.nodes.get(id);
    if (!node?.ip) throw new RuntimeError(`node ${id} was never started`);
    return { host: node.ip, port: this.port() };
  }

  protected openLog(id: string): number {
    const dir = join(this.base.runDir, 'logs');
    mkdirSync(dir, { recursive: true });
    return openSync(join(dir, `${id}.log`), 'a');
  }

  protected note(node: NodeContainer, line: string): void {
    try {
      writeSync(node.log, `[faultline] ${new Date().toISOString()} ${line}\n`);
    } catch {
      // the log was closed by destroy()
    }
  }

  /** Sends the container's output (from now on) to the node's log. */
  protected async attachLog(node: NodeContainer): Promise<void> {
    const stream = await node.container.attach({ stream: true, stdout: true, stderr: true, logs: false, abortSignal: this.requests.signal });
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        try {
          writeSync(node.log, chunk);
        } catch {
          // closed
        }
        done();
      },
    });
    this.base.docker.modem.demuxStream(stream, sink, sink);
    node.logStream = stream;
  }

  /** Marks the node stopped when its container stops (for this start only). */
  protected watchExit(node: NodeContainer): void {
    const generation = ++node.generation;
    node.exited = node.container.wait({ condition: 'not-running', abortSignal: this.requests.signal }).then(
      (result: { StatusCode?: number }) => {
        if (node.generation !== generation) return;
        node.state = 'stopped';
        this.note(node, `${node.id} exited (code ${result.StatusCode ?? '?'})`);
      },
      () => {
        if (node.generation === generation) node.state = 'stopped';
      },
    );
  }

  /** Attaches the log, starts the container, and watches for its exit. */
  protected async run(node: NodeContainer): Promise<void> {
    await this.attachLog(node);
    await node.container.start();
    node.state = 'running';
    node.ip = await this.ipOf(node.container);
    this.note(node, `started ${node.id} (container ${node.container.id.slice(0, 12)}, ${node.ip}:${this.port()})`);
    this.watchExit(node);
  }

  protected node(id: string): NodeContainer {
    const node = this.nodes.get(id);
    if (!node) throw new RuntimeError(`node ${id} was never started`);
    return node;
  }

  async waitHealthy(id: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const node = this.node(id);
    await waitUntilHealthy({
      id,
      endpoint: this.address(id),
      path: this.base.system.health.path,
      runDir: this.base.runDir,
      timeoutMs,
      exited: () => node.state === 'stopped',
      signal,
    });
  }

  async kill(id: string): Promise<void> {
    const node = this.node(id);
    if (node.state === 'stopped') return;
    const paused = node.state === 'paused';
    await node.container.kill({ signal: 'SIGKILL' }).catch(ignoreNotRunning);
    if (paused) await node.container.unpause().catch(() => undefined);
    await node.exited;
    node.state = 'stopped';
  }

  async stop(id: string): Promise<void> {
    const node = this.node(id);
    if (node.state === 'stopped') return;
    if (node.state === 'paused') await node.container.unpause().catch(() => undefined);
    await node.container.stop({ t: this.base.stopGraceSeconds ?? 3 }).catch(ignoreNotRunning);
    await node.exited;
    node.state = 'stopped';
  }

  async pause(id: string): Promise<void> {
    const node = this.node(id);
    if (node.state !== 'running') throw new RuntimeError(`cannot pause ${id}: it is ${node.state}`);
    await node.container.pause();
    node.state = 'paused';
    this.note(node, `paused ${id}`);
  }

  async resume(id: string): Promise<void> {
    const node = this.node(id);
    if (node.state !== 'paused') return;
    await node.container.unpause();
    node.state = 'running';
    this.note(node, `resumed ${id}`);
  }

  async restart(id: string): Promise<void> {
    const node = this.node(id);
    if (node.state !== 'stopped') await this.stop(id);
    if (this.destroyed) throw new RuntimeError('runtime destroyed');
    await this.run(node);
  }

  state(id: string): NodeState {
    return this.nodes.get(id)?.state ?? 'stopped';
  }

  protected closeLogs(): void {
    this.requests.abort();
    for (const node of this.nodes.values()) {
      try {
        closeSync(node.log);
      } catch {
        // closed
      }
    }
  }
}

export function ignoreNotRunning(err: { statusCode?: number }): void {
  // 304 already stopped, 409 not running
  if (err.statusCode !== 304 && err.statusCode !== 409) throw err;
}

export function ignoreGone(err: { statusCode?: number }): void {
  if (err.statusCode !== 404) throw err;
}
