/**
 * The docker runtime: each node is a container of the system's image (built when missing or
 * stale, see harness/docker/images.ts) on a network of the run's own, next to a Toxiproxy
 * container (faultline-toxiproxy, or $TOXIPROXY_IMAGE such as ghcr.io/shopify/toxiproxy) that
 * carries every link. Everything is labelled with the run id; destroy() removes it all, and a
 * later run removes what a run killed outright left (containers and networks whose harness pid
 * is gone). Linux: the harness reaches containers by their IP on the run's network.
 *
 *   const rt = createDockerRuntime({ system, runId, runDir });
 *   const upstreams = await rt.prepare(['node1', 'node2']);   // images, network, Toxiproxy
 *   rt.toxiproxyUrl;                                            // http://<proxy ip>:8474
 *   await rt.start({ id: 'node1', env }); await rt.waitHealthy('node1', 30_000);
 *   await rt.kill('node1'); await rt.restart('node1'); await rt.destroy();
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { dockerClient, dockerUnavailable, LABEL, runLabels } from '../docker/client.js';
import { imageExists } from '../docker/base-image.js';
import { ensureImage, systemImage, toxiproxyImage } from '../docker/images.js';
import { removeDeadRuns } from '../docker/leftovers.js';
import { getJson, probe } from './health.js';
import type { RuntimeOptions } from './index.js';
import { RUN_ID_ENV } from './leftovers.js';
import { RuntimeError, type Endpoint, type NodeLaunch, type NodeState, type ProxyHosts, type Runtime } from './runtime.js';

export interface DockerRuntimeOptions extends RuntimeOptions {
  docker?: Docker;
  /** The Toxiproxy image; default $TOXIPROXY_IMAGE, else faultline-toxiproxy (built locally). */
  toxiproxyImage?: string;
  /** Seconds between SIGTERM and SIGKILL in stop(). Default 3. */
  stopGraceSeconds?: number;
  /** Progress lines (image builds, leftovers removed). */
  log?: (line: string) => void;
}

const TOXIPROXY_API_PORT = 8474;
/** Where a node keeps its data inside its container (kept across kill/restart: same container). */
const DATA_DIR = '/data';

interface NodeContainer {
  launch: NodeLaunch;
  container: Docker.Container;
  state: NodeState;
  ip?: string;
  /** Bumped at every start, so a late `wait` of an earlier start changes nothing. */
  generation: number;
  exited?: Promise<void>;
  log: number;
}

export function createDockerRuntime(options: DockerRuntimeOptions): DockerRuntime {
  return new DockerRuntime(options);
}

export class DockerRuntime implements Runtime {
  readonly kind = 'docker';
  private readonly docker: Docker;
  private readonly base: string;
  private readonly nodes = new Map<string, NodeContainer>();
  private network?: Docker.Network;
  private proxy?: Docker.Container;
  private proxyIp?: string;
  private ids: string[] = [];
  private destroyed = false;
  private image = '';

  constructor(private readonly options: DockerRuntimeOptions) {
    this.docker = options.docker ?? dockerClient();
    this.base = `faultline-${options.runId.toLowerCase().replace(/[^a-z0-9_.-]/g, '-')}-${process.pid}`;
  }

  /** The API of this run's Toxiproxy container (set by prepare). */
  get toxiproxyUrl(): string | undefined {
    return this.proxyIp ? `http://${this.proxyIp}:${TOXIPROXY_API_PORT}` : undefined;
  }

  get proxyHosts(): ProxyHosts {
    if (!this.proxyIp) throw new RuntimeError('docker runtime: prepare() first');
    return { listenHost: '0.0.0.0', peerHost: this.proxyIp, clientHost: this.proxyIp };
  }

  /** The run's network name (containers of the run are on it). */
  get networkName(): string {
    return this.base;
  }

  private labels(extra: Record<string, string>): Record<string, string> {
    return { ...runLabels(this.options.runId), [LABEL.system]: this.options.system.name, ...extra };
  }

  async prepare(ids: readonly string[]): Promise<Map<string, Endpoint>> {
    const log = this.options.log ?? (() => undefined);
    const why = await dockerUnavailable(this.docker);
    if (why) throw new RuntimeError(`the docker runtime needs a Docker engine: ${why}`);
    for (const runId of await removeDeadRuns(this.docker)) log(`removed containers and networks left by run ${runId}`);
    this.ids = [...ids];
    this.image = systemImage(this.options.system).ref;
    try {
      await ensureImage(this.docker, systemImage(this.options.system), { log });
    } catch (err) {
      throw new RuntimeError(`cannot build ${this.image}: ${(err as Error).message}`);
    }
    const proxyImage = this.options.toxiproxyImage ?? process.env.TOXIPROXY_IMAGE ?? toxiproxyImage.ref;
    if (proxyImage === toxiproxyImage.ref) {
      await ensureImage(this.docker, toxiproxyImage, { log }).catch((err: Error) => {
        throw new RuntimeError(`cannot build ${proxyImage}: ${err.message}`);
      });
    } else if (!(await imageExists(this.docker, proxyImage))) {
      throw new RuntimeError(`TOXIPROXY_IMAGE=${proxyImage}: the Docker engine does not have this image (docker pull it first)`);
    }
    this.network = await this.docker.createNetwork({
      Name: this.base,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: this.labels({}),
    });
    this.proxy = await this.docker.createContainer({
      name: `${this.base}-toxiproxy`,
      Image: proxyImage,
      Cmd: ['-host=0.0.0.0', `-port=${TOXIPROXY_API_PORT}`],
      Labels: this.labels({ [LABEL.role]: 'toxiproxy' }),
      HostConfig: { NetworkMode: this.base },
      NetworkingConfig: { EndpointsConfig: { [this.base]: { Aliases: ['toxiproxy'] } } },
    });
    await this.proxy.start();
    this.proxyIp = await this.ipOf(this.proxy);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const answer = await getJson({ host: this.proxyIp, port: TOXIPROXY_API_PORT }, '/version', 1000);
      if (!('error' in answer) || Date.now() > deadline) {
        if ('error' in answer) throw new RuntimeError(`the Toxiproxy container (${proxyImage}) did not answer on ${this.toxiproxyUrl}: ${answer.error}`);
        break;
      }
      await sleep(100);
    }
    // Upstreams are seen from the Toxiproxy container: the nodes' names on the run's network.
    return new Map(ids.map((id) => [id, { host: id, port: this.options.system.port }]));
  }

  private async ipOf(container: Docker.Container): Promise<string> {
    const info = await container.inspect();
    const ip = info.NetworkSettings.Networks[this.base]?.IPAddress;
    if (!ip) throw new RuntimeError(`container ${info.Name} has no address on network ${this.base}`);
    return ip;
  }

  address(id: string): Endpoint {
    const node = this.nodes.get(id);
    if (!node?.ip) throw new RuntimeError(`node ${id} was never started`);
    return { host: node.ip, port: this.options.system.port };
  }

  async start(launch: NodeLaunch): Promise<void> {
    if (this.destroyed) throw new RuntimeError('runtime destroyed');
    if (!this.network) throw new RuntimeError('docker runtime: prepare() first');
    if (!this.ids.includes(launch.id)) throw new RuntimeError(`node ${launch.id} was not prepared`);
    const existing = this.nodes.get(launch.id);
    if (existing && existing.state !== 'stopped') throw new RuntimeError(`node ${launch.id} is already running`);
    if (existing) {
      // New settings: a new container (its data goes with the old one).
      await existing.container.remove({ force: true, v: true }).catch(() => undefined);
    }
    const { system, runId } = this.options;
    const env: Record<string, string> = { ...launch.env, [RUN_ID_ENV]: runId, HOST: '0.0.0.0' };
    env[system.env.port] = String(system.port);
    if (system.env.dataDir) env[system.env.dataDir] = DATA_DIR;
    const container = await this.docker.createContainer({
      name: `${this.base}-${launch.id.replace(/[^A-Za-z0-9_.-]/g, '-')}`,
      Image: this.image,
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      ...(system.container.command && { Cmd: system.container.command }),
      Labels: this.labels({ [LABEL.role]: 'node', [LABEL.node]: launch.id }),
      HostConfig: { NetworkMode: this.base },
      NetworkingConfig: { EndpointsConfig: { [this.base]: { Aliases: [launch.id] } } },
    });
    const node: NodeContainer = { launch, container, state: 'stopped', generation: 0, log: existing?.log ?? this.openLog(launch.id) };
    this.nodes.set(launch.id, node);
    await this.run(node);
  }

  private openLog(id: string): number {
    const dir = join(this.options.runDir, 'logs');
    mkdirSync(dir, { recursive: true });
    return openSync(join(dir, `${id}.log`), 'a');
  }

  private note(node: NodeContainer, line: string): void {
    try {
      writeSync(node.log, `[faultline] ${new Date().toISOString()} ${line}\n`);
    } catch {
      // the log was closed by destroy()
    }
  }

  /** Attaches the log, starts the container, and watches for its exit. */
  private async run(node: NodeContainer): Promise<void> {
    const generation = ++node.generation;
    const stream = await node.container.attach({ stream: true, stdout: true, stderr: true, logs: false });
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
    this.docker.modem.demuxStream(stream, sink, sink);
    await node.container.start();
    node.state = 'running';
    node.ip = await this.ipOf(node.container);
    this.note(node, `started ${node.launch.id} (container ${node.container.id.slice(0, 12)}, ${node.ip}:${this.options.system.port})`);
    node.exited = node.container.wait({ condition: 'not-running' }).then(
      (result: { StatusCode?: number }) => {
        if (node.generation !== generation) return;
        node.state = 'stopped';
        this.note(node, `${node.launch.id} exited (code ${result.StatusCode ?? '?'})`);
      },
      () => {
        if (node.generation === generation) node.state = 'stopped';
      },
    );
  }

  private node(id: string): NodeContainer {
    const node = this.nodes.get(id);
    if (!node) throw new RuntimeError(`node ${id} was never started`);
    return node;
  }

  async waitHealthy(id: string, timeoutMs: number): Promise<void> {
    const node = this.node(id);
    const deadline = Date.now() + timeoutMs;
    const path = this.options.system.health.path;
    while (Date.now() < deadline) {
      if (node.state === 'stopped') throw new RuntimeError(`node ${id} exited before it was healthy; ${this.logTail(id)}`);
      const status = await probe(this.address(id), path, Math.min(1000, Math.max(50, deadline - Date.now())));
      if (status !== undefined && status >= 200 && status < 300) return;
      await sleep(50);
    }
    throw new RuntimeError(`node ${id} not healthy after ${timeoutMs} ms (GET ${path}); ${this.logTail(id)}`);
  }

  private logTail(id: string): string {
    try {
      const text = readFileSync(join(this.options.runDir, 'logs', `${id}.log`), 'utf8').trim().split('\n').slice(-5).join('\n    ');
      return `last lines of logs/${id}.log:\n    ${text}`;
    } catch {
      return `see logs/${id}.log`;
    }
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
    await node.container.stop({ t: this.options.stopGraceSeconds ?? 3 }).catch(ignoreNotRunning);
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

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const containers = [...[...this.nodes.values()].map((n) => n.container), ...(this.proxy ? [this.proxy] : [])];
    await Promise.all(containers.map((c) => c.remove({ force: true, v: true }).catch(ignoreGone)));
    await Promise.all([...this.nodes.values()].map((n) => n.exited?.catch(() => undefined)));
    for (const node of this.nodes.values()) {
      node.state = 'stopped';
      this.note(node, `removed ${node.launch.id}`);
      try {
        closeSync(node.log);
      } catch {
        // closed
      }
    }
    await this.network?.remove().catch(ignoreGone);
  }
}

function ignoreNotRunning(err: { statusCode?: number }): void {
  // 304 already stopped, 409 not running
  if (err.statusCode !== 304 && err.statusCode !== 409) throw err;
}

function ignoreGone(err: { statusCode?: number }): void {
  if (err.statusCode !== 404) throw err;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
