/** A Raft node's configuration, read from its environment (course defaults, short-timer overrides). */
import { envBugs, envInt, envString } from '../common/env.js';

export const RAFT_BUGS = ['volatile-state', 'stale-reads', 'late-votes', 'ack-overwritten', 'even-majority'] as const;
export type RaftBug = (typeof RAFT_BUGS)[number];

export interface Peer {
  /** The peer's node id (what `leaderId` and `candidateId` carry). */
  id: string;
  /** `http://host:port`, where this node reaches the peer's raft RPCs. */
  url: string;
}

export interface RaftConfig {
  nodeId: string;
  port: number;
  host: string;
  peers: Peer[];
  /** Where term, vote and log live; unused with the `volatile-state` bug. */
  dataDir: string;
  /** This node's client-facing URL, sent to followers so they can point clients at the leader. */
  advertiseUrl: string;
  electionTimeoutMinMs: number;
  electionTimeoutMaxMs: number;
  heartbeatMs: number;
  /** How long a client write or read waits for commit (or read confirmation) before a 503. */
  commitTimeoutMs: number;
  /** How long one raft RPC may take before it counts as lost. */
  rpcTimeoutMs: number;
  /** Pre-vote and leader stickiness (on by default): a node cut off does not disrupt the cluster when it comes back. */
  preVote: boolean;
  bugs: Set<RaftBug>;
}

export class ConfigError extends Error {}

/**
 * Peers as the course writes them (`node2:3000,node3:3000`: the host is the id) or as
 * `id=host:port` items (the id and the address differ, e.g. behind a proxy). A scheme
 * (`id=http://host:port`) is accepted too.
 */
export function parsePeers(raw: string, selfId?: string): Peer[] {
  const peers: Peer[] = [];
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    let id: string;
    let address: string;
    if (eq >= 0) {
      id = item.slice(0, eq).trim();
      address = item.slice(eq + 1).trim();
    } else {
      address = item;
      id = item.replace(/^https?:\/\//, '').replace(/:\d+$/, '');
    }
    if (!/^https?:\/\//.test(address)) address = `http://${address}`;
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      throw new ConfigError(`PEER_IDS: "${item}" is not host:port or id=host:port`);
    }
    if (!id) throw new ConfigError(`PEER_IDS: "${item}" has an empty id`);
    if (!url.port) throw new ConfigError(`PEER_IDS: "${item}" has no port`);
    if (id === selfId) continue;
    if (peers.some((p) => p.id === id)) throw new ConfigError(`PEER_IDS: peer "${id}" appears twice`);
    peers.push({ id, url: `${url.protocol}//${url.host}` });
  }
  return peers;
}

export function loadConfig(): RaftConfig {
  const nodeId = envString('NODE_ID', 'node1');
  const port = envInt('PORT', 3000);
  const host = envString('HOST', '127.0.0.1');
  const peers = parsePeers(envString('PEER_IDS', ''), nodeId);
  const electionTimeoutMinMs = envInt('ELECTION_TIMEOUT_MIN_MS', 150);
  const electionTimeoutMaxMs = envInt('ELECTION_TIMEOUT_MAX_MS', 300);
  if (electionTimeoutMaxMs < electionTimeoutMinMs) {
    throw new ConfigError(`ELECTION_TIMEOUT_MAX_MS (${electionTimeoutMaxMs}) is below ELECTION_TIMEOUT_MIN_MS (${electionTimeoutMinMs})`);
  }
  const heartbeatMs = envInt('HEARTBEAT_MS', 50);
  if (heartbeatMs < 1) throw new ConfigError('HEARTBEAT_MS must be at least 1');
  const wildcard = host === '0.0.0.0' || host === '::';
  const bugs = envBugs(RAFT_BUGS);
  return {
    nodeId,
    port,
    host,
    peers,
    dataDir: envString('DATA_DIR', `data/raft/${nodeId}`),
    advertiseUrl: envString('ADVERTISE_URL', `http://${wildcard ? nodeId : host}:${port}`),
    electionTimeoutMinMs,
    electionTimeoutMaxMs,
    heartbeatMs,
    commitTimeoutMs: envInt('COMMIT_TIMEOUT_MS', 5000),
    rpcTimeoutMs: envInt('RPC_TIMEOUT_MS', 1000),
    // late-votes is a defect of the course's election code, which has no pre-vote: it brings those elections along.
    preVote: envInt('PRE_VOTE', bugs.has('late-votes') ? 0 : 1) !== 0,
    bugs,
  };
}
