/** Read consistency on a real cluster with one follower cut off from the leader's pushes. */
import { describe, expect, it } from 'vitest';
import { http, waitFor } from '../common/testing.js';
import { clusterPerTest, type StoreCluster } from './testing/cluster.js';

const startCluster = clusterPerTest();

/** node-1 leads; `k` is 1 everywhere, then 2 on node-1 and node-2 while node-3 misses the push. */
async function staleNode3(c: StoreCluster): Promise<string> {
  await c.waitForLeader('node-1');
  expect((await c.write('node-1', 'k', '1')).status).toBe(200);
  await c.waitForRevision('node-3', 'node-1');
  c.cut('node-1', 'node-3');
  const put = await c.write('node-1', 'k', '2');
  expect(put.body).toMatchObject({ success: true, achievedQuorum: true });
  await c.waitForRevision('node-2', 'node-1');
  expect((await http('GET', `${c.url('node-3')}/key/k`)).body).toMatchObject({ value: 1, consistency: 'eventual' });
  return put.body.version as string;
}

describe('consistency levels', () => {
  it('strong returns the newest of R answers, and 503 when fewer than R answer', async () => {
    const c = await startCluster({ env: { READ_QUORUM: '3' } });
    const version = await staleNode3(c);
    const strong = await http('GET', `${c.url('node-3')}/key/k?consistency=strong`);
    expect(strong).toEqual({ status: 200, body: { key: 'k', value: 2, nodeRole: 'follower', consistency: 'strong', version, responses: 3 } });

    c.cut('node-3', 'node-1');
    c.cut('node-3', 'node-2');
    const short = await http('GET', `${c.url('node-3')}/key/k?consistency=strong`);
    expect(short).toEqual({ status: 503, body: { error: 'Read quorum not reached', key: 'k', readQuorum: 3, responses: 1 } });
    // eventual still answers locally
    expect((await http('GET', `${c.url('node-3')}/key/k`)).status).toBe(200);
  });

  it('read_your_writes honours the session version (header or ?after=): a lagging node asks the leader, or answers 503', async () => {
    const c = await startCluster();
    const version = await staleNode3(c);
    const node3 = `${c.url('node-3')}/key/k?consistency=read_your_writes`;
    expect(await http('GET', node3, undefined, { headers: { 'X-Session-Version': version } })).toEqual({
      status: 200,
      body: { key: 'k', value: 2, nodeRole: 'follower', consistency: 'read_your_writes', version, servedBy: 'node-1' },
    });
    expect((await http('GET', `${node3}&after=${version}`)).body).toMatchObject({ value: 2, servedBy: 'node-1' });
    // without a session it is a local read
    expect((await http('GET', node3)).body).toMatchObject({ value: 1 });
    // a node that holds the version answers itself
    const onNode2 = await http('GET', `${c.url('node-2')}/key/k?consistency=read_your_writes&after=${version}`);
    expect(onNode2.body).toMatchObject({ value: 2, nodeRole: 'follower' });
    expect(onNode2.body.servedBy).toBeUndefined();

    c.cut('node-3', 'node-1');
    const behind = await http('GET', node3, undefined, { headers: { 'X-Session-Version': version } });
    expect(behind.status).toBe(503);
    expect(behind.body).toMatchObject({ error: 'Session version not reached', key: 'k', sessionVersion: version });

    // healed, node-3 catches up and answers itself
    c.healAll();
    await waitFor('node-3 to catch up', async () => ((await c.status('node-3')).revision === version ? true : undefined));
    const caught = await http('GET', node3, undefined, { headers: { 'X-Session-Version': version } });
    expect(caught.body).toMatchObject({ value: 2 });
    expect(caught.body.servedBy).toBeUndefined();
  });

  it('W acks: achievedQuorum is false (the write still applies) when too few followers answer', async () => {
    const c = await startCluster({ env: { WRITE_QUORUM: '3' } });
    await c.waitForLeader('node-1');
    expect((await c.write('node-1', 'w', '1')).body).toMatchObject({ achievedQuorum: true, writeQuorum: 3, acks: 2 });
    c.cut('node-1', 'node-3');
    const put = await c.write('node-1', 'w', '2');
    expect(put.body).toMatchObject({ success: true, achievedQuorum: false, writeQuorum: 3, acks: 1 });
    expect((await http('GET', `${c.url('node-1')}/key/w`)).body).toMatchObject({ value: 2 });
  });

  it('strong answers a version only once W nodes hold it: a write only the leader holds is not read (503) until it is replicated', async () => {
    const c = await startCluster({ env: { READ_QUORUM: '3', WRITE_QUORUM: '2', RPC_TIMEOUT_MS: '300' } });
    await c.waitForLeader('node-1');
    expect((await c.write('node-1', 'k', '1')).status).toBe(200);
    await c.waitForRevision('node-2', 'node-1');
    await c.waitForRevision('node-3', 'node-1');
    c.cut('node-1', 'node-2');
    c.cut('node-1', 'node-3');
    const put = await c.write('node-1', 'k', '2');
    expect(put.body).toMatchObject({ success: true, achievedQuorum: false });
    // the three answers' newest (2) is on node-1 only: answering it would let a later read from
    // node-2 and node-3 go back to 1
    const read = await http('GET', `${c.url('node-2')}/key/k?consistency=strong`);
    expect(read).toEqual({ status: 503, body: { error: 'Read not stable', key: 'k', version: put.body.version, writeQuorum: 2 } });
    c.healAll();
    await waitFor('node-2 to hold the write', async () => ((await c.status('node-2')).revision === put.body.version ? true : undefined));
    const after = await http('GET', `${c.url('node-2')}/key/k?consistency=strong`);
    expect(after.body).toMatchObject({ value: 2, version: put.body.version });
  });
});
