import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkers } from '../../checkers/index.js';
import { NO_DIGEST } from '../../checkers/agreement/index.js';
import type { Op } from '../../core/op.js';
import { loadCampaign } from '../campaign/load.js';
import { loadDescriptor, projectRoot, type SystemDescriptor } from '../descriptor.js';
import { readRunHistory } from '../../core/history.js';
import { collectDigests } from './digests.js';
import type { NewOp } from './history.js';
import { createProgress } from './progress.js';
import { runCampaign } from './run.js';
import { killAll, startedNodes } from './testing.js';

const fixtures = join(projectRoot, 'harness', 'run', 'fixtures');
const fake = loadDescriptor(join(fixtures, 'fake-system.yaml'));
const servers: Server[] = [];
const out = mkdtempSync(join(tmpdir(), 'faultline-digests-'));
const started: number[] = [];
afterAll(async () => {
  killAll(started);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(out, { recursive: true, force: true });
});

/** A node answering GET /committed with whatever `answer()` gives, counting the requests. */
async function node(answer: (request: number) => unknown): Promise<{ host: string; port: number }> {
  let n = 0;
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer(n++)));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return { host: '127.0.0.1', port: addr.port };
}

async function collect(system: SystemDescriptor, answers: Record<string, (request: number) => unknown>, timeoutMs = 2000): Promise<NewOp[]> {
  const addresses = new Map<string, { host: string; port: number }>();
  for (const [id, answer] of Object.entries(answers)) addresses.set(id, await node(answer));
  const recorded: NewOp[] = [];
  await collectDigests({ system, nodes: [...addresses.keys()], runtime: { address: (id) => addresses.get(id)! }, history: { record: (op) => (recorded.push(op), { ...op, index: recorded.length - 1, time: 0 }) }, timeoutMs, roundMs: 20 });
  return recorded;
}

describe('collectDigests', () => {
  it('asks again while a node lags, and records the round where the digests agree', async () => {
    const store: SystemDescriptor = { ...fake, digest: { path: '/committed', kind: 'map', field: 'map' } };
    const ops = await collect(store, {
      a: () => ({ map: { k1: { value: 1, version: '1.1' }, k2: { value: 2, version: '1.2' } } }),
      b: (n) => ({ map: n < 3 ? { k1: { value: 1, version: '1.1' } } : { k1: { value: 1, version: '1.1' }, k2: { value: 2, version: '1.2' } } }),
    });
    expect(ops).toEqual([
      { process: 'monitor', type: 'info', f: 'digest', node: 'a', value: { kind: 'map', entries: { k1: { value: 1, version: '1.1' }, k2: { value: 2, version: '1.2' } } } },
      { process: 'monitor', type: 'info', f: 'digest', node: 'b', value: { kind: 'map', entries: { k1: { value: 1, version: '1.1' }, k2: { value: 2, version: '1.2' } } } },
    ]);
  });

  it('records the last round when the digests never agree, and an error for a digest of the wrong shape', async () => {
    const ops = await collect(fake, { n1: () => ({ log: [1, 2] }), n2: () => ({ log: [1, 3] }), n3: () => ({ log: { not: 'a list' } }) }, 300);
    expect(ops.map((o) => o.value ?? o.error)).toEqual([{ kind: 'log', entries: [1, 2] }, { kind: 'log', entries: [1, 3] }, 'field "log" of GET /committed is not an array']);
  });

  it('a system with several digests: each is asked until all agree, and each op names its digest', async () => {
    const raft: SystemDescriptor = { ...fake, digest: [{ path: '/committed', kind: 'log', field: 'log' }, { path: '/debug', kind: 'map', field: 'stateMachine' }] };
    // one server answers both paths with both fields; b's state machine catches up on its 3rd answer
    const ops = await collect(raft, {
      a: () => ({ log: [1, 2], stateMachine: { k: 2 } }),
      b: (n) => ({ log: [1, 2], stateMachine: n < 4 ? { k: 1 } : { k: 2 } }),
    });
    expect(ops.map((o) => [o.node, o.value])).toEqual([
      ['a', { kind: 'log', entries: [1, 2], of: 'log' }],
      ['b', { kind: 'log', entries: [1, 2], of: 'log' }],
      ['a', { kind: 'map', entries: { k: 2 }, of: 'stateMachine' }],
      ['b', { kind: 'map', entries: { k: 2 }, of: 'stateMachine' }],
    ]);
  });

  it('a descriptor listing two digests of one name is refused, naming the field', () => {
    const file = join(out, 'two-logs.yaml');
    const raw = readFileSync(join(fixtures, 'fake-system.yaml'), 'utf8').replace(/^digest:[\s\S]*?(?=^\S)/m, '');
    writeFileSync(file, `${raw}\ndigest:\n  - {path: /committed, kind: log, field: log}\n  - {path: /other, kind: log, field: log}\n`);
    expect(() => loadDescriptor(file)).toThrow(/digest: two digests of one name/);
  });

  it('a system without a digest gets one op per node saying so', async () => {
    const { digest: _none, ...system } = fake;
    const ops = await collect(system, { n1: () => ({}), n2: () => ({}) });
    expect(ops).toEqual(['n1', 'n2'].map((node) => ({ process: 'monitor', type: 'info', f: 'digest', node, error: NO_DIGEST })));
  });
});

describe('agreement at the end of a run (fake system)', () => {
  async function run(diverge: string | undefined): Promise<{ valid: unknown; explanations: string[]; digests: Op[] }> {
    const campaign = await loadCampaign(join(fixtures, 'fake.yaml'), {
      registries: { workloads: {}, checkers },
      sets: ['checkers=[agreement]', 'time_limit=1s', 'nemesis.faults=[{type: partition, shapes: [halves]}]', ...(diverge ? [`settings.env.FAKE_DIVERGE=${diverge}`] : [])],
    });
    const outcome = await runCampaign({ campaign, runtime: 'process', outDir: out, replay: 'test', checkers, progress: createProgress(process.stderr, { quiet: true }) });
    started.push(...startedNodes(outcome.dir).map((n) => n.pid));
    const history = readRunHistory(join(outcome.dir, 'history.jsonl'));
    const agreement = outcome.results.results.find((r) => r.checker === 'agreement')!;
    return { valid: agreement.valid, explanations: agreement.anomalies.map((a) => a.explanation), digests: history.filter((o) => o.f === 'digest') };
  }

  it('a node whose committed log differs from index 5 on is named, with the index, though no client op shows it', async () => {
    const bad = await run('n3:5');
    expect(bad.valid).toBe(false);
    expect(bad.explanations).toEqual([
      'n1 and n3 disagree on their committed state at index 5: n1 has [2,"c5"], n3 has [7,"other5"].',
      'n2 and n3 disagree on their committed state at index 5: n2 has [2,"c5"], n3 has [7,"other5"].',
    ]);
    // After the final phase: every client op comes before the digests.
    expect(bad.digests.map((o) => o.node).sort()).toEqual(['n1', 'n2', 'n3']);
    const good = await run(undefined);
    expect(good.valid).toBe(true);
  });
});
