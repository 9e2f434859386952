/** Real 3- and 5-node clusters on 127.0.0.1: election, replication, failover, restarts, the API's shapes, bad input. */
import { afterEach, describe, expect, it } from 'vitest';
import { http, sleep, waitFor } from '../common/testing.js';
import { Cluster } from './test-cluster.js';

let cluster: Cluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

async function start(size: number, options: { forwarders?: boolean; env?: Record<string, string> } = {}): Promise<Cluster> {
  cluster = await Cluster.start({ size, ...options });
  return cluster;
}

describe('raft cluster (3 nodes)', () => {
  it('elects one leader, answers in the course shapes, and replicates writes to every node', async () => {
    const c = await start(3);
    const leader = await c.leader();
    const followers = c.nodes.filter((n) => n !== leader);

    const debug = await c.debug(leader.id);
    expect(debug).toMatchObject({ nodeId: leader.id, state: 'leader', leaderId: leader.id, logLength: expect.any(Number), commitIndex: expect.any(Number), stateMachine: {} });
    expect(debug.term).toBeGreaterThanOrEqual(1);

    expect(await http('POST', `${leader.url}/kv`, { key: 'a', value: 'Alice' })).toEqual({ status: 200, body: { key: 'a', value: 'Alice' } });
    expect(await http('POST', `${leader.url}/kv`, { key: 'n', value: 30 })).toEqual({ status: 200, body: { key: 'n', value: 30 } });
    expect(await http('GET', `${leader.url}/kv/a`)).toEqual({ status: 200, body: { key: 'a', value: 'Alice' } });
    expect(await http('GET', `${leader.url}/kv/missing`)).toEqual({ status: 200, body: { key: 'missing' } });
    expect(await http('DELETE', `${leader.url}/kv/n`)).toEqual({ status: 200, body: { key: 'n', deleted: true } });
    expect(await http('GET', `${leader.url}/kv/n`)).toEqual({ status: 200, body: { key: 'n' } });

    // a follower answers as the course says, plus the leader's id and client URL
    const redirect = await http('POST', `${followers[0]!.url}/kv`, { key: 'a', value: 1 });
    expect(redirect).toEqual({
      status: 500,
      body: { error: `Not a leader. Please redirect to ${leader.id}`, leaderId: leader.id, leader: leader.url },
    });
    expect((await http('GET', `${followers[1]!.url}/kv/a`)).status).toBe(500);
    expect((await http('DELETE', `${followers[1]!.url}/kv/a`)).status).toBe(500);

    // log indexes from 1: no-op (1), two sets (2, 3), a delete (4)
    const leaderDebug = await c.debug(leader.id);
    expect(leaderDebug).toMatchObject({ logLength: 4, commitIndex: 4, stateMachine: { a: 'Alice' } });
    for (const f of followers) {
      await waitFor(`${f.id} to apply`, async () => {
        const d = await c.debug(f.id);
        return d.commitIndex === 4 ? d : undefined;
      });
      expect(await c.debug(f.id)).toMatchObject({ state: 'follower', leaderId: leader.id, term: leaderDebug.term, logLength: 4, stateMachine: { a: 'Alice' } });
    }

    // GET /committed: the committed prefix as [term, command hash], the same on every node
    const committed = await http('GET', `${leader.url}/committed`);
    const log = (committed.body as { log: [number, string][] }).log;
    expect(committed.body).toMatchObject({ nodeId: leader.id, commitIndex: 4 });
    expect(log.map(([term]) => term)).toEqual([1, 1, 1, 1].map(() => leaderDebug.term));
    expect(new Set(log.map(([, hash]) => hash)).size).toBe(4);
    for (const f of followers) expect((await http('GET', `${f.url}/committed`)).body).toEqual({ nodeId: f.id, commitIndex: 4, log });
  });

  it('fails over when the leader is killed, keeps committed data, and the old leader catches up', async () => {
    const c = await start(3);
    const first = await c.leader();
    for (let i = 0; i < 5; i++) expect((await http('POST', `${first.url}/kv`, { key: `k${i}`, value: i })).status).toBe(200);
    const term = (await c.debug(first.id)).term as number;
    await c.kill(first.id);
    const others = c.nodes.filter((n) => n !== first).map((n) => n.id);
    const second = await c.leader(others, term);
    expect(second.id).not.toBe(first.id);
    for (let i = 0; i < 5; i++) expect(await http('GET', `${second.url}/kv/k${i}`)).toEqual({ status: 200, body: { key: `k${i}`, value: i } });
    expect((await http('POST', `${second.url}/kv`, { key: 'after', value: 'failover' })).status).toBe(200);

    await c.startNode(first.id);
    await waitFor('the old leader to catch up', async () => {
      const d = await c.debug(first.id);
      return d.state === 'follower' && (d.stateMachine as Record<string, unknown>).after === 'failover' ? d : undefined;
    });
  });

  it('keeps term, vote and log across a restart of every node', async () => {
    const c = await start(3);
    const leader = await c.leader();
    for (let i = 0; i < 10; i++) expect((await http('POST', `${leader.url}/kv`, { key: 'x', value: i })).status).toBe(200);
    await waitFor('all nodes to apply', async () => {
      const ds = await Promise.all(c.nodes.map((n) => c.debug(n.id)));
      return ds.every((d) => d.commitIndex === 11) ? true : undefined;
    });
    const before = await Promise.all(c.nodes.map((n) => c.debug(n.id)));
    for (const n of c.nodes) await c.kill(n.id);
    // start with no peers reachable... they are all restarting: read each node's state as it comes up
    for (const n of c.nodes) {
      await c.startNode(n.id);
      const d = await c.debug(n.id);
      const old = before.find((b) => b.nodeId === n.id)!;
      expect(d.logLength).toBeGreaterThanOrEqual(old.logLength as number);
      expect(d.term).toBeGreaterThanOrEqual(old.term as number);
    }
    const again = await c.leader();
    expect(await http('GET', `${again.url}/kv/x`)).toEqual({ status: 200, body: { key: 'x', value: 9 } });
  });

  it('answers 503 instead of hanging when no majority acknowledges, and the cut-off leader steps down', async () => {
    const c = await start(3, { env: { COMMIT_TIMEOUT_MS: '800' } });
    const leader = await c.leader();
    const followers = c.nodes.filter((n) => n !== leader);
    expect((await http('POST', `${leader.url}/kv`, { key: 'a', value: 1 })).status).toBe(200);
    for (const f of followers) c.signal(f.id, 'SIGSTOP');
    try {
      const started = Date.now();
      const write = await http('POST', `${leader.url}/kv`, { key: 'a', value: 2 });
      expect(write.status).toBe(503);
      expect(write.body.error).toMatch(/within 800 ms/);
      expect(Date.now() - started).toBeLessThan(3000);
      const d = await c.debug(leader.id);
      expect(d.state).not.toBe('leader');
      const read = await http('GET', `${leader.url}/kv/a`);
      expect(read.status).toBe(500);
      expect(read.body.error).toBe('No leader known. Please retry.');
    } finally {
      for (const f of followers) c.signal(f.id, 'SIGCONT');
    }
  });

  it('refuses bad input with JSON errors and never crashes', async () => {
    const c = await start(3);
    const leader = await c.leader();
    const url = leader.url;
    expect(await http('POST', `${url}/kv`, '{nope')).toEqual({ status: 400, body: { error: 'Invalid JSON' } });
    for (const body of [{ value: 1 }, { key: 'a' }, { key: 3, value: 1 }, { key: '', value: 1 }, [1], 'null']) {
      const r = await http('POST', `${url}/kv`, body);
      expect(r.status).toBe(400);
      expect(typeof r.body.error).toBe('string');
    }
    const big = await http('POST', `${url}/kv`, { key: 'big', value: 'x'.repeat(1024 * 1024 + 10) });
    expect(big.status).toBe(413);
    expect(await http('GET', `${url}/nope`)).toEqual({ status: 404, body: { error: 'Not found' } });
    expect((await http('PUT', `${url}/kv/a`, { value: 1 })).status).toBe(404);
    // malformed raft RPCs
    for (const body of ['{', { term: 'x' }, { term: 1, leaderId: 'n9', prevLogIndex: 0, prevLogTerm: 0, leaderCommit: 0, entries: [{ index: 7, term: 1, command: 'x' }] }, { term: 1, leaderId: 'n9', prevLogIndex: 0, prevLogTerm: 0, leaderCommit: 0, entries: [null] }]) {
      expect((await http('POST', `${url}/raft/append-entries`, body)).status).toBe(400);
    }
    for (const body of ['[]', { term: 1 }, { term: 1.5, candidateId: 'x', lastLogIndex: 0, lastLogTerm: 0 }]) {
      expect((await http('POST', `${url}/raft/request-vote`, body)).status).toBe(400);
    }
    // a stale-term RPC is refused politely, and the node is still the leader and still writes
    expect(await http('POST', `${url}/raft/append-entries`, { term: 0, leaderId: 'x', prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0 })).toMatchObject({ status: 200, body: { success: false } });
    expect(await http('POST', `${url}/raft/request-vote`, { term: 0, candidateId: 'x', lastLogIndex: 0, lastLogTerm: 0 })).toMatchObject({ status: 200, body: { voteGranted: false } });
    await sleep(100);
    expect((await http('POST', `${url}/kv`, { key: 'still', value: 'up' })).status).toBe(200);
    for (const n of c.nodes) expect(n.proc?.child.exitCode).toBeNull();
  });
});

describe('pre-vote', () => {
  /** Cuts a follower off for a second, heals, and reports the leader and term before and after. */
  async function isolateFollower(preVote: string): Promise<{ before: [string, number]; after: [string, number] }> {
    const c = await start(3, { forwarders: true, env: { PRE_VOTE: preVote } });
    const leader = await c.leader();
    const term = (await c.debug(leader.id)).term as number;
    const follower = c.nodes.find((n) => n !== leader)!;
    c.isolate(follower.id);
    await sleep(1200);
    c.healAll();
    await sleep(700);
    const now = await c.leader();
    await waitFor('every node to follow one leader', async () => {
      const ds = await Promise.all(c.nodes.map((n) => c.debug(n.id)));
      return ds.every((d) => d.leaderId === now.id) ? true : undefined;
    });
    return { before: [leader.id, term], after: [now.id, (await c.debug(now.id)).term as number] };
  }

  it('a follower that was cut off rejoins without deposing the leader', async () => {
    const { before, after } = await isolateFollower('1');
    expect(after).toEqual(before);
  });

  it('without pre-vote (PRE_VOTE=0) the same follower forces a new term when it comes back', async () => {
    const { before, after } = await isolateFollower('0');
    expect(after[1]).toBeGreaterThan(before[1]);
  });
});

describe('links that drop packets', () => {
  it('a follower cut off by a black hole catches up at once after the heal, not after RPC_TIMEOUT_MS', async () => {
    const c = await start(3, { forwarders: true, env: { RPC_TIMEOUT_MS: '8000' } });
    const leader = await c.leader();
    const follower = c.nodes.find((n) => n !== leader)!;
    const link = c.links.get(`${leader.id}->${follower.id}`)!;
    link.cut('drop');
    for (let i = 0; i < 3; i++) expect((await http('POST', `${leader.url}/kv`, { key: 'd', value: i })).status).toBe(200);
    const target = (await c.debug(leader.id)).commitIndex as number;
    await sleep(600);
    expect((await c.debug(follower.id)).commitIndex as number).toBeLessThan(target);
    link.heal();
    const healed = Date.now();
    await waitFor('the follower to catch up', async () => ((await c.debug(follower.id)).commitIndex as number) >= target ? true : undefined, 4000);
    expect(Date.now() - healed).toBeLessThan(3000);
    expect((await c.debug(leader.id)).state).toBe('leader');
  });
});

describe('raft cluster (5 nodes)', () => {
  it('the majority side of a partition commits; the minority side cannot, and catches up after the heal', async () => {
    const c = await start(5, { forwarders: true });
    const leader = await c.leader();
    expect((await http('POST', `${leader.url}/kv`, { key: 'p', value: 'before' })).status).toBe(200);
    const term = (await c.debug(leader.id)).term as number;
    // the leader and one other on the minority side
    const minority = [leader, c.nodes.find((n) => n !== leader)!];
    const majority = c.nodes.filter((n) => !minority.includes(n));
    for (const [name, fwd] of c.links) {
      const [from, to] = name.split('->');
      const side = (id: string | undefined) => minority.some((n) => n.id === id);
      if (side(from) !== side(to)) fwd.cut();
    }
    const write = await http('POST', `${leader.url}/kv`, { key: 'p', value: 'minority' });
    expect(write.status).not.toBe(200);
    const newLeader = await c.leader(majority.map((n) => n.id), term);
    expect((await http('POST', `${newLeader.url}/kv`, { key: 'p', value: 'majority' })).status).toBe(200);
    expect(await http('GET', `${newLeader.url}/kv/p`)).toEqual({ status: 200, body: { key: 'p', value: 'majority' } });
    c.healAll();
    await waitFor('every node to agree after the heal', async () => {
      const ds = await Promise.all(c.nodes.map((n) => c.debug(n.id)));
      return ds.every((d) => (d.stateMachine as Record<string, unknown>).p === 'majority') ? true : undefined;
    });
  });
});
