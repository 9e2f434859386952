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
 *   connections are refused at once (ECONNREFUSED) and open ones reset.
 */
export type PartitionMode = 'drop' | 'reject';

/** Which byte direction of a link a toxic acts on: upstream = from -> to, downstream = replies. */
export type StreamChoice = 'upstream' | 'downstream' | 'both';

export interface LatencyOptions {
  /** Milliseconds added to each chunk of data. */
  latency: number;
  /** +/- milliseconds of random jitter. Default 0. */
  jitter?: number;
  /** Default 'both' (a request/response round trip then takes 2 x latency more). */
  stream?: StreamChoice;
  /** Probability (0..1) that a connection is affected. Default 1. */
  toxicity?: number;
}

export interface BandwidthOptions {
  /** KB/s. */
  rate: number;
  stream?: StreamChoice;
  toxicity?: number;
}

export interface ResetPeerOptions {
  /** Milliseconds before the connection is reset (0 = at once). */
  timeout: number;
  stream?: StreamChoice;
  toxicity?: number;
}

export interface SlicerOptions {
  /** Bytes per slice on average. */
  averageSize: number;
  /** +/- bytes. Default 0. */
  sizeVariation?: number;
  /** Microseconds between slices. Default 0. */
  delay?: number;
  stream?: StreamChoice;
  toxicity?: number;
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
} & (
  | { type: 'create'; links: Link[] }
  | { type: 'partition'; mode: PartitionMode; grudge: Grudge; links: string[] }
  | { type: 'heal'; links: string[] }
  | { type: 'toxic'; toxic: FaultToxic; links: string[]; options: Record<string, unknown> }
  | { type: 'clear-toxics'; links: string[] }
  | { type: 'destroy'; links: string[] }
);

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
   *  selected links (default all). */
  clearToxics(links?: LinkSelection): Promise<void>;
  faults(): NetworkFaults;
  /** Deletes every proxy this network made. Safe to call twice. */
  destroy(): Promise<void>;
}

/** Creates every link (listen on listenHost:0, reads back the real port). */
export async function createNetwork(options: NetworkOptions): Promise<Network> {
  void options;
  throw new Error('createNetwork: not implemented yet');
}

/** Proxy name of a directed link: `<prefix>n1_to_n2`, `<prefix>client_to_n1` (ids sanitised). */
export function linkName(prefix: string, from: LinkEnd, to: NodeId): string {
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9.-]/g, '-');
  return `${prefix}${safe(from)}_to_${safe(to)}`;
}

/** Deletes every proxy whose name starts with `prefix` (leftovers of a run killed outright). */
export async function removeProxies(toxiproxyUrl: string, prefix: string): Promise<string[]> {
  void toxiproxyUrl;
  void prefix;
  throw new Error('removeProxies: not implemented yet');
}
