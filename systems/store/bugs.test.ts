/** Each BUGS toggle against the same scenario without it: the defect shows, deterministically. */
import { describe, expect, it } from 'vitest';
import { http, sleep, waitFor, type HttpAnswer } from '../common/testing.js';
import { clusterPerTest, type StoreCluster } from './testing/cluster.js';

const startCluster = clusterPerTest();

async function start(bugs: string[], env: Record<string, string> = {}): Promise<StoreCluster> {
  const cluster = await startCluster({ bugs, env });
  await cluster.waitForLeader('node-1');
  return cluster;
}

describe('BUGS=split-brain', () => {
  it.each([
    [[], false],
    [['split-brain'], true],
  ] as const)('BUGS=%j: a leader cut off from everyone keeps leading: %s', async (bugs, splits) => {
    const c = await start([...bugs]);
    c.isolate('node-1');
    await waitFor('node-2 to lead the majority', async () => {
      const [s2, s3] = await Promise.all([c.status('node-2'), c.status('node-3')]);
      return s2.role === 'leader' && s3.leaderId === 'node-2' ? true : undefined;
    });
    let old: HttpAnswer;
    if (splits) {
      // well past the election timeout: two leaders at once, both accepting writes
      await sleep(1000);
      expect((await c.status('node-1')).role).toBe('leader');
      old = await http('PUT', `${c.url('node-1')}/key/x`, '"old side"');
      expect(old.status).toBe(200);
      expect(old.body).toMatchObject({ success: true, leaderId: 'node-1', achievedQuorum: false });
    } else {
      // it stepped down, at the latest when the others elected node-2
      expect((await c.status('node-1')).role).not.toBe('leader');
      old = await http('PUT', `${c.url('node-1')}/key/x`, '"old side"');
      expect(old.status).toBe(503);
    }
    expect((await http('PUT', `${c.url('node-2')}/key/x`, '"new side"')).status).toBe(200);
    // healed, one leader again: the lowest id
    c.healAll();
    await c.waitForLeader('node-1');
    const leaders = await Promise.all(c.nodes.map(async (n) => (await c.status(n.id)).role));
    expect(leaders.filter((r) => r === 'leader')).toHaveLength(1);
  });
});

describe('BUGS=lost-deletes', () => {
  it.each([
    [[], 404],
    [['lost-deletes'], 200],
  ] as const)('BUGS=%j: a follower reading a key deleted on the leader gets %i', async (bugs, status) => {
    const c = await start([...bugs]);
    await c.write('node-1', 'gone', '"x"');
    await c.waitForRevision('node-2', 'node-1');
    expect((await c.write('node-1', 'gone')).status).toBe(200);
    expect((await http('GET', `${c.url('node-1')}/key/gone`)).status).toBe(404);
    await c.waitForRevision('node-2', 'node-1');
    expect((await http('GET', `${c.url('node-2')}/key/gone`)).status).toBe(status);
    // on failover the new leader serves what it holds
    await c.kill('node-1');
    await c.waitForLeader('node-2');
    expect((await http('GET', `${c.url('node-3')}/key/gone?consistency=strong`)).status).toBe(status);
  });
});

/** node-3 misses the leader's pushes: `k` is "old" there, "new" on node-1 and node-2. */
async function staleNode3(c: StoreCluster): Promise<void> {
  expect((await c.write('node-1', 'k', '"old"')).status).toBe(200);
  await c.waitForRevision('node-3', 'node-1');
  c.cut('node-1', 'node-3');
  await c.write('node-1', 'k', '"new"');
  await c.waitForRevision('node-2', 'node-1');
}

describe('BUGS=const-version', () => {
  it.each([
    [[], 'new'],
    [['const-version'], 'old'],
  ] as const)('BUGS=%j: a strong read (R=3) on a stale node answers %j', async (bugs, value) => {
    const c = await start([...bugs], { READ_QUORUM: '3' });
    await staleNode3(c);
    const got = await http('GET', `${c.url('node-3')}/key/k?consistency=strong`);
    expect(got.status).toBe(200);
    expect(got.body.value).toBe(value);
  });

  it.each([
    [[], 503],
    [['const-version'], 200],
  ] as const)('BUGS=%j: a strong read (R=2) with no peer answering gets %i', async (bugs, status) => {
    const c = await start([...bugs], { READ_QUORUM: '2' });
    await staleNode3(c);
    c.cut('node-3', 'node-1');
    c.cut('node-3', 'node-2');
    const got = await http('GET', `${c.url('node-3')}/key/k?consistency=strong`);
    expect(got.status).toBe(status);
    if (status === 200) expect(got.body.value).toBe('old');
  });
});

describe('BUGS=ryw-is-eventual', () => {
  it.each([
    [[], 'new'],
    [['ryw-is-eventual'], 'old'],
  ] as const)('BUGS=%j: read_your_writes on a stale node after writing "new" answers %j', async (bugs, value) => {
    const c = await start([...bugs]);
    await c.write('node-1', 'k', '"old"');
    await c.waitForRevision('node-3', 'node-1');
    c.cut('node-1', 'node-3');
    const put = await c.write('node-1', 'k', '"new"');
    const got = await http('GET', `${c.url('node-3')}/key/k?consistency=read_your_writes`, undefined, {
      headers: { 'X-Session-Version': put.body.version as string },
    });
    expect(got.status).toBe(200);
    expect(got.body.value).toBe(value);
  });
});
