import { mkdtempSync, rmSync, writeFileSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDescriptor, formatPeers, nodeIds, projectRoot } from '../../harness/descriptor.js';
import { HttpError } from '../common/http.js';
import { ConfigError, loadConfig, parsePeers, RAFT_BUGS } from './config.js';
import { RaftLog } from './log.js';
import { parseAppendEntries, parseRequestVote } from './messages.js';
import { DurableStorage, replayLog } from './persistence.js';
import { parseCommand } from './state-machine.js';

describe('raft descriptor', () => {
  const d = loadDescriptor(join(projectRoot, 'systems', 'raft', 'system.yaml'));

  it('validates and says how to start and watch a node', () => {
    expect(d.name).toBe('raft');
    expect(d.api).toBe('raft');
    expect(d.nodes).toMatchObject({ default: 3, max: 7, idFormat: 'node{n}' });
    expect(d.env).toMatchObject({ id: 'NODE_ID', port: 'PORT', peers: 'PEER_IDS', dataDir: 'DATA_DIR', bugs: 'BUGS', advertise: 'ADVERTISE_URL' });
    expect(d.status).toMatchObject({ path: '/debug', role: 'state', term: 'term', leader: 'leaderId', leaderRole: 'leader' });
    expect(d.settings).toMatchObject({ ELECTION_TIMEOUT_MIN_MS: '150', ELECTION_TIMEOUT_MAX_MS: '300', HEARTBEAT_MS: '50' });
  });

  it('lists exactly the bugs the node knows', () => {
    expect(d.bugs.map((b) => b.name).sort()).toEqual([...RAFT_BUGS].sort());
    for (const b of d.bugs) expect(b.description.length).toBeGreaterThan(20);
  });

  it('formats peers in a form the node parses back', () => {
    const ids = nodeIds(d, 3);
    const spec = formatPeers(d, ids.slice(1).map((id, i) => ({ id, host: '127.0.0.1', port: 9000 + i })));
    expect(parsePeers(spec, 'node1')).toEqual([
      { id: 'node2', url: 'http://127.0.0.1:9000' },
      { id: 'node3', url: 'http://127.0.0.1:9001' },
    ]);
  });
});

describe('parsePeers', () => {
  it('takes the course form, where the host is the id', () => {
    expect(parsePeers('node2:3000,node3:3000')).toEqual([
      { id: 'node2', url: 'http://node2:3000' },
      { id: 'node3', url: 'http://node3:3000' },
    ]);
  });
  it('takes id=host:port and id=http://host:port, skipping itself', () => {
    expect(parsePeers(' node1=127.0.0.1:1 , node2=http://10.0.0.2:3000', 'node1')).toEqual([{ id: 'node2', url: 'http://10.0.0.2:3000' }]);
  });
  it('refuses items without a port, empty ids and duplicates', () => {
    expect(() => parsePeers('node2')).toThrow(ConfigError);
    expect(() => parsePeers('=h:1')).toThrow(/empty id/);
    expect(() => parsePeers('a=h:1,a=h:2')).toThrow(/twice/);
  });
});

describe('loadConfig', () => {
  const keys = ['NODE_ID', 'PORT', 'PEER_IDS', 'BUGS', 'PRE_VOTE', 'HOST', 'ADVERTISE_URL'];
  function withEnv<T>(env: Record<string, string>, f: () => T): T {
    const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
    for (const k of keys) delete process.env[k];
    Object.assign(process.env, env);
    try {
      return f();
    } finally {
      for (const k of keys) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  }

  it('has the course defaults', () => {
    const c = withEnv({}, loadConfig);
    expect(c).toMatchObject({ nodeId: 'node1', port: 3000, host: '127.0.0.1', electionTimeoutMinMs: 150, electionTimeoutMaxMs: 300, heartbeatMs: 50, preVote: true, dataDir: 'data/raft/node1' });
    expect(c.advertiseUrl).toBe('http://127.0.0.1:3000');
  });

  it('advertises the node id on a wildcard host; late-votes brings the course elections (no pre-vote) unless PRE_VOTE says', () => {
    expect(withEnv({ HOST: '0.0.0.0', NODE_ID: 'node2' }, loadConfig).advertiseUrl).toBe('http://node2:3000');
    expect(withEnv({ BUGS: 'late-votes' }, loadConfig).preVote).toBe(false);
    expect(withEnv({ BUGS: 'late-votes', PRE_VOTE: '1' }, loadConfig).preVote).toBe(true);
    expect(withEnv({ PRE_VOTE: '0' }, loadConfig).preVote).toBe(false);
  });
});

describe('RPC validation', () => {
  it('accepts the course request-vote and refuses wrong types with a 400', () => {
    expect(parseRequestVote({ term: 2, candidateId: 'node2', lastLogIndex: 0, lastLogTerm: 0 })).toEqual({ term: 2, candidateId: 'node2', lastLogIndex: 0, lastLogTerm: 0 });
    expect(parseRequestVote({ term: 2, candidateId: 'node2', lastLogIndex: 0, lastLogTerm: 0, preVote: true }).preVote).toBe(true);
    for (const bad of [null, [], 'x', { term: -1, candidateId: 'a', lastLogIndex: 0, lastLogTerm: 0 }, { term: 1, candidateId: 3, lastLogIndex: 0, lastLogTerm: 0 }]) {
      expect(() => parseRequestVote(bad)).toThrow(HttpError);
    }
  });
  it('checks append-entries entries: consecutive indexes, string commands, terms not above the leader', () => {
    const ok = { term: 2, leaderId: 'n2', prevLogIndex: 3, prevLogTerm: 1, leaderCommit: 3, entries: [{ index: 4, term: 2, command: '{}' }] };
    expect(parseAppendEntries(ok).entries).toEqual([{ index: 4, term: 2, command: '{}' }]);
    expect(() => parseAppendEntries({ ...ok, entries: [{ index: 5, term: 2, command: '{}' }] })).toThrow(/index must be 4/);
    expect(() => parseAppendEntries({ ...ok, entries: [{ index: 4, term: 3, command: '{}' }] })).toThrow(/above/);
    expect(() => parseAppendEntries({ ...ok, entries: [{ index: 4, term: 2, command: {} }] })).toThrow(/command/);
    expect(() => parseAppendEntries({ ...ok, entries: 'x' })).toThrow(/array/);
  });
  it('treats an unreadable command as a no-op', () => {
    expect(parseCommand('not json')).toEqual({ type: 'NOOP' });
    expect(parseCommand('{"type":"SET","key":"a","value":[1]}')).toEqual({ type: 'SET', key: 'a', value: [1] });
  });
});

describe('log and persistence', () => {
  it('finds the first index of a term for conflict hints', () => {
    const log = new RaftLog([1, 1, 2, 2, 2].map((term, i) => ({ index: i + 1, term, command: '' })));
    expect(log.firstIndexOfTerm(2, 5)).toBe(3);
    expect(log.firstIndexOfTerm(1, 2)).toBe(1);
    expect(log.lastTerm).toBe(2);
    expect(log.termAt(0)).toBe(0);
    expect(log.termAt(6)).toBeUndefined();
  });

  it('replays truncations: a record at or below the end replaces the suffix', () => {
    const e = (index: number, term: number) => ({ index, term, command: `${index}/${term}` });
    const { entries, clean } = replayLog([e(1, 1), e(2, 1), e(3, 1), e(2, 2)]);
    expect(entries).toEqual([e(1, 1), e(2, 2)]);
    expect(clean).toBe(false);
    expect(replayLog([e(1, 1), e(3, 1)]).entries).toEqual([e(1, 1)]);
  });

  it('keeps term, vote and log across reopen, and survives a torn last line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'raft-store-'));
    try {
      const s1 = new DurableStorage(dir);
      expect(s1.load()).toEqual({ term: 0, votedFor: null, entries: [] });
      s1.saveMeta(3, 'node2');
      s1.appendEntries([{ index: 1, term: 1, command: 'a' }, { index: 2, term: 1, command: 'b' }]);
      s1.appendEntries([{ index: 2, term: 3, command: 'c' }]);
      s1.close();
      appendFileSync(join(dir, 'log.jsonl'), '{"index":3,"te');
      const s2 = new DurableStorage(dir);
      expect(s2.load()).toEqual({ term: 3, votedFor: 'node2', entries: [{ index: 1, term: 1, command: 'a' }, { index: 2, term: 3, command: 'c' }] });
      // compacted on load, so a new append starts on a fresh line
      expect(readFileSync(join(dir, 'log.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
      s2.appendEntries([{ index: 3, term: 3, command: 'd' }]);
      s2.close();
      const s3 = new DurableStorage(dir);
      expect(s3.load().entries.map((x) => x.command)).toEqual(['a', 'c', 'd']);
      s3.close();
      writeFileSync(join(dir, 'meta.json'), '{"term":"x"}');
      const s4 = new DurableStorage(dir);
      expect(s4.load().term).toBe(0);
      s4.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
