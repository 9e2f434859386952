import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPeers, loadDescriptor, nodeIds } from '../../harness/descriptor.js';
import { ConfigError, STORE_BUGS, parsePeers } from './config.js';
import { WriteAcks } from './acks.js';
import { Liveness, compareIds } from './liveness.js';
import { firstAnswers, firstWithValue, newestAnswer } from './quorum.js';
import { StoreState, payloadEntries } from './state.js';
import { compareVersions, isVersion } from './version.js';

describe('versions', () => {
  it('order by term, then counter, numerically', () => {
    expect(compareVersions('2.1', '1.9')).toBeGreaterThan(0);
    expect(compareVersions('1.10', '1.9')).toBeGreaterThan(0);
    expect(compareVersions('3.4', '3.4')).toBe(0);
    expect(compareVersions(null, '0.1')).toBeLessThan(0);
    expect(compareVersions('0.1', undefined)).toBeGreaterThan(0);
    expect(isVersion('1.2')).toBe(true);
    expect(isVersion('1.2.3')).toBe(false);
    expect(isVersion(12)).toBe(false);
  });
});

describe('PEERS', () => {
  it('takes the course base URLs and id=url items', () => {
    expect(parsePeers('http://node2:4000,http://node3:4000/')).toEqual([{ url: 'http://node2:4000' }, { url: 'http://node3:4000' }]);
    expect(parsePeers('node-2=http://127.0.0.1:7002, node-3=127.0.0.1:7003')).toEqual([
      { id: 'node-2', url: 'http://127.0.0.1:7002' },
      { id: 'node-3', url: 'http://127.0.0.1:7003' },
    ]);
    expect(parsePeers('node-1=http://a:1,node-2=http://b:2', 'node-1')).toEqual([{ id: 'node-2', url: 'http://b:2' }]);
    expect(parsePeers('')).toEqual([]);
  });

  it('names the bad item', () => {
    expect(() => parsePeers('http://a:1,http://a:1')).toThrow(/appears twice/);
    expect(() => parsePeers('n 2=http://a:1')).toThrow(ConfigError);
    expect(() => parsePeers('https://a:1')).toThrow(/http:\/\//);
    expect(() => parsePeers('x=http://[::1')).toThrow(/not a URL/);
  });
});

describe('liveness and the lowest-id election', () => {
  it('compares ids naturally', () => {
    expect(['node-10', 'node-2', 'node-1'].sort(compareIds)).toEqual(['node-1', 'node-2', 'node-10']);
  });

  it('gives configured peers the election timeout after start, then needs contact', () => {
    const l = new Liveness('node-2', 3, 1000, 500, ['node-1', 'node-3'], 0);
    expect(l.lowestLive(500)).toBe('node-1');
    expect(l.hasMajority(500)).toBe(false);
    l.reached('node-3', 600, 600);
    expect(l.hasMajority(700)).toBe(true);
    // a leader needs an answer within the reach window: it steps down before the others elect
    expect(l.hasMajority(1200)).toBe(false);
    expect(l.isLive('node-3', 1200)).toBe(true);
    expect(l.lowestLive(1200)).toBe('node-2');
    expect(l.isLive('node-3', 1500)).toBe(true);
    expect(l.isLive('node-3', 1600)).toBe(false);
    expect(l.hasMajority(1600)).toBe(false);
  });

  it('counts a follower report as hearing its leader, not as contact', () => {
    const l = new Liveness('node-2', 3, 1000, 500, ['node-1', 'node-3'], 0);
    l.reported('node-1', 1800);
    expect(l.lowestLive(2000)).toBe('node-1');
    expect(l.reachable(2000)).toBe(1);
  });

  it('dates reach from when the request was sent', () => {
    const l = new Liveness('node-1', 3, 1000, 500, ['node-2', 'node-3'], 0);
    // sent at 100, answered at 2000 (this node was paused): heard now, but no reach now
    l.reached('node-2', 100, 2000);
    expect(l.isLive('node-2', 2000)).toBe(true);
    expect(l.hasMajority(2000)).toBe(false);
    expect(l.hasMajority(550)).toBe(true);
  });

  it('counts only answered requests as reach: a node that can receive but not send cannot lead', () => {
    const l = new Liveness('node-1', 3, 1000, 500, ['node-2', 'node-3'], 0);
    l.heardFrom('node-2', 100);
    l.heardFrom('node-3', 100);
    expect(l.lowestLive(200)).toBe('node-1');
    expect(l.hasMajority(200)).toBe(false);
    expect(l.lastDirect('node-2')).toBe(100);
  });
});

describe('the map', () => {
  it('keeps tombstones and merges by version', () => {
    const s = new StoreState();
    s.term = 1;
    const v1 = s.put('a', 1);
    s.delete('a', true);
    const p = s.payload(true);
    expect(p.data).toEqual({});
    expect(Object.keys(p.tombstones)).toEqual(['a']);
    const f = new StoreState();
    f.merge(new Map([['a', { value: 1, version: v1 }]]), v1);
    f.merge(payloadEntries(p), p.revision);
    expect(f.get('a')?.deleted).toBe(true);
    // an older write does not win over the tombstone
    f.merge(new Map([['a', { value: 1, version: v1 }]]), v1);
    expect(f.liveKeys()).toEqual([]);
    expect(f.counter).toBe(2);
  });
});

describe('system.yaml', () => {
  const d = loadDescriptor(join(import.meta.dirname, 'system.yaml'));

  it('is a valid descriptor naming every bug the node knows', () => {
    expect(d.name).toBe('store');
    expect(d.api).toBe('store');
    expect(nodeIds(d, 3)).toEqual(['node-1', 'node-2', 'node-3']);
    expect(d.bugs.map((b) => b.name).sort()).toEqual([...STORE_BUGS].sort());
    expect(d.status).toMatchObject({ path: '/status', role: 'role', term: 'term', leader: 'leaderId', leaderRole: 'leader' });
  });

  it('writes peers the node parses back with their ids', () => {
    const raw = formatPeers(d, [
      { id: 'node-2', host: '127.0.0.1', port: 7002 },
      { id: 'node-3', host: 'node3', port: 4000 },
    ]);
    expect(parsePeers(raw)).toEqual([
      { id: 'node-2', url: 'http://127.0.0.1:7002' },
      { id: 'node-3', url: 'http://node3:4000' },
    ]);
  });
});

describe('write acks', () => {
  it('releases a write once W-1 peers confirmed a revision that holds it', async () => {
    const acks = new WriteAcks(2);
    const w = acks.wait('2.5', 1, 5000);
    acks.settle('a', '2.4'); // an older map does not count
    acks.settle('b', '2.6');
    expect(await w).toBe(1);
  });

  it('releases early when every peer answered or failed, and at the deadline', async () => {
    const acks = new WriteAcks(2);
    const w = acks.wait('1.1', 2, 5000);
    acks.settle('a', '1.1');
    acks.settle('b', undefined);
    expect(await w).toBe(1);
    const started = Date.now();
    expect(await acks.wait('1.2', 1, 50)).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(await new WriteAcks(0).wait('1.3', 1, 5000)).toBe(0);
  });
});

describe('quorum reads', () => {
  const later = <T>(ms: number, v: T) => () => new Promise<T>((r) => setTimeout(() => r(v), ms));
  const failing = () => Promise.reject(new Error('down'));

  it('takes the first answers in arrival order, skipping failures', async () => {
    expect(await firstAnswers([later(30, 'slow'), failing, later(5, 'fast')], 1, 1000)).toEqual(['fast']);
    expect(await firstAnswers([later(30, 'slow'), failing, later(5, 'fast')], 2, 1000)).toEqual(['fast', 'slow']);
    expect(await firstAnswers([failing, failing], 1, 1000)).toEqual([]);
    expect(await firstAnswers([later(500, 'late')], 1, 20)).toEqual([]);
  });

  it('picks the newest version, or (const-version) the first value', () => {
    const answers = [
      { value: 'old', version: '1.3', deleted: false },
      { value: null, version: '2.1', deleted: true },
      { value: 'older', version: '1.1', deleted: false },
    ];
    expect(newestAnswer(answers)?.version).toBe('2.1');
    expect(firstWithValue(answers)?.value).toBe('old');
    expect(firstWithValue([{ value: null, version: null, deleted: false }])).toBeUndefined();
  });
});
