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
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { abortable, dockerClient, dockerUnavailable, LABEL, runLabels } from '../docker/client.js';
import { imageExists } from '../docker/base-image.js';
import { ensureImage, systemImage, toxiproxyImage, type ImageSpec } from '../docker/images.js';
import { removeDeadRuns } from '../docker/leftovers.js';
import { putFiles } from '../docker/tar.js';
import { durabilityEnv, noRecordError, preloadTar, RECORD_FILES, unsyncedLossCheck } from '../durability/index.js';
import { ContainerRuntime, ignoreGone, type NodeContainer } from './docker/containers.js';
import { createComposeRuntime } from './docker/compose.js';
import { getJson } from './health.js';
import type { RuntimeOptions } from './index.js';
import { RUN_ID_ENV } from './leftovers.js';
import { RuntimeError, type Endpoint, type NodeLaunch, type ProxyHosts, type Runtime } from './runtime.js';

export interface DockerRuntimeOptions extends RuntimeOptions {
  docker?: Docker;
  /** The Toxiproxy image; default $TOXIPROXY_IMAGE, else faultline-toxiproxy (built locally). */
  toxiproxyImage?: string;
  /** Seconds between SIGTERM and SIGKILL in stop(). Default 3. */
  stopGraceSeconds?: number;
}

const TOXIPROXY_API_PORT = 8474;
/** Where a node keeps its data inside its container (kept across kill/restart: same container). */
const DATA_DIR = '/data';
/** power-loss: the preload and the durability record, in the container's own file system (kept
 *  across kill and restart, removed with the container). */
const DURABILITY_DIR = '/tmp/faultline-durability';
const RECORD_DIR = `${DURABILITY_DIR}/record`;

/** The engine's entry (harness/runtime/index.ts): a compose project when `attach` is given. */
export function createDockerRuntime(options: DockerRuntimeOptions): Runtime {
  if (options.attach) return createComposeRuntime({ ...options, attach: options.attach, docker: options.docker ?? dockerClient() });
  return new DockerRuntime(options);
}

export class DockerRuntime extends ContainerRuntime {
  readonly kind = 'docker';
  private readonly docker: Docker;
  private readonly name: string;
  private network?: Docker.Network;
  private proxy?: Docker.Container;
  private proxyIp?: string;
  private ids: string[] = [];
  private image = '';

  constructor(private readonly options: DockerRuntimeOptions) {
    const docker = options.docker ?? dockerClient();
    super({ system: options.system, runDir: options.runDir, docker, stopGraceSeconds: options.stopGraceSeconds });
    this.docker = docker;
    this.name = `faultline-${options.runId.toLowerCase().replace(/[^a-z0-9_.-]/g, '-')}-${process.pid}`;
  }

  /** The API of this run's Toxiproxy container (set by prepare). */
  get toxiproxyUrl(): string | undefined {
    return this.proxyIp ? `http://${this.proxyIp}:${TOXIPROXY_API_PORT}` : undefined;
  }

  get proxyHosts(): ProxyHosts {
    if (!this.proxyIp) throw new RuntimeError('docker runtime: prepare() first');
    return { listenHost: '0.0.0.0', peerHost: this.proxyIp, clientHost: this.proxyIp };
  }

  /** The run's network (its containers are on it). */
  get networkName(): string {
    return this.name;
  }

  private labels(extra: Record<string, string>): Record<string, string> {
    return { ...runLabels(this.options.runId), [LABEL.system]: this.options.system.name, ...extra };
  }

  async prepare(ids: readonly string[], signal?: AbortSignal): Promise<Map<string, Endpoint>> {
    const log = this.options.log ?? (() => undefined);
    // On abort (Ctrl-C): a build's request is closed (the engine cancels it, nothing is tagged),
    // the Toxiproxy wait ends, and no further object is made; destroy() removes the ones made.
    const step = <T>(work: Promise<T>): Promise<T> => abortable(work, signal);
    const why = await step(dockerUnavailable(this.docker));
    if (why) throw new RuntimeError(`the docker runtime needs a Docker engine: ${why}`);
    for (const runId of await step(removeDeadRuns(this.docker))) log(`removed containers and networks left by run ${runId}`);
    this.ids = [...ids];
    this.image = systemImage(this.options.system).ref;
    const build = async (spec: ImageSpec, ref: string): Promise<void> => {
      try {
        await step(ensureImage(this.docker, spec, { log, ...(signal && { signal }) }));
      } catch (err) {
        signal?.throwIfAborted();
        throw new RuntimeError(`cannot build ${ref}: ${(err as Error).message}`);
      }
    };
    await build(systemImage(this.options.system), this.image);
    const proxyImage = this.options.toxiproxyImage ?? process.env.TOXIPROXY_IMAGE ?? toxiproxyImage.ref;
    if (proxyImage === toxiproxyImage.ref) await build(toxiproxyImage, proxyImage);
    else if (!(await step(imageExists(this.docker, proxyImage)))) {
      throw new RuntimeError(`TOXIPROXY_IMAGE=${proxyImage}: the Docker engine does not have this image (docker pull it first)`);
    }
    // Each object is kept as soon as it exists (even when the signal aborted meanwhile), so
    // destroy() removes it.
    this.network = await this.docker.createNetwork({ Name: this.name, Driver: 'bridge', CheckDuplicate: true, Labels: this.labels({}) });
    signal?.throwIfAborted();
    this.proxy = await this.docker.createContainer({
      name: `${this.name}-toxiproxy`,
      Image: proxyImage,
      // -seed: the toxics' per-connection choices replay with the run's seed (both images take it)
      Cmd: ['-host=0.0.0.0', `-port=${TOXIPROXY_API_PORT}`, ...(this.options.proxySeed === undefined ? [] : [`-seed=${this.options.proxySeed}`])],
      Labels: this.labels({ [LABEL.role]: 'toxiproxy' }),
      HostConfig: { NetworkMode: this.name },
      NetworkingConfig: { EndpointsConfig: { [this.name]: { Aliases: ['toxiproxy'] } } },
    });
    signal?.throwIfAborted();
    await this.proxy.start();
    this.proxyIp = await this.ipOf(this.proxy);
    await waitForToxiproxy(this.toxiproxyUrl!, proxyImage, 20_000, signal);
    // Upstreams are seen from the Toxiproxy container: the nodes' names on the run's network.
    return new Map(ids.map((id) => [id, { host: id, port: this.options.system.port }]));
  }

  async start(launch: NodeLaunch): Promise<void> {
    if (this.destroyed) throw new RuntimeError('runtime destroyed');
    if (!this.network) throw new RuntimeError('docker runtime: prepare() first');
    if (!this.ids.includes(launch.id)) throw new RuntimeError(`node ${launch.id} was not prepared`);
    const existing = this.nodes.get(launch.id);
    if (existing && existing.state !== 'stopped') throw new RuntimeError(`node ${launch.id} is already running`);
    // New settings: a new container (its data goes with the old one).
    if (existing) await existing.container.remove({ force: true, v: true }).catch(() => undefined);
    const { system, runId } = this.options;
    const env: Record<string, string> = { ...launch.env, [RUN_ID_ENV]: runId, HOST: '0.0.0.0' };
    env[system.env.port] = String(system.port);
    const durable = this.options.durability === true && system.env.dataDir !== undefined;
    if (system.env.dataDir) env[system.env.dataDir] = DATA_DIR;
    if (durable) Object.assign(env, durabilityEnv(DATA_DIR, RECORD_DIR, `${DURABILITY_DIR}/preload/preload.js`));
    const container = await this.docker.createContainer({
      name: `${this.name}-${launch.id.replace(/[^A-Za-z0-9_.-]/g, '-')}`,
      Image: this.image,
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      ...(system.container.command && { Cmd: system.container.command }),
      Labels: this.labels({ [LABEL.role]: 'node', [LABEL.node]: launch.id }),
      HostConfig: { NetworkMode: this.name },
      NetworkingConfig: { EndpointsConfig: { [this.name]: { Aliases: [launch.id] } } },
    });
    const node: NodeContainer = { id: launch.id, launch, container, state: 'stopped', generation: 0, log: existing?.log ?? this.openLog(launch.id) };
    this.nodes.set(launch.id, node);
    if (durable) await putFiles(container, '/tmp', preloadTar('faultline-durability/preload'));
    await this.run(node);
  }

  /** The preload rolls the data back when the container next starts (a stopped container's files
   *  can be added, not removed): this leaves it the mark. */
  async loseUnsynced(id: string): Promise<string> {
    const node = this.node(id);
    const nothing = unsyncedLossCheck(id, node.state, this.options.durability, this.options.system.env.dataDir !== undefined);
    if (nothing !== undefined) return nothing;
    const ready = await node.container.getArchive({ path: `${RECORD_DIR}/${RECORD_FILES.ready}` }).then(
      () => true,
      (err: { statusCode?: number }) => {
        if (err.statusCode === 404) return false;
        throw err;
      },
    );
    if (!ready) throw noRecordError(id);
    await putFiles(node.container, RECORD_DIR, [{ name: RECORD_FILES.crashed, data: '' }]);
    this.note(node, `power loss of ${id}: writes not fsynced are dropped when it starts`);
    return 'writes not fsynced are dropped at the restart (the node log says which)';
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const containers = [...[...this.nodes.values()].map((n) => n.container), ...(this.proxy ? [this.proxy] : [])];
    await Promise.all(containers.map((c) => c.remove({ force: true, v: true }).catch(ignoreGone)));
    await Promise.all([...this.nodes.values()].map((n) => n.exited?.catch(() => undefined)));
    for (const node of this.nodes.values()) {
      node.state = 'stopped';
      this.note(node, `removed ${node.id}`);
    }
    this.closeLogs();
    await this.network?.remove().catch(ignoreGone);
  }
}

/** Resolves once a Toxiproxy API answers GET /version; rejects (the signal's reason) within a
 *  second of `signal` aborting. */
export async function waitForToxiproxy(url: string, what: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const { hostname, port } = new URL(url);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const answer = await getJson({ host: hostname, port: Number(port) }, '/version', 1000);
    signal?.throwIfAborted();
    if (!('error' in answer)) return;
    if (Date.now() > deadline) throw new RuntimeError(`the Toxiproxy container (${what}) did not answer on ${url}: ${answer.error}`);
    await sleep(100);
  }
}
