import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../descriptor.js';
import { readRunHistory } from '../../core/history.js';
import { killAll, pidAlive } from './testing.js';
import { historyProblems } from './validate.js';

const cli = join(projectRoot, 'bin', 'faultline.js');
const campaign = join(projectRoot, 'harness', 'run', 'fixtures', 'raft-halves-kills.yaml');
const out = mkdtempSync(join(tmpdir(), 'faultline-raft-'));
const stateDir = join(out, 'state');
const leftover: number[] = [];
afterAll(() => {
  killAll(leftover);
  rmSync(out, { recursive: true, force: true });
});

/** Node pids as the pid file recorded them are gone with the run; the logs name them instead. */
function nodePidsFromLogs(dir: string): number[] {
  const pids: number[] = [];
  for (const id of ['node1', 'node2', 'node3']) {
    const file = join(dir, 'logs', `${id}.log`);
    if (!existsSync(file)) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/\] [^ ]+ started [^ ]+ \(pid (\d+)\)/g)) pids.push(Number(m[1]));
  }
  return pids;
}

describe('faultline run against the Raft system (process runtime)', () => {
  it.skipIf(!existsSync(join(projectRoot, 'dist', 'systems', 'raft', 'main.js')))(
    'runs halves partitions and kills end to end; the history is valid JSONL with nemesis ops',
    async () => {
      const child = spawn(process.execPath, [cli, 'run', campaign, '--out', out], {
        env: { ...process.env, FAULTLINE_STATE_DIR: stateDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(existsSync(join(out, 'latest')), `${stdout}\n${stderr}`).toBe(true);
      const dir = realpathSync(join(out, 'latest'));
      leftover.push(...nodePidsFromLogs(dir));

      expect([0, 1], `${stdout}\n${stderr}`).toContain(code);
      const lines = readFileSync(join(dir, 'history.jsonl'), 'utf8').split('\n').filter(Boolean);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      const history = readRunHistory(join(dir, 'history.jsonl'));
      expect(historyProblems(history)).toEqual([]);
      const nemesis = history.filter((o) => o.process === 'nemesis' && o.type === 'info');
      const fs = nemesis.map((o) => o.f);
      expect(fs).toContain('start-partition');
      expect(fs).toContain('stop-partition');
      expect(fs).toContain('kill');
      expect(fs).toContain('restart');
      expect(nemesis.filter((o) => o.f === 'start-partition').every((o) => (o.value as { shape: string }).shape === 'halves')).toBe(true);
      expect(history.filter((o) => o.process === 'monitor' && (o.value as { role?: string })?.role === 'leader').length).toBeGreaterThan(0);
      expect(history.filter((o) => typeof o.process === 'number' && o.type === 'ok').length).toBeGreaterThan(50);

      const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
      expect(results).toMatchObject({ campaign: 'raft-halves-kills', system: 'raft', seed: 7 });
      expect(results.results.map((r: { checker: string }) => r.checker)).toEqual(['linearizable', 'invariants']);
      // The correct Raft stays linearizable and has one leader per term through all of it.
      expect(results.valid, stdout).toBe(true);
      expect(code).toBe(0);
      expect(stdout).toMatch(/replay: npx faultline run .*raft-halves-kills\.yaml --seed 7 --out /);

      // faultline check <run folder> re-checks it from its files alone, to the same verdict.
      const recheck = spawnSync(process.execPath, [cli, 'check', dir], { encoding: 'utf8', timeout: 60_000 });
      expect(recheck.status, recheck.stderr).toBe(0);
      expect(recheck.stdout).toMatch(/linearizable\s+valid/);
      expect(recheck.stdout).toContain('verdict: valid');

      const pids = nodePidsFromLogs(dir);
      expect(pids.length).toBeGreaterThanOrEqual(4); // 3 nodes + at least one restart
      for (const pid of pids) expect(pidAlive(pid)).toBe(false);
    },
    60_000,
  );
});
