/**
 * The course's HTTP API of a Raft node: the client routes (`/kv`), `/debug`, and the raft RPCs.
 * A non-leader answers 500 as the course says, plus `leaderId` and `leader` (the leader's client URL).
 */
import { HttpError, MAX_BODY_BYTES, Router, type Reply, type Request } from '../common/http.js';
import { RequestFailed } from './errors.js';
import { parseAppendEntries, parseRequestVote } from './messages.js';
import type { RaftNode } from './node.js';

/** Raft RPCs may carry a batch of entries that are each up to a client body; clients get 1 MiB. */
export const RPC_MAX_BODY_BYTES = 16 * 1024 * 1024;

export function notLeaderReply(node: RaftNode): Reply {
  const known = node.leaderId !== null && node.leaderId !== node.id;
  return {
    status: 500,
    body: {
      error: known ? `Not a leader. Please redirect to ${node.leaderId}` : 'No leader known. Please retry.',
      leaderId: known ? node.leaderId : null,
      leader: known ? node.leaderUrl : null,
    },
  };
}

function failureReply(node: RaftNode, err: unknown): Reply {
  if (!(err instanceof RequestFailed)) throw err;
  if (err.reason === 'not-leader') return notLeaderReply(node);
  return { status: 503, body: { error: err.message } };
}

async function clientJson(req: Request): Promise<unknown> {
  const text = await req.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new HttpError(413, { error: `Body too large (limit ${MAX_BODY_BYTES} bytes)` });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, { error: 'Invalid JSON' });
  }
}

export function raftRouter(node: RaftNode): Router {
  const router = new Router();

  router.on('POST', '/kv', async (req) => {
    const body = await clientJson(req);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, { error: 'Body must be a JSON object {key, value}' });
    const { key, value } = body as Record<string, unknown>;
    if (typeof key !== 'string' || key === '' || value === undefined) {
      throw new HttpError(400, { error: 'key and value required (key a non-empty string)' });
    }
    if (node.role !== 'leader') return notLeaderReply(node);
    const entry = node.propose(JSON.stringify({ type: 'SET', key, value }));
    try {
      await node.waitForCommit(entry);
    } catch (err) {
      return failureReply(node, err);
    }
    return { status: 200, body: { key, value } };
  });

  router.on('GET', '/kv/{key}', async (req) => {
    const key = req.params.key!;
    if (node.role !== 'leader' || !node.replicator) return notLeaderReply(node);
    // The course code reads the leader's local state without confirming it is still the leader.
    if (!node.has('stale-reads')) {
      try {
        await node.replicator.confirmRead();
      } catch (err) {
        return failureReply(node, err);
      }
    }
    const body: Record<string, unknown> = { key };
    if (node.stateMachine.has(key)) body.value = node.stateMachine.get(key);
    return { status: 200, body };
  });

  router.on('DELETE', '/kv/{key}', async (req) => {
    const key = req.params.key!;
    if (node.role !== 'leader') return notLeaderReply(node);
    const entry = node.propose(JSON.stringify({ type: 'DELETE', key }));
    try {
      await node.waitForCommit(entry);
    } catch (err) {
      return failureReply(node, err);
    }
    return { status: 200, body: { key, deleted: true } };
  });

  router.on('GET', '/debug', () => ({ status: 200, body: node.debug() }));
  router.on('GET', '/committed', () => ({ status: 200, body: node.committed() }));

  router.on('POST', '/raft/request-vote', async (req) => {
    const args = parseRequestVote(await req.json());
    return { status: 200, body: node.handleRequestVote(args) };
  });

  router.on('POST', '/raft/append-entries', async (req) => {
    const args = parseAppendEntries(await req.json());
    return { status: 200, body: node.handleAppendEntries(args) };
  });

  return router;
}
