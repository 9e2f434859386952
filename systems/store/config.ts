/** A store node's configuration, read from its environment with the course defaults. */
import { envBugs, envInt, envString } from '../common/env.js';

export const STORE_BUGS = ['split-brain', 'lost-deletes', 'const-version', 'ryw-is-eventual'] as const;
export type StoreBug = (typeof STORE_BUGS)[number];

export interface PeerSpec {
  /** The peer's node id when PEERS names it (`node-2=http://host:4000`); learned at run time otherwise. */
  id?: string;
  /** Base URL where this node reaches the peer, without a trailing slash. */
  url: string;
}

export interface StoreConfig {
  nodeId: string;
  port: number;
  host: string;
  peers: PeerSpec[];
  writeQuorum: number;
  readQuorum: number;
  heartbeatMs: number;
  electionTimeoutMs: number;
  /** How long one node-to-node request may take before it counts as lost. */
  rpcTimeoutMs: number;
  /** Where the node keeps its term and map; in memory only when unset. */
  dataDir?: string;
  /** This node's client-facing URL, passed on so followers can name the leader's address. */
  advertiseUrl?: string;
  bugs: Set<StoreBug>;
}

export class ConfigError extends Error {}

/**
 * PEERS as the course writes it (`http://node2:4000,http://node3:4000`: base URLs, ids learned
 * from the peers' answers) or as `id=url` items (`node-2=http://127.0.0.1:7001`) when the address
 * does not tell the id (behind a proxy). A missing scheme means http. Self is skipped.
 */
export function parsePeers(raw: string, selfId?: string): PeerSpec[] {
  const peers: PeerSpec[] = [];
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    const id = eq >= 0 ? item.slice(0, eq).trim() : undefined;
    let address = eq >= 0 ? item.slice(eq + 1).trim() : item;
    if (id !== undefined && !/^[A-Za-z0-9._-]+$/.test(id)) throw new ConfigError(`PEERS: "${item}" has a bad node id "${id}"`);
    if (!/^[a-z]+:\/\//i.test(address)) address = `http://${address}`;
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      throw new ConfigError(`PEERS: "${item}" is not a URL or id=URL`);
    }
    if (url.protocol !== 'http:') throw new ConfigError(`PEERS: "${item}" must be an http:// URL`);
    if (id !== undefined && id === selfId) continue;
    const base = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
    if (peers.some((p) => p.url === base)) throw new ConfigError(`PEERS: "${base}" appears twice`);
    if (id !== undefined && peers.some((p) => p.id === id)) throw new ConfigError(`PEERS: node id "${id}" appears twice`);
    peers.push(id === undefined ? { url: base } : { id, url: base });
  }
  return peers;
}

export function loadConfig(): StoreConfig {
  const nodeId = envString('NODE_ID', 'node-1');
  const peers = parsePeers(envString('PEERS', ''), nodeId);
  const totalNodes = peers.length + 1;
  const writeQuorum = envInt('WRITE_QUORUM', 2);
  const readQuorum = envInt('READ_QUORUM', 1);
  for (const [name, q] of [['WRITE_QUORUM', writeQuorum], ['READ_QUORUM', readQuorum]] as const) {
    if (q < 1) throw new ConfigError(`${name} must be at least 1, got ${q}`);
    if (q > totalNodes) process.stderr.write(`warning: ${name}=${q} is more than the ${totalNodes} nodes; it is never reached\n`);
  }
  const heartbeatMs = envInt('HEARTBEAT_MS', 2000);
  const electionTimeoutMs = envInt('ELECTION_TIMEOUT_MS', 6000);
  if (heartbeatMs < 1) throw new ConfigError('HEARTBEAT_MS must be at least 1');
  if (electionTimeoutMs <= heartbeatMs) {
    throw new ConfigError(`ELECTION_TIMEOUT_MS (${electionTimeoutMs}) must be more than HEARTBEAT_MS (${heartbeatMs})`);
  }
  const dataDir = envString('DATA_DIR', '');
  const advertiseUrl = envString('ADVERTISE_URL', '');
  return {
    nodeId,
    port: envInt('PORT', 4000),
    host: envString('HOST', '127.0.0.1'),
    peers,
    writeQuorum,
    readQuorum,
    heartbeatMs,
    electionTimeoutMs,
    rpcTimeoutMs: envInt('RPC_TIMEOUT_MS', 1000),
    ...(dataDir ? { dataDir } : {}),
    ...(advertiseUrl ? { advertiseUrl } : {}),
    bugs: envBugs(STORE_BUGS),
  };
}
