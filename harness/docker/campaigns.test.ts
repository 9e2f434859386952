/**
 * A short campaign per system on the docker runtime, each with a partition (for the single-node
 * queue and chat: their client links cut) and a kill, run through `faultline run --runtime docker`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunHistory } from '../../core/history.js';
import { historyProblems } from '../run/validate.js';
import { dockerSkipReason, fixture, leftoversOf, readResults, removeRunsOfPid, runCli } from './testing.js';

const why = await dockerSkipReason();
const out = mkdtempSync(join(tmpdir(), 'faultline-docker-campaigns-'));
const pids: number[] = [];

describe.skipIf(why !== undefined)(`docker runtime: a campaign per system${why ? ` (skipped: ${why})` : ''}`, () => {
  beforeAll(() => undefined);
  afterAll(async () => {
    for (const pid of pids) await removeRunsOfPid(pid);
    rmSync(out, { recursive: true, force: true });
  });

  const cases: { system: string; cut: string; valid: boolean }[] = [
    { system: 'raft', cut: 'start-partition', valid: true },
    { system: 'store', cut: 'start-partition', valid: false },
    { system: 'queue', cut: 'start-latency', valid: true },
    { system: 'chat', cut: 'start-latency', valid: true },
  ];
  for (const c of cases) {
    it(`${c.system}: a cut and a kill, logs per node, nothing left behind`, async () => {
      const run = await runCli(['run', fixture(`docker-${c.system}.yaml`), '--runtime', 'docker'], {
        out: join(out, c.system),
        env: { FAULTLINE_STATE_DIR: join(out, 'state') },
        onSpawn: (pid) => pids.push(pid),
      });
      const text = `${run.stdout}\n${run.stderr}`;
      expect(run.dir, text).toBeDefined();
      const dir = run.dir!;
      expect([0, 1], text).toContain(run.code);
      const history = readRunHistory(join(dir, 'history.jsonl'));
      expect(historyProblems(history)).toEqual([]);
      const nemesis = history.filter((o) => o.process === 'nemesis' && o.type === 'info').map((o) => o.f);
      expect(nemesis).toContain(c.cut);
      expect(nemesis).toContain('kill');
      expect(nemesis).toContain('restart');
      expect(history.filter((o) => typeof o.process === 'number' && o.type === 'ok').length).toBeGreaterThan(10);
      const results = readResults(dir);
      if (c.valid) {
        expect(results.valid, text).toBe(true);
        expect(run.code).toBe(0);
      }
      // One log per node with its container's start lines (twice for the killed node).
      const logs = readFileSync(join(dir, 'logs', `${c.system === 'store' ? 'node-1' : c.system === 'raft' ? 'node1' : c.system === 'queue' ? 'producer1' : 'chat1'}.log`), 'utf8');
      expect(logs).toMatch(/\[faultline\] \S+ started \S+ \(container [0-9a-f]{12}/);
      expect(text).toContain('(docker runtime)');
      expect(await leftoversOf(results.runId)).toEqual([]);
    }, 90_000);
  }
});
