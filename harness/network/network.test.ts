/**
 * The network layer against the embedded Toxiproxy (and against TOXIPROXY_URL when set), with
 * real HTTP servers as the nodes.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startEmbeddedToxiproxy, type EmbeddedToxiproxy } from '../proxy/server.js';
import { exchange, httpGet, startHttpServer, type TestServer } from '../proxy/test-servers.js';
import { CLIENT, createNetwork, removeProxies, type NetEvent, type Network } from './network.js';

const targets: { name: string; external?: string }[] = [{ name: 'embedded' }];
if (process.env.TOXIPROXY_URL) targets.push({ name: 'TOXIPROXY_URL', external: process.env.TOXIPROXY_URL });

describe.each(targets)('network over Toxiproxy ($name)', (target) => {
  let embedded: EmbeddedToxiproxy | null = null;
  let url = '';
  const servers: Record<string, TestServer> = {};
  const nodes = ['n1', 'n2', 'n3'];
  let net: Network | null = null;
  let events: NetEvent[] = [];
  let prefix = '';

  beforeAll(async () => {
    if (target.external) url = target.external.replace(/\/$/, '');
    else {
      embedded = await startEmbeddedToxiproxy({ port: 0 });
      url = embedded.url;
    }
    for (const n of nodes) servers[n] = await startHttpServer(`I am ${n}`);
  });

  beforeEach(async () => {
    events = [];
    prefix = `t${randomBytes(3).toString('hex')}_`;
    net = await createNetwork({
      toxiproxyUrl: url,
      prefix,
      nodes: nodes.map((id) => ({ id, upstream: { host: '127.0.0.1', port: servers[id]!.port } })),
      onChange: (e) => events.push(e),
    });
  });

  afterEach(async () => {
    await net?.destroy().catch(() => undefined);
    net = null;
  });

  afterAll(async () => {
    for (const s of Object.values(servers)) await s.close();
    await embedded?.close();
  });

  const viaPeer = (from: string, to: string, timeoutMs = 2000, agent?: http.Agent) =>
    httpGet(net!.peerEndpoint(from, to).port, '/', timeoutMs, agent);
  const viaClient = (node: string, timeoutMs = 2000) => httpGet(net!.clientEndpoint(node).port, '/', timeoutMs);
  /** The quickest of three requests over a peer link: a toxic's delay is in every one, while a
   *  loaded machine's hiccup is in few, so an upper bound on this holds where one on a single
   *  request may not. */
  const fastest = async (from: string, to: string): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) times.push((await viaPeer(from, to)).ms);
    return Math.min(...times);
  };

  it('creates a proxy per directed peer link and per client link, each reaching its node', async () => {
    expect(net!.links.filter((l) => l.kind === 'peer')).toHaveLength(6);
    expect(net!.links.filter((l) => l.kind === 'client')).toHaveLength(3);
    expect(new Set(net!.links.map((l) => l.endpoint.port)).size).toBe(9);
    for (const to of nodes) {
      expect((await viaClient(to)).body).toBe(`I am ${to}`);
      for (const from of nodes) if (from !== to) expect((await viaPeer(from, to)).body).toBe(`I am ${to}`);
    }
    expect(net!.peerEndpoint('n1', 'n2')).not.toEqual(net!.peerEndpoint('n3', 'n2'));
    const all = await new Toxiproxy(url).getAll();
    expect(Object.keys(all).filter((n) => n.startsWith(prefix)).sort()).toEqual(net!.links.map((l) => l.proxy).sort());
    expect(net!.links.map((l) => l.proxy)).toContain(`${prefix}n1_to_n2`);
    expect(net!.links.map((l) => l.proxy)).toContain(`${prefix}client_to_n3`);
    expect(events[0]).toMatchObject({ type: 'create' });
    expect(events[0]!.changes).toHaveLength(9);
  });

  it('drop: a request over a cut link hangs until the client times out (also on a kept-alive connection); heal restores', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await viaPeer('n1', 'n2', 2000, agent)).body).toBe('I am n2'); // a kept-alive connection
      await net!.partition({ n2: ['n1'] }, 'drop');
      const kept = await viaPeer('n1', 'n2', 400, agent);
      expect(kept.error).toBe('TIMEOUT');
      const fresh = await viaPeer('n1', 'n2', 400);
      expect(fresh.error).toBe('TIMEOUT');
      expect(fresh.ms).toBeGreaterThanOrEqual(390);
      // only the directed link n1 -> n2 is cut
      expect((await viaPeer('n2', 'n1')).body).toBe('I am n1');
      expect((await viaPeer('n3', 'n2')).body).toBe('I am n2');
      expect((await viaClient('n2')).body).toBe('I am n2');
      expect(net!.faults().partition).toMatchObject({ mode: 'drop', grudge: { n2: ['n1'] }, links: [`${prefix}n1_to_n2`] });
      await net!.heal();
      expect((await viaPeer('n1', 'n2')).body).toBe('I am n2');
      expect(net!.faults().partition).toBeNull();
      const types = events.map((e) => e.type);
      expect(types).toEqual(['create', 'partition', 'heal']);
      expect(events[1]!.changes.map((c) => c.action)).toEqual(['add-toxic', 'add-toxic']);
    } finally {
      agent.destroy();
    }
  });

  it('reject: a request over a cut link fails fast; open connections are closed; heal restores', async () => {
    const open = exchange(net!.peerEndpoint('n3', 'n1').port, null, 1, 3000);
    await new Promise((r) => setTimeout(r, 50));
    await net!.partition({ n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] }, 'reject');
    const closed = await open;
    expect(['closed', 'error']).toContain(closed.outcome);
    const r = await viaPeer('n2', 'n1', 2000);
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(r.error);
    expect(r.ms).toBeLessThan(1000); // fails fast: a drop would hang until the 2 s client timeout
    const back = await viaPeer('n1', 'n3', 2000);
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(back.error);
    expect((await viaPeer('n2', 'n3')).body).toBe('I am n3');
    await net!.heal();
    expect((await viaPeer('n2', 'n1')).body).toBe('I am n1');
    expect((await viaPeer('n1', 'n3')).body).toBe('I am n3');
  });

  it('delay: a request over a cut link is held, not lost, and delivered with its answer at the heal', async () => {
    // a node that notes when each request reaches it
    const arrivals: number[] = [];
    const recorder = http.createServer((_req, res) => (arrivals.push(performance.now()), res.end('I am b')));
    await new Promise<void>((r) => recorder.listen(0, '127.0.0.1', r));
    const port = (recorder.address() as { port: number }).port;
    const own = await createNetwork({
      toxiproxyUrl: url,
      prefix: `${prefix}d`,
      nodes: [
        { id: 'a', upstream: { host: '127.0.0.1', port: servers.n1!.port } },
        { id: 'b', upstream: { host: '127.0.0.1', port } },
      ],
    });
    try {
      await own.partition({ b: ['a'] }, 'delay');
      expect(own.faults().partition).toMatchObject({ mode: 'delay', links: [`${prefix}da_to_b`] });
      const held = httpGet(own.peerEndpoint('a', 'b').port, '/', 10_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(arrivals).toEqual([]); // held: b has not seen it
      const healedAt = performance.now();
      await own.heal();
      const answer = await held;
      expect(answer.body).toBe('I am b'); // delivered, and its answer came back
      expect(arrivals).toHaveLength(1);
      expect(arrivals[0]!).toBeGreaterThanOrEqual(healedAt);
      expect(answer.ms).toBeGreaterThanOrEqual(490);
      expect((await httpGet(own.peerEndpoint('a', 'b').port, '/', 2000)).body).toBe('I am b');
    } finally {
      await own.destroy();
      await new Promise((r) => recorder.close(r));
    }
  });

  it('a new partition replaces the old one: links it does not cut are healed', async () => {
    await net!.partition({ n1: ['n2'] }, 'drop');
    await net!.partition({ n3: ['n2'] }, 'reject');
    expect((await viaPeer('n2', 'n1')).body).toBe('I am n1');
    const r = await viaPeer('n2', 'n3');
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(r.error);
    expect(net!.faults().partition?.links).toEqual([`${prefix}n2_to_n3`]);
    await net!.partition({}, 'drop');
    expect((await viaPeer('n2', 'n3')).body).toBe('I am n3');
    expect(net!.faults().partition).toBeNull();
  });

  it('a grudge can cut a client link', async () => {
    await net!.partition({ [CLIENT]: ['n1'] }, 'drop');
    expect((await viaClient('n1', 300)).error).toBe('TIMEOUT');
    expect((await viaPeer('n2', 'n1')).body).toBe('I am n1');
  });

  it('latency on chosen links is measurable; clearToxics removes it', async () => {
    await net!.latency({ peers: [['n1', 'n2']] }, { latency: 100 });
    const slow = await viaPeer('n1', 'n2');
    expect(slow.body).toBe('I am n2');
    expect(slow.ms).toBeGreaterThanOrEqual(190); // 100 ms each way
    expect(await fastest('n2', 'n1')).toBeLessThan(100);
    expect(net!.faults().toxics).toEqual({ [`${prefix}n1_to_n2`]: ['latency'] });
    await net!.latency({ peers: [['n1', 'n2']] }, { latency: 20, stream: 'downstream' }); // replaces
    await net!.clearToxics();
    expect(await fastest('n1', 'n2')).toBeLessThan(100);
    expect(net!.faults().toxics).toEqual({});
    expect(events.map((e) => e.type)).toEqual(['create', 'toxic', 'toxic', 'clear-toxics']);
  });

  it('tagged toxics of one kind add up on a link, and clearing one tag leaves the other', async () => {
    await net!.latency({ peers: [['n1', 'n2']] }, { latency: 60, stream: 'upstream', tag: 'a' });
    await net!.latency('peers', { latency: 60, stream: 'upstream', tag: 'b' });
    expect((await viaPeer('n1', 'n2')).ms).toBeGreaterThanOrEqual(115); // 60 + 60 one way
    expect(net!.faults().toxics[`${prefix}n1_to_n2`]).toEqual(['latency']);
    await net!.clearToxics('peers', 'b');
    expect((await viaPeer('n1', 'n2')).ms).toBeGreaterThanOrEqual(55); // a is still there
    expect(await fastest('n1', 'n2')).toBeLessThan(115); // b is not
    expect(await fastest('n2', 'n1')).toBeLessThan(55); // b was its only toxic
    expect(Object.keys(net!.faults().toxics)).toEqual([`${prefix}n1_to_n2`]);
    await net!.clearToxics('all', 'a');
    expect(net!.faults().toxics).toEqual({});
    await expect(net!.latency('peers', { latency: 1, tag: 'no spaces' })).rejects.toThrow(/tag must be letters, digits/);
  });

  it('selections: peers, clients, touching', () => {
    expect(net!.select('peers')).toHaveLength(6);
    expect(net!.select('clients').map((l) => l.to)).toEqual(nodes);
    expect(net!.select({ touching: ['n1'] }).map((l) => `${l.from}>${l.to}`).sort()).toEqual(
      ['client>n1', 'n1>n2', 'n1>n3', 'n2>n1', 'n3>n1'].sort(),
    );
    expect(net!.select({ clients: ['n2'], peers: [['n3', 'n1']] })).toHaveLength(2);
    expect(() => net!.select({ touching: ['n9'] })).toThrow(/unknown node "n9"/);
  });

  it('reset_peer, bandwidth and slicer act on the chosen links', async () => {
    await net!.resetPeer({ clients: ['n1'] }, { timeout: 0, stream: 'downstream' });
    const reset = await viaClient('n1');
    expect(reset.error).toBe('ECONNRESET');
    await net!.bandwidth({ clients: ['n2'] }, { rate: 50, stream: 'downstream' });
    const big = await httpGet(net!.clientEndpoint('n2').port, '/big?n=25000', 5000);
    expect(big.body?.length).toBe(25_000);
    expect(big.ms).toBeGreaterThanOrEqual(400);
    await net!.slicer({ clients: ['n3'] }, { averageSize: 16, sizeVariation: 8, delay: 10 });
    const sliced = await httpGet(net!.clientEndpoint('n3').port, '/big?n=5000', 5000);
    expect(sliced.body).toBe('x'.repeat(5000));
  });

  it('bad input is refused with the name of what is wrong', async () => {
    await expect(net!.partition({ n1: ['n7'] }, 'drop')).rejects.toThrow(/unknown node "n7"/);
    await expect(net!.partition({ n1: ['n1'] }, 'drop')).rejects.toThrow(/itself/);
    await expect(net!.latency('all', { latency: -5 })).rejects.toThrow(/latency must be a non-negative number/);
    expect(() => net!.peerEndpoint('n1', 'n1')).toThrow(/itself/);
  });

  it('destroy deletes every proxy it made and is safe to call twice', async () => {
    const made = net!.links.map((l) => l.proxy);
    await net!.destroy();
    await net!.destroy();
    const all = await new Toxiproxy(url).getAll();
    for (const name of made) expect(all[name]).toBeUndefined();
    const gone = await exchange(net!.links[0]!.endpoint.port, 'x', 1, 1000);
    expect(gone.code).toBe('ECONNREFUSED');
    await expect(net!.heal()).rejects.toThrow(/destroyed/);
    expect(events.at(-1)).toMatchObject({ type: 'destroy' });
    expect(events.at(-1)!.changes).toHaveLength(made.length);
  });

  it('replaces leftover proxies of the same names, and removeProxies clears a prefix', async () => {
    const again = await createNetwork({
      toxiproxyUrl: url,
      prefix,
      nodes: nodes.map((id) => ({ id, upstream: { host: '127.0.0.1', port: servers[id]!.port } })),
    });
    try {
      expect((await httpGet(again.clientEndpoint('n1').port, '/', 2000)).body).toBe('I am n1');
    } finally {
      const removed = await removeProxies(url, prefix);
      expect(removed).toHaveLength(9);
    }
    const all = await new Toxiproxy(url).getAll();
    expect(Object.keys(all).filter((n) => n.startsWith(prefix))).toEqual([]);
  });
});
