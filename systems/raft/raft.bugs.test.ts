/**
 * Each seeded defect (BUGS) shown by a scenario that the correct node passes and the buggy node
 * fails, deterministically: real clusters for volatile-state and stale-reads, one real node
 * with fake peers answering crafted RPCs for late-votes, ack-overwritten and even-majority.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { http, sleep, waitFor } from '../common/testing.js';
import { Cluster, FakePeer, reply, startSingle, type RpcHandler } from './test-cluster.js';

let cluster: Cluster | undefined;
let fakes: FakePeer[] = [];

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

async function fake(id: string, handlers: { vote?: RpcHandler; append?: RpcHandler }): Promise<FakePeer> {
  const f = await FakePeer.start(id, handlers);
  fakes.push(f);
  return f;
}

const num = (v: unknown): number => v as number;
/** A voter's answer carries its own term: the asked term for a vote, the one before for a pre-vote. */
const voterTerm = (b: Record<string, unknown>): number => num(b.term) - (b.preVote === true ? 1 : 0);
const grant: RpcHandler = (b, res) => reply(res, 200, { term: voterTerm(b), voteGranted: true });
const deny: RpcHandler = (b, res) => reply(res, 200, { term: voterTerm(b), voteGranted: false });
const refuseEntries: RpcHandler = (b, res) => reply(res, 200, { term: b.term, success: false });
const acceptEntries: RpcHandler = (b, res) => reply(res, 200, { term: b.term, success: true });

async function isLeaderWithin(url: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if ((await http('GET', `${url}/debug`)).body.state === 'leader') return true;
    await sleep(25);
  }
  return false;
}

describe('BUGS=volatile-state', () => {
  async function writeThenRestartAll(bugs: string[]): Promise<Record<string, unknown>> {
    const c = (cluster = await Cluster.start({ size: 3, bugs }));
    const leader = await c.leader();
    expect(await http('POST', `${leader.url}/kv`, { key: 'k', value: 'committed' })).toEqual({ status: 200, body: { key: 'k', value: 'committed' } });
    await waitFor('every node to apply', async () => {
      const ds = await Promise.all(c.nodes.map((n) => c.debug(n.id)));
      return ds.every((d) => (d.stateMachine as Record<string, unknown>).k === 'committed') ? true : undefined;
    });
    for (const n of c.nodes) await c.kill(n.id);
    await Promise.all(c.nodes.map((n) => c.startNode(n.id)));
    const again = await c.leader();
    return (await http('GET', `${again.url}/kv/k`)).body;
  }

  it('correct: a committed key survives a restart of every node', async () => {
    expect(await writeThenRestartAll([])).toEqual({ key: 'k', value: 'committed' });
  });

  it('bug: after a restart of every node the committed key is gone', async () => {
    expect(await writeThenRestartAll(['volatile-state'])).toEqual({ key: 'k' });
  });
});

describe('BUGS=stale-reads', () => {
  /** Cuts the leader off, writes a new value through the new leader, then reads from the old one. */
  async function readFromDeposedLeader(bugs: string[]): Promise<{ status: number; body: Record<string, unknown>; oldLeaderState: unknown }> {
    const c = (cluster = await Cluster.start({ size: 3, bugs, forwarders: true }));
    const old = await c.leader();
    expect((await http('POST', `${old.url}/kv`, { key: 'k', value: 'old' })).status).toBe(200);
    const term = num((await c.debug(old.id)).term);
    c.isolate(old.id);
    const others = c.nodes.filter((n) => n !== old).map((n) => n.id);
    const fresh = await c.leader(others, term);
    expect(await http('POST', `${fresh.url}/kv`, { key: 'k', value: 'new' })).toEqual({ status: 200, body: { key: 'k', value: 'new' } });
    const read = await http('GET', `${old.url}/kv/k`);
    return { ...read, oldLeaderState: (await c.debug(old.id)).state };
  }

  it('correct: the cut-off leader steps down and does not serve the old value', async () => {
    const r = await readFromDeposedLeader([]);
    expect(r.oldLeaderState).not.toBe('leader');
    expect(r.status).not.toBe(200);
    expect(r.body.value).toBeUndefined();
  });

  it('bug: the cut-off leader stays leader and serves the overwritten value', async () => {
    const r = await readFromDeposedLeader(['stale-reads']);
    expect(r.oldLeaderState).toBe('leader');
    expect(r).toMatchObject({ status: 200, body: { key: 'k', value: 'old' } });
  });
});

describe('BUGS=late-votes', () => {
  /**
   * node2 keeps its term-1 vote ("granted") until node1's term-2 request arrives, then sends it
   * and refuses term 2 (it grants pre-votes, so node1 gets to ask); node3 refuses everything. Only a candidate that counts the old vote wins.
   */
  async function becomesLeader(bugs: string[]): Promise<boolean> {
    let held: { res: Parameters<RpcHandler>[1]; term: number } | undefined;
    let released = false;
    const node2 = await fake('node2', {
      vote: (b, res) => {
        if (b.preVote === true) return grant(b, res);
        if (!released && held === undefined) {
          held = { res, term: num(b.term) };
          return;
        }
        if (held && !released) {
          released = true;
          reply(held.res, 200, { term: held.term, voteGranted: true });
        }
        deny(b, res);
      },
      append: refuseEntries,
    });
    const node3 = await fake('node3', { vote: deny, append: refuseEntries });
    // Plain elections on both sides (late-votes brings them anyway), and RPCs that outlive an election timeout.
    cluster = await startSingle([node2, node3], bugs, { PRE_VOTE: '0', RPC_TIMEOUT_MS: '3000' });
    const won = await isLeaderWithin(cluster.node('node1').url, 3000);
    expect(released).toBe(true);
    return won;
  }

  it('correct: a vote granted for an earlier term does not count', async () => {
    expect(await becomesLeader([])).toBe(false);
  });

  it('bug: the late vote from term 1 makes node1 leader of a later term', async () => {
    expect(await becomesLeader(['late-votes'])).toBe(true);
    const d = await http('GET', `${cluster!.node('node1').url}/debug`);
    expect(num(d.body.term)).toBeGreaterThanOrEqual(2);
  });
});

describe('BUGS=ack-overwritten', () => {
  /**
   * node1 leads (fakes grant votes but refuse entries, so nothing commits); a client writes; then
   * a crafted AppendEntries from a newer leader replaces that entry and commits the replacement.
   */
  async function writeOutcome(bugs: string[]): Promise<{ write: { status: number; body: Record<string, unknown> }; stored: unknown }> {
    const node2 = await fake('node2', { vote: grant, append: refuseEntries });
    const node3 = await fake('node3', { vote: grant, append: refuseEntries });
    cluster = await startSingle([node2, node3], bugs, { COMMIT_TIMEOUT_MS: '3000' });
    const url = cluster.node('node1').url;
    expect(await isLeaderWithin(url, 3000)).toBe(true);
    const term = num((await http('GET', `${url}/debug`)).body.term);
    const pending = http('POST', `${url}/kv`, { key: 'a', value: 'client' });
    await waitFor('the write in the log', async () => ((await http('GET', `${url}/debug`)).body.logLength === 2 ? true : undefined));
    const newTerm = term + 1;
    const ae = await http('POST', `${url}/raft/append-entries`, {
      term: newTerm,
      leaderId: 'node2',
      prevLogIndex: 0,
      prevLogTerm: 0,
      entries: [
        { index: 1, term: newTerm, command: JSON.stringify({ type: 'NOOP' }) },
        { index: 2, term: newTerm, command: JSON.stringify({ type: 'SET', key: 'a', value: 'other' }) },
      ],
      leaderCommit: 2,
    });
    expect(ae).toMatchObject({ status: 200, body: { term: newTerm, success: true } });
    const write = await pending;
    const d = await http('GET', `${url}/debug`);
    return { write, stored: (d.body.stateMachine as Record<string, unknown>).a };
  }

  it('correct: a write whose entry was replaced is not acknowledged', async () => {
    const { write, stored } = await writeOutcome([]);
    expect(stored).toBe('other');
    expect(write.status).toBe(503);
    expect(write.body.error).toMatch(/replaced/);
  });

  it('bug: the replaced write is acknowledged though another value was committed', async () => {
    const { write, stored } = await writeOutcome(['ack-overwritten']);
    expect(stored).toBe('other');
    expect(write).toEqual({ status: 200, body: { key: 'a', value: 'client' } });
  });
});

describe('BUGS=even-majority', () => {
  /** A 4-node cluster (node1 real, three fakes) where only node2 votes for node1 and acknowledges entries. */
  async function twoOfFour(bugs: string[]): Promise<{ leader: boolean; write?: number }> {
    const node2 = await fake('node2', { vote: grant, append: acceptEntries });
    const node3 = await fake('node3', { vote: deny, append: refuseEntries });
    const node4 = await fake('node4', { vote: deny, append: refuseEntries });
    cluster = await startSingle([node2, node3, node4], bugs, { COMMIT_TIMEOUT_MS: '1000' });
    const url = cluster.node('node1').url;
    const leader = await isLeaderWithin(url, 2500);
    if (!leader) return { leader };
    return { leader, write: (await http('POST', `${url}/kv`, { key: 'a', value: 1 })).status };
  }

  it('correct: 2 of 4 nodes neither elect a leader nor commit', async () => {
    expect(await twoOfFour([])).toEqual({ leader: false });
  });

  it('bug: 2 of 4 nodes elect a leader and commit a write', async () => {
    expect(await twoOfFour(['even-majority'])).toEqual({ leader: true, write: 200 });
  });
});
