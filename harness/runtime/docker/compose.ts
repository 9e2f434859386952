/**
 * Attach mode: the nodes and the Toxiproxy of an already-running compose project
 * (`docker compose -f compose/raft.yml up -d`, then `faultline run CAMPAIGN --attach compose/raft.yml`).
 * Nothing is created: the run adopts the project's proxies (the ones its Toxiproxy config file
 * populated, same names, ports and upstreams as faultline's), kills, pauses and restarts the
 * project's containers, and at the end leaves the project as it found it: every node running,
 * every proxy back as the config file says, no toxic left.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { abortable, dockerUnavailable } from '../../docker/client.js';
import { loadComposeFile, projectName, splitHostPort, toxiproxyConfig, type ComposeFile, type ProxyConfig } from '../../docker/compose-file.js';
import { CLIENT, linkName } from '../../network/network.js';
import type { AttachOptions, RuntimeOptions } from '../index.js';
import { RuntimeError, type Endpoint, type NodeLaunch, type ProxyHosts } from '../runtime.js';
import { ContainerRuntime, type NodeContainer } from './containers.js';

export interface ComposeRuntimeOptions extends RuntimeOptions {
  attach: AttachOptions;
  docker: Docker;
}

const PROJECT_LABEL = 'com.docker.compose.project';
const SERVICE_LABEL = 'com.docker.compose.service';
/** The proxy names of compose/toxiproxy/*.json: faultline_<from>_to_<to>, faultline_client_to_<node>. */
export const COMPOSE_PROXY_PREFIX = 'faultline_';
const TOXIPROXY_SERVICE = 'toxiproxy';

export function createComposeRuntime(options: ComposeRuntimeOptions): ComposeRuntime {
  return new ComposeRuntime(options);
}

export class ComposeRuntime extends ContainerRuntime {
  readonly kind = 'docker';
  private readonly docker: Docker;
  private compose?: ComposeFile;
  private project = '';
  private proxies: ProxyConfig[] = [];
  private network = '';
  private proxyIp?: string;
  private apiPort = 8474;
  /** The project's proxies were restored by prepare: the run may change them from then on. */
  private adopted = false;

  constructor(private readonly options: ComposeRuntimeOptions) {
    super({ system: options.system, runDir: options.runDir, docker: options.docker });
    this.docker = options.docker;
  }

  protected get networkName(): string {
    return this.network;
  }

  get toxiproxyUrl(): string | undefined {
    return this.proxyIp ? `http://${this.proxyIp}:${this.apiPort}` : undefined;
  }

  get proxyHosts(): ProxyHosts {
    if (!this.proxyIp) throw new RuntimeError('attach: prepare() first');
    const listenPorts: Record<string, number> = {};
    for (const p of this.proxies) listenPorts[p.name] = splitHostPort(p.listen).port;
    const listenHost = splitHostPort(this.proxies[0]!.listen).host || '0.0.0.0';
    return { listenHost, peerHost: TOXIPROXY_SERVICE, clientHost: this.proxyIp, prefix: COMPOSE_PROXY_PREFIX, listenPorts };
  }

  /** Adopts the project; when `signal` aborts (Ctrl-C), every wait in it (the engine, the
   *  project's Toxiproxy) ends within a second with the signal's reason. */
  async prepare(ids: readonly string[], signal?: AbortSignal): Promise<Map<string, Endpoint>> {
    const { file } = this.options.attach;
    const step = <T>(work: Promise<T>): Promise<T> => abortable(work, signal);
    const why = await step(dockerUnavailable(this.docker));
    if (why) throw new RuntimeError(`--attach needs a Docker engine: ${why}`);
    try {
      this.compose = loadComposeFile(file);
      this.proxies = toxiproxyConfig(this.compose, TOXIPROXY_SERVICE).proxies;
    } catch (err) {
      throw new RuntimeError((err as Error).message);
    }
    this.project = projectName(this.compose, this.options.attach.project);
    const services = Object.keys(this.compose.services).filter((s) => s !== TOXIPROXY_SERVICE && this.compose!.services[s]!.profiles.length === 0);
    const missing = ids.filter((id) => !services.includes(id));
    if (missing.length > 0) {
      throw new RuntimeError(
        `${file} has no service for node(s) ${missing.join(', ')} (its nodes: ${services.join(', ')}); run the campaign with --set nodes=${services.length}`,
      );
    }
    const containers = await step(this.docker.listContainers({ all: true, filters: { label: [`${PROJECT_LABEL}=${this.project}`] } }));
    const byService = new Map(containers.map((c) => [c.Labels[SERVICE_LABEL] ?? '', c]));
    const up = `docker compose -f ${file} -p ${this.project} up -d`;
    if (containers.length === 0) throw new RuntimeError(`no containers of compose project "${this.project}"; start it first: ${up}`);
    const proxy = byService.get(TOXIPROXY_SERVICE);
    if (!proxy || proxy.State !== 'running') throw new RuntimeError(`the ${TOXIPROXY_SERVICE} service of project "${this.project}" is not running; ${up}`);
    for (const id of ids) if (!byService.has(id)) throw new RuntimeError(`service ${id} of project "${this.project}" has no container; ${up}`);

    // Every link faultline makes must be a proxy of the config, with the node as upstream.
    const byName = new Map(this.proxies.map((p) => [p.name, p]));
    const upstreams = new Map<string, Endpoint>();
    for (const to of ids) {
      const client = byName.get(linkName(COMPOSE_PROXY_PREFIX, CLIENT, to));
      if (!client) throw new RuntimeError(`the Toxiproxy config of ${file} has no proxy ${linkName(COMPOSE_PROXY_PREFIX, CLIENT, to)}`);
      upstreams.set(to, splitHostPort(client.upstream));
      for (const from of ids) {
        if (from === to) continue;
        const name = linkName(COMPOSE_PROXY_PREFIX, from, to);
        if (byName.get(name)?.upstream !== client.upstream) throw new RuntimeError(`the Toxiproxy config of ${file} has no proxy ${name} to ${client.upstream}`);
      }
    }

    const proxyContainer = this.docker.getContainer(proxy.Id);
    const info = await step(proxyContainer.inspect());
    this.network = Object.keys(info.NetworkSettings.Networks)[0] ?? '';
    if (!this.network) throw new RuntimeError(`the ${TOXIPROXY_SERVICE} container is on no network`);
    this.proxyIp = await step(this.ipOf(proxyContainer));
    const portArg = (this.compose.services[TOXIPROXY_SERVICE]!.command ?? []).find((a) => /^--?port[= ]/.test(a));
    if (portArg) this.apiPort = Number(portArg.replace(/^--?port[= ]/, ''));
    await this.restoreProxies(signal);
    this.adopted = true;

    for (const id of ids) {
      const c = byService.get(id)!;
      const container = this.docker.getContainer(c.Id);
      const node: NodeContainer = {
        id,
        container,
        state: c.State === 'running' ? 'running' : c.State === 'paused' ? 'paused' : 'stopped',
        generation: 0,
        log: this.openLog(id),
      };
      this.nodes.set(id, node);
    }
    return upstreams;
  }

  /** The proxies as the config file says (a run killed outright may have left some cut).
   *  Tries for 10 s, each request at most 2 s; ends at once (the signal's reason) when `signal` aborts. */
  private async restoreProxies(signal?: AbortSignal): Promise<void> {
    const url = this.toxiproxyUrl!;
    const deadline = Date.now() + 10_000;
    for (;;) {
      signal?.throwIfAborted();
      const each = AbortSignal.any([AbortSignal.timeout(2000), ...(signal ? [signal] : [])]);
      try {
        const populate = await fetch(`${url}/populate`, { method: 'POST', body: JSON.stringify(this.proxies), signal: each });
        if (!populate.ok) throw new Error(`POST /populate: ${populate.status} ${(await populate.text()).trim()}`);
        const reset = await fetch(`${url}/reset`, { method: 'POST', signal: each });
        if (!reset.ok) throw new Error(`POST /reset: ${reset.status}`);
        return;
      } catch (err) {
        signal?.throwIfAborted();
        if (Date.now() > deadline) throw new RuntimeError(`the project's Toxiproxy at ${url}: ${(err as Error).message}`);
        await sleep(200, undefined, signal && { signal }).catch(() => signal?.throwIfAborted());
      }
    }
  }

  /** Adopts the node's container; its environment is the compose file's, checked against the campaign's bugs. */
  async start(launch: NodeLaunch): Promise<void> {
    if (this.destroyed) throw new RuntimeError('runtime destroyed');
    const node = this.node(launch.id);
    node.launch = launch;
    const info = await node.container.inspect();
    this.checkSettings(launch, info.Config.Env ?? []);
    if (node.state === 'stopped') return this.run(node);
    if (node.state === 'paused') {
      await node.container.unpause();
      node.state = 'running';
    }
    await this.attachLog(node);
    node.ip = await this.ipOf(node.container);
    this.note(node, `attached to ${launch.id} (container ${node.container.id.slice(0, 12)}, ${node.ip}:${this.port()}, project ${this.project})`);
    this.watchExit(node);
  }

  /**
   * The nodes keep the compose file's environment: refuse a campaign whose settings (its env,
   * bugs, peers) the node does not run with, and say how to start the project with them.
   */
  private checkSettings(launch: NodeLaunch, containerEnv: readonly string[]): void {
    const have = new Map(containerEnv.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    const { env } = this.options.system;
    const wanted: Record<string, string> = { ...launch.env };
    if (env.bugs) wanted[env.bugs] ??= '';
    const differ = Object.entries(wanted).filter(([k, v]) => {
      if (k === env.advertise) return false; // the host's view of the client proxy; cosmetic
      const h = have.get(k) ?? '';
      return k === env.bugs ? sortList(h) !== sortList(v) : h !== v;
    });
    if (differ.length === 0) return;
    const file = this.options.attach.file;
    const taken = this.compose!.interpolated;
    const fromShell = differ.filter(([k]) => taken.includes(k));
    const inFile = differ.filter(([k]) => !taken.includes(k));
    const lines = differ.map(([k, v]) => `${k}=${v || '(none)'} (it runs with ${have.has(k) ? have.get(k) || '(none)' : '(unset)'})`);
    let how = '';
    if (fromShell.length > 0) how += ` restart the project with them: ${fromShell.map(([k, v]) => `${k}=${v}`).join(' ')} docker compose -f ${file} -p ${this.project} up -d`;
    if (inFile.length > 0) how += `${how ? ';' : ''} set ${inFile.map(([k]) => k).join(', ')} in the environment of the services of ${file}`;
    throw new RuntimeError(`${launch.id} of project "${this.project}" does not run with the campaign's settings: ${lines.join(', ')};${how}`);
  }

  /** Leaves the project as it was found: every node running, the proxies as configured. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    for (const node of this.nodes.values()) {
      try {
        if (node.state === 'paused') await this.resume(node.id);
        if (node.state === 'stopped') await this.run(node);
      } catch {
        // best effort: the project stays as docker compose can restore it
      }
    }
    this.destroyed = true;
    // Only proxies this run adopted can have been changed by it.
    if (this.adopted) await this.restoreProxies().catch(() => undefined);
    for (const node of this.nodes.values()) {
      this.note(node, `detached from ${node.id}`);
    }
    this.closeLogs();
  }
}

function sortList(list: string): string {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .sort()
    .join(',');
}
