/** A real 3-node store cluster: election, replication, failover, persistence, the course's answers, bad input. */
import { describe, expect, it } from 'vitest';
import { http, sleep, waitFor, type HttpAnswer } from '../common/testing.js';
import { clusterPerTest } from './testing/cluster.js';

const startCluster = clusterPerTest();

describe('store cluster', () => {
  it('elects the lowest id, replicates writes and deletes, answers in the course shapes', async () => {
    const c = await startCluster();
    await c.waitForLeader('node-1');

    const status = await c.status('node-2');
    expect(Object.keys(status)).toEqual(expect.arrayContaining(['nodeId', 'role', 'term', 'leaderId', 'totalKeys', 'keys', 'config']));
    expect(status).toMatchObject({ nodeId: 'node-2', role: 'follower', leaderId: 'node-1', config: { writeQuorum: 2, readQuorum: 1, totalNodes: 3 } });
    expect(typeof status.term).toBe('number');

    const put = await c.write('node-1', 'user', '"Alice"');
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ success: true, key: 'user', value: 'Alice', leaderId: 'node-1', achievedQuorum: true, writeQuorum: 2 });
    expect(put.body.version).toMatch(/^\d+\.\d+$/);

    const onFollower = await http('PUT', `${c.url('node-2')}/key/user`, '30');
    expect(onFollower.status).toBe(503);
    expect(onFollower.body).toMatchObject({ error: 'Not the leader', currentRole: 'follower', leaderId: 'node-1', leader: c.url('node-1') });

    for (const id of ['node-2', 'node-3']) {
      await c.waitForRevision(id, 'node-1');
      const got = await http('GET', `${c.url(id)}/key/user`);
      expect(got).toEqual({ status: 200, body: { key: 'user', value: 'Alice', nodeRole: 'follower', consistency: 'eventual', version: put.body.version } });
      const s = await c.status(id);
      expect(s).toMatchObject({ totalKeys: 1, keys: ['user'] });
    }

    const del = await c.write('node-1', 'user');
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ success: true, key: 'user', leaderId: 'node-1' });
    expect((await http('DELETE', `${c.url('node-1')}/key/user`)).body).toEqual({ error: 'Key not found', key: 'user' });
    expect((await http('DELETE', `${c.url('node-3')}/key/user`)).status).toBe(503);
    await c.waitForRevision('node-3', 'node-1');
    expect(await http('GET', `${c.url('node-3')}/key/user`)).toEqual({ status: 404, body: { error: 'Key not found', key: 'user' } });
    expect(await http('GET', `${c.url('node-3')}/key/user?consistency=strong`)).toEqual({ status: 404, body: { error: 'Key not found', key: 'user' } });

    // GET /committed: the map with versions, the tombstone included, the same on every node
    const committed = await http('GET', `${c.url('node-1')}/committed`);
    expect(committed.body).toEqual({ nodeId: 'node-1', revision: del.body.version, map: { user: { value: null, version: del.body.version, deleted: true } } });
    await c.waitForRevision('node-2', 'node-1');
    expect((await http('GET', `${c.url('node-2')}/committed`)).body).toEqual({ ...committed.body, nodeId: 'node-2' });
  });

  it('fails over to the next lowest id when the leader dies, keeping acknowledged writes', async () => {
    const c = await startCluster();
    await c.waitForLeader('node-1');
    const put = await c.write('node-1', 'k', '1');
    expect(put.body.achievedQuorum).toBe(true);
    await c.kill('node-1');
    await c.waitForLeader('node-2');
    const s2 = await c.status('node-2');
    expect(s2.term as number).toBeGreaterThan((put.body.version as string).split('.').map(Number)[0]!);
    expect((await http('GET', `${c.url('node-2')}/key/k`)).body.value).toBe(1);
    const put2 = await c.write('node-2', 'k', '2');
    expect(put2.body).toMatchObject({ success: true, leaderId: 'node-2', achievedQuorum: true });

    // node-1 comes back empty (no data dir): it leads again, but only after merging the others' maps
    await c.restart('node-1');
    await c.waitForLeader('node-1');
    expect((await http('GET', `${c.url('node-1')}/key/k`)).body.value).toBe(2);
    await c.kill('node-3');
    await c.kill('node-2');
    // alone, node-1 cannot reach a majority and steps down
    await waitFor('node-1 to step down', async () => ((await c.status('node-1')).role !== 'leader' ? true : undefined));
    const refused = await http('PUT', `${c.url('node-1')}/key/k`, '3');
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: 'Not the leader', currentRole: 'candidate', leaderId: null });
  });

  it('a paused leader that resumes does not write in its old term, and loses nothing', async () => {
    const c = await startCluster();
    await c.waitForLeader('node-1');
    const oldTerm = (await c.status('node-1')).term as number;
    c.pause('node-1');
    let during: HttpAnswer;
    let stale: HttpAnswer;
    try {
      await c.waitForLeader('node-2');
      during = await c.write('node-2', 'p', '"during pause"');
      expect(during.status).toBe(200);
      // this request waits in node-1's socket until it resumes
      const pending = http('PUT', `${c.url('node-1')}/key/p`, '"after pause"');
      await sleep(200);
      c.resume('node-1');
      stale = await pending;
    } finally {
      c.resume('node-1');
    }
    // refused, or accepted only after node-1 took over again in a new term (merging node-2's map)
    if (stale.status === 200) {
      expect(Number((stale.body.version as string).split('.')[0])).toBeGreaterThan(Number((during.body.version as string).split('.')[0]));
    } else expect(stale.status).toBe(503);
    await c.waitForLeader('node-1');
    expect((await c.status('node-1')).term as number).toBeGreaterThan(oldTerm + 1);
    const expected = stale.status === 200 ? 'after pause' : 'during pause';
    for (const n of c.nodes) {
      await c.waitForRevision(n.id, 'node-1');
      expect((await http('GET', `${c.url(n.id)}/key/p`)).body).toMatchObject({ value: expected });
    }
  });

  it('keeps term and map in DATA_DIR across a restart of every node', async () => {
    const c = await startCluster({ persist: true });
    await c.waitForLeader('node-1');
    await c.write('node-1', 'a', '{"n":1}');
    await c.write('node-1', 'b', '[1,2]');
    await c.write('node-1', 'b');
    const before = await c.status('node-1');
    await c.waitForRevision('node-2', 'node-1');
    for (const n of c.nodes) await c.kill(n.id);
    for (const n of c.nodes) await c.restart(n.id);
    await c.waitForLeader('node-1');
    const after = await c.status('node-1');
    expect(after.term as number).toBeGreaterThan(before.term as number);
    expect(after.keys).toEqual(['a']);
    expect((await http('GET', `${c.url('node-3')}/key/a`)).body.value).toEqual({ n: 1 });
    expect((await http('GET', `${c.url('node-2')}/key/b`)).status).toBe(404);
  });

  it('answers bad input with 400/404/413 JSON errors and keeps running', async () => {
    const c = await startCluster();
    await c.waitForLeader('node-1');
    const leader = c.url('node-1');
    expect(await http('PUT', `${leader}/key/x`, '{not json')).toEqual({ status: 400, body: { error: 'Invalid JSON' } });
    expect(await http('PUT', `${leader}/key/x`, '')).toEqual({ status: 400, body: { error: 'Invalid JSON' } });
    const big = await http('PUT', `${leader}/key/x`, JSON.stringify('x'.repeat(1024 * 1024 + 10)));
    expect(big.status).toBe(413);
    expect(typeof big.body.error).toBe('string');
    expect(await http('GET', `${leader}/nope`)).toEqual({ status: 404, body: { error: 'Not found' } });
    expect(await http('POST', `${leader}/key/x`, '1')).toEqual({ status: 404, body: { error: 'Not found' } });
    expect(await http('GET', `${leader}/key/%E0%A4%A`)).toEqual({ status: 404, body: { error: 'Not found' } });
    const level = await http('GET', `${leader}/key/x?consistency=linearizable`);
    expect(level.status).toBe(400);
    expect(level.body.error).toMatch(/consistency/);
    const session = await http('GET', `${leader}/key/x?consistency=read_your_writes`, undefined, { headers: { 'X-Session-Version': 'yesterday' } });
    expect(session.status).toBe(400);
    expect(session.body.error).toMatch(/session version/i);
    for (const [path, body] of [
      ['/internal/heartbeat', '{"term":"one"}'],
      ['/internal/heartbeat', '[]'],
      ['/internal/replicate', '{"term":1,"leaderId":"node-9","data":5}'],
      ['/internal/replicate', '{"term":1,"leaderId":"node-9","data":{},"versions":{"a":7}}'],
      ['/internal/snapshot', '{"term":-1,"leaderId":"node-9"}'],
      ['/internal/get', '{"key":3}'],
      ['/internal/get', 'null'],
    ] as const) {
      const a = await http('POST', `${leader}${path}`, body);
      expect(a.status, `${path} ${body}`).toBe(400);
      expect(typeof a.body.error).toBe('string');
    }
    // any JSON value is a value; keys are URL-decoded
    const odd = await http('PUT', `${leader}/key/${encodeURIComponent('a b/c')}`, 'null');
    expect(odd.body).toMatchObject({ success: true, key: 'a b/c', value: null });
    expect((await http('GET', `${leader}/key/${encodeURIComponent('a b/c')}`)).body).toMatchObject({ key: 'a b/c', value: null });
    expect((await c.status('node-1')).role).toBe('leader');
  });

  it('answers a course-style heartbeat and replicate (no nodeId, no versions); one new leader per term', async () => {
    const c = await startCluster({ nodes: 1, env: { WRITE_QUORUM: '1' } });
    await c.waitForLeader('node-1');
    const url = c.url('node-1');
    // a lower term is refused, a higher one followed
    const hb = await http('POST', `${url}/internal/heartbeat`, JSON.stringify({ type: 'heartbeat', leaderId: 'node-0', term: 0, timestamp: Date.now() }));
    expect(hb.body).toMatchObject({ success: false });
    // one new leader per term: a takeover in the term node-1 leads is refused
    const term = (await c.status('node-1')).term as number;
    const same = await http('POST', `${url}/internal/snapshot`, JSON.stringify({ type: 'snapshot', leaderId: 'node-0', term }));
    expect(same.body).toMatchObject({ success: false, term });
    const rep = await http('POST', `${url}/internal/replicate`, JSON.stringify({ type: 'replicate', leaderId: 'node-0', term: 50, data: { a: 'x' } }));
    expect(rep.body).toMatchObject({ success: true });
    const s = await c.status('node-1');
    expect(s).toMatchObject({ term: 50, leaderId: 'node-0', keys: ['a'] });
    expect((await http('POST', `${url}/internal/get`, '{"key":"a"}')).body).toMatchObject({ value: 'x', version: '50.0' });
    expect((await http('POST', `${url}/internal/get`, '{"key":"zz"}')).body).toMatchObject({ value: null, version: null });
  });
});
