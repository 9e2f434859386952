import { Toxiproxy, type Proxy as ToxiproxyProxy } from 'toxiproxy-node-client';

/**
 * The network of a run: every directed node-to-node link and every client-to-node link is a
 * named Toxiproxy proxy, so a partition is a set of links cut and latency is a toxic on links.
 * Talks only the Toxiproxy HTTP API, through toxiproxy-node-client, to a real Toxiproxy or to
 * faultline's embedded one (harness/proxy).
 *
 * Usage (the engine):
 *   const net = await createNetwork({ toxiproxyUrl, nodes: [{ id: 'n1', upstream: { host, port } }, ...],
 *                                     onChange: (e) => netLog.write(e) });
 *   start node n1 with peers = others.map((p) => ({ id: p, ...net.peerEndpoint('n1', p) }))
 *   clients dial net.clientEndpoint('n1')
 *   await net.partition(grudge, 'drop'); ... await net.heal();
 *   await net.destroy();
 *
 * Proxies are created before the nodes start (nodes must know their peers' proxy addresses); a
 * proxy to a node that is not listening yet simply fails the connections made through it.
 */

/** A node id as in the descriptor (`n1`, `node-2`...). */
export type NodeId = string;

/** The pseudo node standing for the harness's clients in links and grudges. */
export const CLIENT = 'client' as const;
export type LinkEnd = NodeId | typeof CLIENT;

export interface Endpoint {
  host: string;
  port: number;
}

export interface NetworkNode {
  id: NodeId;
  /** Where the node really listens (the proxies' upstream). */
  upstream: Endpoint;
}

/**
 * A directed link: connections opened by `from` to `to` (bytes flow both ways on them).
 * `from` is CLIENT for a client-to-node link. `proxy` is the Toxiproxy proxy name.
 */
export interface Link {
  from: LinkEnd;
  to: NodeId;
  proxy: string;
  /** Where `from` dials to reach `to` (the proxy's listen address, as dialled). */
  endpoint: Endpoint;
  kind: 'peer' | 'client';
}

/**
 * Which links a fault applies to.
 * - 'all': every link; 'peers': every node-to-node link; 'clients': every client-to-node link.
 * - { peers, clients, touching }: the union of
 *   peers: 'all' or a list of [from, to] pairs (directed; add both pairs for both directions),
 *   clients: 'all' or the nodes whose client links are chosen,
 *   touching: every link (peer and client) into or out of these nodes.
 */
export type LinkSelection =
  | 'all'
  | 'peers'
  | 'clients'
  | {
      peers?: 'all' | readonly (readonly [NodeId, NodeId])[];
      clients?: 'all' | readonly NodeId[];
      touching?: readonly NodeId[];
    };

/**
 * Who cannot hear from whom: grudge[n] lists the nodes n cannot hear from. Node m in grudge[n]
 * cuts the directed link m -> n (the proxy carrying the connections m opens to n, both byte
 * directions). Symmetric partitions list each pair both ways. CLIENT may appear on either side
 * to cut a client link (grudge[n] containing CLIENT, or grudge[CLIENT] containing n, cuts
 * client -> n). Plain JSON, so it goes into nemesis ops as is.
 */
export type Grudge = Record<LinkEnd, NodeId[]>;

/**
 * How a cut link fails.
 * - drop: a `timeout` toxic with timeout 0 on both streams: bytes vanish, new and existing
 *   (keep-alive) connections hang, as in a real partition; clients see timeouts.
 * - reject: the proxy is disabled: its listener closes and its connections are closed, so new
 *   connections are refused at once (ECONNREFUSED) and open ones are closed.
 * - delay: a `latency` toxic of DELAY_HOLD_MS on both streams: bytes are held, not lost, and
 *   removing the toxic at the heal delivers them all at once (Toxiproxy passes what a removed
 *   toxic held on), so messages sent during the partition (an old term's) arrive late. Bytes of a
 *   connection its sender closed meanwhile (a request that timed out) go with the connection.
 */
export type PartitionMode = 'drop' | 'reject' | 'delay';

/** The latency of a `delay` partition: longer than any partition, so nothing passes until the heal. */
export const DELAY_HOLD_MS = 3_600_000;

/** Which byte direction of a link a toxic acts on: upstream = from -> to, downstream = replies. */
export type StreamChoice = 'upstream' | 'downstream' | 'both';

/** What every toxic fault takes besides its own attributes. */
export interface ToxicOptions {
  /** Which byte direction (default 'both'). */
  stream?: StreamChoice;
  /** Probability (0..1) that a connection is affected. Default 1. */
  toxicity?: number;
  /** Names this toxic so that several of one kind can share a link (they then add up), and
   *  `clearToxics(links, tag)` removes only these. Without a tag a toxic replaces the untagged
   *  one of its kind. Letters, digits, `-` and `_`. */
  tag?: string;
}

export interface LatencyOptions extends ToxicOptions {
  /** Milliseconds added to each chunk of data. */
  latency: number;
  /** +/- milliseconds of random jitter. Default 0. */
  jitter?: number;
  /** Default 'both' (a request/response round trip then takes 2 x latency more). */
  stream?: StreamChoice;
}

export interface BandwidthOptions extends ToxicOptions {
  /** KB/s. */
  rate: number;
}

export interface ResetPeerOptions extends ToxicOptions {
  /** Milliseconds before the connection is reset (0 = at once). */
  timeout: number;
}

export interface SlicerOptions extends ToxicOptions {
  /** Bytes per slice on average. */
  averageSize: number;
  /** +/- bytes. Default 0. */
  sizeVariation?: number;
  /** Microseconds between slices. Default 0. */
  delay?: number;
}

/** The kinds of toxic the network layer sets (besides partitions). */
export type FaultToxic = 'latency' | 'bandwidth' | 'reset_peer' | 'slicer';

/** One change to one proxy, as sent to Toxiproxy. */
export type ProxyChange =
  | { proxy: string; action: 'create'; listen: string; upstream: string }
  | { proxy: string; action: 'delete' }
  | { proxy: string; action: 'enable' | 'disable' }
  | {
      proxy: string;
      action: 'add-toxic';
      toxic: string;
      type: string;
      stream: 'upstream' | 'downstream';
      toxicity: number;
      attributes: Record<string, number>;
    }
  | { proxy: string; action: 'remove-toxic'; toxic: string };

/**
 * What the network layer reports after each call that changes the network (one per call, after
 * it finished or failed). The engine writes it to net.jsonl and as nemesis ops.
 * `changes` lists the proxy changes that were made (also on failure: what got done);
 * `error` is set when the call failed (the method then also rejects).
 */
export type NetEvent = {
  /** Date.now() when the call finished. */
  at: number;
  changes: ProxyChange[];
  error?: string;
} & NetAction;

/** What a NetEvent reports was asked for. */
export type NetAction =
  | { type: 'create'; links: Link[] }
  | { type: 'partition'; mode: PartitionMode; grudge: Grudge; links: string[] }
  | { type: 'heal'; links: string[] }
  | { type: 'toxic'; toxic: FaultToxic; links: string[]; options: Record<string, unknown> }
  | { type: 'clear-toxics'; links: string[]; tag?: string }
  | { type: 'destroy'; links: string[] };

export interface NetworkOptions {
  /** The Toxiproxy API, e.g. http://127.0.0.1:8474. */
  toxiproxyUrl: string;
  nodes: readonly NetworkNode[];
  /** Create client-to-node links (default true). */
  clientLinks?: boolean;
  /** Prepended to every proxy name (e.g. a run id), so runs sharing one Toxiproxy do not clash.
   *  Default 'faultline_'. A leftover proxy with the same name (from a run killed outright) is
   *  replaced. */
  prefix?: string;
  /** The host proxies listen on, inside Toxiproxy (default 127.0.0.1; 0.0.0.0 for containers). */
  listenHost?: string;
  /** Fixed listen ports by proxy name (default: 0, Toxiproxy picks a free port). Used to adopt
   *  proxies populated from a config file (a compose project): a proxy with the same name, listen
   *  and upstream is kept as it is. */
  listenPorts?: Readonly<Record<string, number>>;
  /** The host nodes dial to reach a proxy (default: listenHost, or 127.0.0.1 when that is 0.0.0.0). */
  peerHost?: string;
  /** The host clients dial to reach a proxy (default: as peerHost). */
  clientHost?: string;
  /** Called after every change (see NetEvent). Exceptions it throws are ignored. */
  onChange?: (event: NetEvent) => void;
}

/** The current faults, for progress lines and reports. */
export interface NetworkFaults {
  partition: { grudge: Grudge; mode: PartitionMode; links: string[] } | null;
  /** Toxics set through latency/bandwidth/resetPeer/slicer, per proxy name. */
  toxics: Record<string, FaultToxic[]>;
}

export interface Network {
  readonly toxiproxyUrl: string;
  readonly nodes: readonly NodeId[];
  /** Every link created, peers first. */
  readonly links: readonly Link[];
  /** Where clients dial to reach `node` (its client link). Throws for an unknown node or when
   *  client links were not created. */
  clientEndpoint(node: NodeId): Endpoint;
  /** What node `from` must dial to reach node `to` (the link from -> to). */
  peerEndpoint(from: NodeId, to: NodeId): Endpoint;
  /** The links a selection names (throws naming an unknown node). */
  select(selection: LinkSelection): Link[];
  /** Cuts the links of `grudge`, healing whatever an earlier partition cut that this one does
   *  not. An empty grudge heals. */
  partition(grudge: Grudge, mode: PartitionMode): Promise<void>;
  /** Undoes the partition: removes the drop toxics, re-enables disabled proxies. */
  heal(): Promise<void>;
  latency(links: LinkSelection, options: LatencyOptions): Promise<void>;
  bandwidth(links: LinkSelection, options: BandwidthOptions): Promise<void>;
  resetPeer(links: LinkSelection, options: ResetPeerOptions): Promise<void>;
  slicer(links: LinkSelection, options: SlicerOptions): Promise<void>;
  /** Removes the latency/bandwidth/reset_peer/slicer toxics (not the partition) from the
   *  selected links (default all); with a tag, only the toxics set with that tag. */
  clearToxics(links?: LinkSelection, tag?: string): Promise<void>;
  faults(): NetworkFaults;
  /** Deletes every proxy this network made. Safe to call twice. */
  destroy(): Promise<void>;
}

/** Proxy name of a directed link: `<prefix>n1_to_n2`, `<prefix>client_to_n1` (ids sanitised). */
export function linkName(prefix: string, from: LinkEnd, to: NodeId): string {
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9.-]/g, '-');
  return `${prefix}${safe(from)}_to_${safe(to)}`;
}

/** Deletes every proxy whose name starts with `prefix` (leftovers of a run killed outright).
 *  Returns the names deleted. */
export async function removeProxies(toxiproxyUrl: string, prefix: string): Promise<string[]> {
  const toxiproxy = new Toxiproxy(trimUrl(toxiproxyUrl));
  const all = await toxiproxy.getAll();
  const names = Object.keys(all).filter((n) => n.startsWith(prefix));
  await Promise.all(names.map((n) => all[n]!.remove().catch(() => undefined)));
  return names;
}

/** Creates every link (listen on listenHost:0, reads back the real port). */
export async function createNetwork(options: NetworkOptions): Promise<Network> {
  const prefix = options.prefix ?? 'faultline_';
  const listenHost = options.listenHost ?? '127.0.0.1';
  const dialHost = options.peerHost ?? (listenHost === '0.0.0.0' || listenHost === '::' ? '127.0.0.1' : listenHost);
  const clientHost = options.clientHost ?? dialHost;
  const ids = options.nodes.map((n) => n.id);
  if (ids.length === 0) throw new Error('createNetwork: no nodes');
  for (const id of ids) {
    if (id === '' || id === CLIENT) throw new Error(`createNetwork: "${id}" cannot be a node id`);
  }
  const specs: { from: LinkEnd; to: NodeId; kind: 'peer' | 'client'; upstream: Endpoint }[] = [];
  for (const from of options.nodes) {
    for (const to of options.nodes) if (from.id !== to.id) specs.push({ from: from.id, to: to.id, kind: 'peer', upstream: to.upstream });
  }
  if (options.clientLinks ?? true) for (const to of options.nodes) specs.push({ from: CLIENT, to: to.id, kind: 'client', upstream: to.upstream });
  const names = specs.map((s) => linkName(prefix, s.from, s.to));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`createNetwork: node ids collide as proxy names (${dup}): ${ids.join(', ')}`);

  const url = trimUrl(options.toxiproxyUrl);
  const toxiproxy = new Toxiproxy(url);
  const changes: ProxyChange[] = [];
  const emit = eventSink(options.onChange);
  const body = specs.map((s, i) => ({
    name: names[i]!,
    listen: formatHostPort(listenHost, options.listenPorts?.[names[i]!] ?? 0),
    upstream: formatHostPort(s.upstream.host, s.upstream.port),
    enabled: true,
  }));
  let created: Record<string, ToxiproxyProxy>;
  try {
    // populate replaces a leftover proxy of the same name (its listen address differs from :0)
    created = await toxiproxy.populate(body);
  } catch (err) {
    const error = `cannot create the proxies at ${url}: ${describe(err)}`;
    await Promise.all(names.map((n) => deleteQuietly(url, n)));
    emit({ at: Date.now(), type: 'create', links: [], changes, error });
    throw new Error(error);
  }
  const links: Link[] = [];
  const proxies = new Map<string, ToxiproxyProxy>();
  specs.forEach((s, i) => {
    const name = names[i]!;
    const proxy = created[name];
    if (!proxy) throw new Error(`Toxiproxy at ${url} did not return proxy ${name}`);
    const port = Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1));
    proxies.set(name, proxy);
    links.push({ from: s.from, to: s.to, proxy: name, kind: s.kind, endpoint: { host: s.kind === 'client' ? clientHost : dialHost, port } });
    changes.push({ proxy: name, action: 'create', listen: proxy.listen, upstream: proxy.upstream });
  });
  emit({ at: Date.now(), type: 'create', links: links.map((l) => ({ ...l, endpoint: { ...l.endpoint } })), changes });
  return new ToxiproxyNetwork(url, ids, links, proxies, emit);
}

type Emit = (event: NetEvent) => void;

function eventSink(onChange: ((event: NetEvent) => void) | undefined): Emit {
  return (event) => {
    try {
      onChange?.(event);
    } catch {
      // a failing listener must not break the network
    }
  };
}

const PARTITION_TOXIC = 'faultline_partition';

/** A toxic the network set on a proxy: its kind, and the tag it was set with. */
interface SetToxic {
  kind: FaultToxic;
  tag?: string;
}
const faultToxicTypes: Record<FaultToxic, string> = {
  latency: 'latency',
  bandwidth: 'bandwidth',
  reset_peer: 'reset_peer',
  slicer: 'slicer',
};

class ToxiproxyNetwork implements Network {
  private readonly byName = new Map<string, Link>();
  /** proxy name -> how it is cut */
  private readonly cut = new Map<string, PartitionMode>();
  private currentGrudge: Grudge | null = null;
  private currentMode: PartitionMode = 'drop';
  /** proxy name -> toxic name -> what it is, for the toxics set by latency/bandwidth/... */
  private readonly toxics = new Map<string, Map<string, SetToxic>>();
  private queue: Promise<unknown> = Promise.resolve();
  private destroyed = false;

  constructor(
    readonly toxiproxyUrl: string,
    readonly nodes: readonly NodeId[],
    readonly links: readonly Link[],
    private readonly proxies: Map<string, ToxiproxyProxy>,
    private readonly emit: Emit,
  ) {
    for (const l of links) this.byName.set(l.proxy, l);
  }

  clientEndpoint(node: NodeId): Endpoint {
    this.checkNode(node);
    const link = this.links.find((l) => l.kind === 'client' && l.to === node);
    if (!link) throw new Error(`no client link to ${node}: the network was created with clientLinks: false`);
    return { ...link.endpoint };
  }

  peerEndpoint(from: NodeId, to: NodeId): Endpoint {
    this.checkNode(from);
    this.checkNode(to);
    if (from === to) throw new Error(`no link from ${from} to itself`);
    return { ...this.link(from, to).endpoint };
  }

  select(selection: LinkSelection): Link[] {
    if (selection === 'all') return [...this.links];
    if (selection === 'peers') return this.links.filter((l) => l.kind === 'peer');
    if (selection === 'clients') return this.links.filter((l) => l.kind === 'client');
    const chosen = new Set<Link>();
    const { peers, clients, touching } = selection;
    if (peers === 'all') this.links.filter((l) => l.kind === 'peer').forEach((l) => chosen.add(l));
    else if (peers) {
      for (const [from, to] of peers) {
        this.checkNode(from);
        this.checkNode(to);
        if (from === to) throw new Error(`no link from ${from} to itself`);
        chosen.add(this.link(from, to));
      }
    }
    if (clients === 'all') this.links.filter((l) => l.kind === 'client').forEach((l) => chosen.add(l));
    else if (clients) {
      for (const node of clients) {
        this.checkNode(node);
        const link = this.links.find((l) => l.kind === 'client' && l.to === node);
        if (!link) throw new Error(`no client link to ${node}: the network was created with clientLinks: false`);
        chosen.add(link);
      }
    }
    if (touching) {
      touching.forEach((n) => this.checkNode(n));
      this.links.filter((l) => touching.includes(l.to) || touching.includes(l.from)).forEach((l) => chosen.add(l));
    }
    return this.links.filter((l) => chosen.has(l));
  }

  partition(grudge: Grudge, mode: PartitionMode): Promise<void> {
    return this.serial(async () => {
      const target = this.grudgeLinks(grudge);
      const empty = target.size === 0;
      const names = [...target].map((l) => l.proxy);
      await this.record({ type: 'partition', mode, grudge: copyGrudge(grudge), links: names }, async (changes) => {
        // cut first, then heal what the old partition cut and this one does not: never a moment
        // of full connectivity between two partitions
        await this.all(
          [...target].filter((l) => this.cut.get(l.proxy) !== mode),
          async (l) => {
            if (this.cut.has(l.proxy)) await this.uncut(l.proxy, changes);
            await this.cutLink(l.proxy, mode, changes);
          },
        );
        await this.all(
          [...this.cut.keys()].filter((name) => !names.includes(name)),
          (name) => this.uncut(name, changes),
        );
        this.currentGrudge = empty ? null : copyGrudge(grudge);
        this.currentMode = mode;
      });
    });
  }

  heal(): Promise<void> {
    return this.serial(async () => {
      const names = [...this.cut.keys()];
      await this.record({ type: 'heal', links: names }, async (changes) => {
        await this.all(names, (name) => this.uncut(name, changes));
        this.currentGrudge = null;
      });
    });
  }

  async latency(links: LinkSelection, options: LatencyOptions): Promise<void> {
    checkNumbers('latency', { latency: options.latency, jitter: options.jitter ?? 0 });
    return this.setToxic('latency', links, options, { latency: Math.round(options.latency), jitter: Math.round(options.jitter ?? 0) });
  }

  async bandwidth(links: LinkSelection, options: BandwidthOptions): Promise<void> {
    checkNumbers('bandwidth', { rate: options.rate });
    return this.setToxic('bandwidth', links, options, { rate: Math.round(options.rate) });
  }

  async resetPeer(links: LinkSelection, options: ResetPeerOptions): Promise<void> {
    checkNumbers('reset_peer', { timeout: options.timeout });
    return this.setToxic('reset_peer', links, options, { timeout: Math.round(options.timeout) });
  }

  async slicer(links: LinkSelection, options: SlicerOptions): Promise<void> {
    const attributes = {
      average_size: Math.round(options.averageSize),
      size_variation: Math.round(options.sizeVariation ?? 0),
      delay: Math.round(options.delay ?? 0),
    };
    checkNumbers('slicer', attributes);
    if (attributes.average_size < 1) throw new Error('slicer: averageSize must be at least 1');
    return this.setToxic('slicer', links, options, attributes);
  }

  clearToxics(links: LinkSelection = 'all', tag?: string): Promise<void> {
    const ours = (set: Map<string, { tag?: string }>): string[] =>
      [...set].filter(([, t]) => tag === undefined || t.tag === tag).map(([name]) => name);
    return this.serial(async () => {
      const chosen = this.select(links).filter((l) => ours(this.toxics.get(l.proxy) ?? new Map()).length > 0);
      await this.record({ type: 'clear-toxics', links: chosen.map((l) => l.proxy), ...(tag !== undefined && { tag }) }, async (changes) => {
        await this.all(chosen, async (l) => {
          const set = this.toxics.get(l.proxy)!;
          for (const toxic of ours(set)) {
            await this.removeToxic(l.proxy, toxic);
            set.delete(toxic);
            changes.push({ proxy: l.proxy, action: 'remove-toxic', toxic });
          }
        });
      });
    });
  }

  faults(): NetworkFaults {
    const toxics: Record<string, FaultToxic[]> = {};
    for (const [proxy, set] of this.toxics) {
      const kinds = [...new Set([...set.values()].map((t) => t.kind))];
      if (kinds.length > 0) toxics[proxy] = kinds;
    }
    return {
      partition: this.currentGrudge ? { grudge: copyGrudge(this.currentGrudge), mode: this.currentMode, links: [...this.cut.keys()] } : null,
      toxics,
    };
  }

  destroy(): Promise<void> {
    return this.serial(async () => {
      if (this.destroyed) return;
      this.destroyed = true;
      const names = this.links.map((l) => l.proxy);
      await this.record({ type: 'destroy', links: names }, async (changes) => {
        await this.all(names, async (name) => {
          await deleteQuietly(this.toxiproxyUrl, name, true);
          changes.push({ proxy: name, action: 'delete' });
        });
        this.cut.clear();
        this.toxics.clear();
        this.currentGrudge = null;
      });
    }, true);
  }

  // --- helpers

  private setToxic(
    kind: FaultToxic,
    selection: LinkSelection,
    options: ToxicOptions,
    attributes: Record<string, number>,
  ): Promise<void> {
    const streams = streamsOf(options.stream ?? 'both');
    const toxicity = options.toxicity ?? 1;
    const { tag } = options;
    if (!(toxicity >= 0 && toxicity <= 1)) return Promise.reject(new Error(`${kind}: toxicity must be from 0 to 1, got ${toxicity}`));
    if (tag !== undefined && !/^[A-Za-z0-9_-]+$/.test(tag)) return Promise.reject(new Error(`${kind}: tag must be letters, digits, - and _, got ${JSON.stringify(tag)}`));
    return this.serial(async () => {
      const chosen = this.select(selection);
      const report: Record<string, unknown> = { ...options };
      await this.record({ type: 'toxic', toxic: kind, links: chosen.map((l) => l.proxy), options: report }, async (changes) => {
        await this.all(chosen, async (l) => {
          const set = this.toxics.get(l.proxy) ?? new Map<string, SetToxic>();
          this.toxics.set(l.proxy, set);
          for (const stream of streams) {
            const name = tag === undefined ? `faultline_${kind}_${stream}` : `faultline_${kind}_${tag}_${stream}`;
            if (set.has(name)) {
              await this.removeToxic(l.proxy, name);
              set.delete(name);
            }
            await this.proxy(l.proxy).addToxic({ name, type: faultToxicTypes[kind] as never, stream, toxicity, attributes });
            set.set(name, tag === undefined ? { kind } : { kind, tag });
            changes.push({ proxy: l.proxy, action: 'add-toxic', toxic: name, type: faultToxicTypes[kind], stream, toxicity, attributes });
          }
        });
      });
    });
  }

  private async cutLink(name: string, mode: PartitionMode, changes: ProxyChange[]): Promise<void> {
    if (mode === 'reject') {
      await this.setEnabled(name, false);
      changes.push({ proxy: name, action: 'disable' });
    } else {
      const [type, attributes] = mode === 'delay' ? (['latency', { latency: DELAY_HOLD_MS, jitter: 0 }] as const) : (['timeout', { timeout: 0 }] as const);
      for (const stream of ['upstream', 'downstream'] as const) {
        const toxic = `${PARTITION_TOXIC}_${stream}`;
        await this.proxy(name).addToxic({ name: toxic, type, stream, toxicity: 1, attributes });
        changes.push({ proxy: name, action: 'add-toxic', toxic, type, stream, toxicity: 1, attributes });
      }
    }
    this.cut.set(name, mode);
  }

  private async uncut(name: string, changes: ProxyChange[]): Promise<void> {
    const mode = this.cut.get(name);
    if (mode === 'reject') {
      await this.setEnabled(name, true);
      changes.push({ proxy: name, action: 'enable' });
    } else if (mode === 'drop' || mode === 'delay') {
      for (const stream of ['upstream', 'downstream'] as const) {
        const toxic = `${PARTITION_TOXIC}_${stream}`;
        await this.removeToxic(name, toxic);
        changes.push({ proxy: name, action: 'remove-toxic', toxic });
      }
    }
    this.cut.delete(name);
  }

  private async setEnabled(name: string, enabled: boolean): Promise<void> {
    const p = this.proxy(name);
    const updated = await p.update({ enabled, listen: p.listen, upstream: p.upstream });
    this.proxies.set(name, updated);
  }

  /** Removes a toxic; one already gone (a Toxiproxy reset, say) is fine. */
  private async removeToxic(proxy: string, toxic: string): Promise<void> {
    try {
      await this.proxy(proxy).api.delete(`${this.proxy(proxy).getPath()}/toxics/${toxic}`);
    } catch (err) {
      if (!isNotFound(err)) throw new Error(`remove toxic ${toxic} from ${proxy}: ${describe(err)}`);
    }
  }

  private proxy(name: string): ToxiproxyProxy {
    if (this.destroyed) throw new Error('the network was destroyed');
    const p = this.proxies.get(name);
    if (!p) throw new Error(`unknown proxy ${name}`);
    return p;
  }

  private link(from: LinkEnd, to: NodeId): Link {
    const link = this.links.find((l) => l.from === from && l.to === to);
    if (!link) throw new Error(`no link ${from} -> ${to}`);
    return link;
  }

  private checkNode(node: string): void {
    if (!this.nodes.includes(node)) throw new Error(`unknown node "${node}"; nodes: ${this.nodes.join(', ')}`);
  }

  /** The links a grudge cuts: m in grudge[n] cuts m -> n; CLIENT on either side cuts client -> node. */
  private grudgeLinks(grudge: Grudge): Set<Link> {
    const out = new Set<Link>();
    for (const [hearer, deaf] of Object.entries(grudge)) {
      if (!Array.isArray(deaf)) throw new Error(`grudge of ${hearer} must be a list of nodes`);
      if (hearer !== CLIENT) this.checkNode(hearer);
      for (const speaker of deaf) {
        if (speaker !== CLIENT) this.checkNode(speaker);
        if (speaker === hearer) throw new Error(`grudge: ${hearer} cannot be cut from itself`);
        if (hearer === CLIENT || speaker === CLIENT) {
          const node = hearer === CLIENT ? speaker : hearer;
          const link = this.links.find((l) => l.kind === 'client' && l.to === node);
          if (!link) throw new Error(`no client link to ${node}: the network was created with clientLinks: false`);
          out.add(link);
        } else {
          out.add(this.link(speaker, hearer));
        }
      }
    }
    return out;
  }

  /** Runs `fn` for every item at once; fails with every error when any failed. */
  private async all<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled(items.map(fn));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [describe(r.reason)] : []));
    if (errors.length > 0) throw new Error(errors.join('; '));
  }

  /** Runs a change, then reports it (with what got done and the error, if any). */
  private async record(
    event: NetAction,
    fn: (changes: ProxyChange[]) => Promise<void>,
  ): Promise<void> {
    const changes: ProxyChange[] = [];
    try {
      await fn(changes);
    } catch (err) {
      const error = describe(err);
      this.emit({ ...event, at: Date.now(), changes, error });
      throw new Error(`network ${event.type}: ${error}`);
    }
    this.emit({ ...event, at: Date.now(), changes });
  }

  private serial<T>(fn: () => Promise<T>, evenDestroyed = false): Promise<T> {
    const run = this.queue.then(() => {
      if (this.destroyed && !evenDestroyed) return Promise.reject(new Error('the network was destroyed'));
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function streamsOf(choice: StreamChoice): ('upstream' | 'downstream')[] {
  return choice === 'both' ? ['upstream', 'downstream'] : [choice];
}

function checkNumbers(what: string, values: Record<string, number>): void {
  for (const [k, v] of Object.entries(values)) {
    if (!Number.isFinite(v) || v < 0) throw new Error(`${what}: ${k} must be a non-negative number, got ${v}`);
  }
}

function copyGrudge(grudge: Grudge): Grudge {
  const out: Grudge = {};
  for (const [k, v] of Object.entries(grudge)) out[k] = [...v];
  return out;
}

function trimUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Deletes a proxy by name; one already gone is fine. `strict`: other failures throw. */
async function deleteQuietly(url: string, name: string, strict = false): Promise<void> {
  try {
    await new Toxiproxy(url).getApi().delete(`${url}/proxies/${name}`);
  } catch (err) {
    if (strict && !isNotFound(err)) throw new Error(`delete proxy ${name}: ${describe(err)}`);
  }
}

/** toxiproxy-node-client reports a failed request as "Request failed with status code N". */
function isNotFound(err: unknown): boolean {
  return /status code 404\b/.test(describe(err));
}
