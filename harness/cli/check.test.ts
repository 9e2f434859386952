import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `faultline check` as users run it: `node bin/faultline.js` on the compiled dist/ (after tsc). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin/faultline.js');
const SHARED = resolve(ROOT, '../shared/histories');

function faultline(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

const line = (o: Record<string, unknown>): string => JSON.stringify(o);
function jsonl(ops: [number | string, string, string, unknown][], key = 'k'): string {
  return ops.map(([process, type, f, value], index) => line({ index, time: index * 1000, process, type, f, key, value })).join('\n') + '\n';
}

let dir = '';
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/harness/cli/check.js'))) throw new Error('dist/ is missing: run `npx tsc -p .` first');
  dir = mkdtempSync(join(tmpdir(), 'faultline-check-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('faultline check', () => {
  let good = '';
  let bad = '';
  let hard = '';
  beforeAll(() => {
    good = file('good.jsonl', jsonl([[0, 'invoke', 'write', 1], [0, 'ok', 'write', 1], ['nemesis', 'info', 'kill', null], [1, 'invoke', 'read', null], [1, 'ok', 'read', 1]]));
    bad = file('bad.jsonl', jsonl([[0, 'invoke', 'write', 1], [0, 'ok', 'write', 1], [1, 'invoke', 'read', null], [1, 'ok', 'read', 2]]));
    // many concurrent writes and a read of a value nobody wrote: an exhaustive search
    const ops: [number, string, string, unknown][] = [];
    for (let p = 0; p < 24; p++) ops.push([p, 'invoke', p === 23 ? 'read' : 'write', p === 23 ? null : p]);
    for (let p = 0; p < 24; p++) ops.push([p, 'ok', p === 23 ? 'read' : 'write', p === 23 ? 99 : p]);
    hard = file('hard.jsonl', jsonl(ops));
  });

  it('exits 0 when every file is linearizable and says so', async () => {
    const r = await faultline('check', good);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/good\.jsonl: linearizable \(register, 2 ops, 1 key/);
  });

  it('exits 1 on a non-linearizable file and prints the witness', async () => {
    const r = await faultline('check', good, bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/bad\.jsonl: NOT linearizable/);
    expect(r.stdout).toMatch(/"read\[k\] -> 2" \(process 1, history index 2\.\.3\) cannot take effect/);
    expect(r.stdout).toMatch(/states possible before it: 1/);
  });

  it('exits 2 on a history in which no operation completed ok: nothing to judge, never "linearizable"', async () => {
    const failed = file('failed.jsonl', jsonl([[0, 'invoke', 'write', 1], [0, 'fail', 'write', 1], [1, 'invoke', 'read', null], [1, 'info', 'read', null], [2, 'invoke', 'write', 2]]));
    const r = await faultline('check', failed);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('failed.jsonl: unknown (register, 2 ops, 0 keys');
    expect(r.stdout).toContain('none of the 2 client operations completed ok (they failed, timed out or never returned): nothing to judge');
    expect((await faultline('check', failed, good)).code).toBe(2);
  });

  it('exits 2 when the time limit runs out, and bad input (3) wins over everything', async () => {
    const r = await faultline('check', '--time-limit', '0.001', hard, good);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/hard\.jsonl: unknown/);
    expect((await faultline('check', '--time-limit', '0.001', hard, bad)).code).toBe(1);
    const broken = file('broken.jsonl', `${line({ index: 0, process: 0, type: 'invoke', f: 'read' })}\n{"index": 1,\n`);
    const worst = await faultline('check', bad, broken, '--time-limit', '0.001', hard);
    expect(worst.code).toBe(3);
    expect(worst.stdout).toMatch(/bad\.jsonl: NOT linearizable/);
  });

  it('--json prints one object per file, per line, with file, valid and the witness', async () => {
    const r = await faultline('check', '--json', good, bad);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ file: good, valid: true, witness: [] });
    expect(lines[1]).toMatchObject({ file: bad, valid: false, model: 'register' });
    const witness = lines[1]!['witness'] as { op: { invokeIndex: number }; statesBefore: string[] }[];
    expect(witness[0]!.op.invokeIndex).toBe(2);
    expect(witness[0]!.statesBefore).toEqual(['1']);
    const unknown = await faultline('check', '--json', '--time-limit', '0.001', hard);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ valid: 'unknown' });
    expect(JSON.parse(unknown.stdout)).toMatchObject({ unknownReason: 'time', budget: { timeLimitMs: 1 } });
    expect(JSON.parse(unknown.stdout).unknownExplanation).toMatch(/the time budget of 1 ms ran out after .* search steps/);
  });

  it('--threads 1 keeps the search on one thread; more may spread it over workers, with the same verdicts; a bad count is refused', async () => {
    const ops: string[] = [];
    let index = 0;
    for (const key of ['a', 'b', 'c']) {
      for (let i = 0; i < 50; i++) {
        ops.push(line({ index: index++, time: 0, process: 0, type: 'invoke', f: 'write', key, value: i }));
        ops.push(line({ index: index++, time: 0, process: 0, type: 'ok', f: 'write', key, value: i }));
        ops.push(line({ index: index++, time: 0, process: 1, type: 'invoke', f: 'read', key, value: null }));
        ops.push(line({ index: index++, time: 0, process: 1, type: 'ok', f: 'read', key, value: key === 'c' && i === 40 ? 7 : i }));
      }
    }
    const keys = file('keys.jsonl', ops.join('\n') + '\n');
    const one = JSON.parse((await faultline('check', '--json', '--threads', '1', keys)).stdout) as Record<string, unknown>;
    const more = JSON.parse((await faultline('check', '--json', '--threads', '4', keys)).stdout) as Record<string, unknown>;
    expect(one).toMatchObject({ valid: false, partitions: 3, threads: 1 });
    expect(more).toMatchObject({ valid: false, partitions: 3 });
    expect(more['witness']).toEqual(one['witness']);
    const zero = await faultline('check', '--threads', '0', keys);
    expect(zero.code).toBe(3);
    expect(zero.stderr).toMatch(/--threads must be a whole number from 1 to 1024, got "0"/);
  });

  it('--memory-limit: past it the verdict is unknown, and the output says the memory budget ran out, with its numbers', async () => {
    const r = await faultline('check', '--memory-limit', '1', hard);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/not decided: the memory budget \(8,192 cache entries or 1.00 MiB per key\) ran out after [\d,]+ search steps, [\d,]+ cache entries, [\d.]+ MiB; try a larger --memory-limit; peak memory of the process \d+ MiB/);
    const json = JSON.parse((await faultline('check', '--json', '--memory-limit', '1', hard)).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ valid: 'unknown', unknownReason: 'memory', budget: { maxCacheEntries: 8192, maxCacheBytes: 1 << 20 } });
    expect(json['peakRssBytes']).toBeGreaterThan(1 << 20);
    const zero = await faultline('check', '--memory-limit', '0', good);
    expect(zero.code).toBe(3);
    expect(zero.stderr).toMatch(/--memory-limit must be a number of MiB, at least 1, got "0"/);
  });

  it('a malformed file is exit 3 with its name and line, never a stack trace', async () => {
    const broken = file('broken2.jsonl', `${line({ index: 0, process: 0, type: 'invoke', f: 'read' })}\nnot json at all\n`);
    const r = await faultline('check', broken);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${broken}:2:`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const edn = file('broken.edn', '[{:process 0 :type :invoke :f :read :value nil}\n {:process 0 :type :ok :f :read :value 1}\n {:process 0 :type :invoke\n');
    const e = await faultline('check', edn);
    expect(e.code).toBe(3);
    expect(e.stderr).toMatch(/broken\.edn:\d+: malformed EDN/);
    const orphan = file('orphan.jsonl', jsonl([[0, 'invoke', 'read', null], [0, 'ok', 'read', null], [1, 'ok', 'read', null]]));
    const o = await faultline('check', '--json', orphan);
    expect(o.code).toBe(3);
    expect(o.stderr).toContain(`${orphan}:3: process 1 completes "read" (ok) without an invoke`);
    expect(JSON.parse(o.stdout)).toMatchObject({ file: orphan, line: 3 });
    const cas = file('cas.jsonl', jsonl([[0, 'invoke', 'write', 1], [0, 'ok', 'write', 1], [1, 'invoke', 'cas', [1, 2]], [1, 'ok', 'cas', [1, 2]]]));
    expect((await faultline('check', cas)).code).toBe(0);
    const wrongModel = await faultline('check', '--model', 'register', cas);
    expect(wrongModel.code).toBe(3);
    expect(wrongModel.stderr).toContain(`${cas}:3: model register has no operation "cas"`);
  });

  it('refuses bad usage with exit 3: unknown model or format, bad time limit, missing file, a folder', async () => {
    for (const args of [
      ['check', '--model', 'queue', good],
      ['check', '--format', 'xml', good],
      ['check', '--time-limit', 'soon', good],
      ['check'],
    ]) {
      const r = await faultline(...args);
      expect(r.code, args.join(' ')).toBe(3);
      expect(r.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
    expect((await faultline('check', '--model', 'queue', good)).stderr).toMatch(/--model must be one of register, cas-register, kv/);
    const missing = await faultline('check', join(dir, 'nope.jsonl'));
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/nope\.jsonl: no such file/);
    const folder = join(dir, 'run');
    mkdirSync(folder);
    const f = await faultline('check', folder);
    expect(f.code).toBe(3);
    expect(f.stderr).toMatch(/run: is a directory/);
  });

  it('guesses EDN and Jepsen log formats; --format and --initial apply', async () => {
    const edn = file('h.edn', '[{:process 0 :type :invoke :f :read :value nil}\n {:process 0 :type :ok :f :read :value 0}]\n');
    expect((await faultline('check', edn)).code).toBe(1); // initial nil
    expect((await faultline('check', '--initial', '0', edn)).code).toBe(0);
    expect((await faultline('check', '--format', 'jsonl', edn)).code).toBe(3);
    const log = file('h.log', 'INFO  jepsen.util - 0\t:invoke\t:cas\t[0 1]\nINFO  jepsen.util - 0\t:fail\t:cas\t[0 1]\n');
    expect((await faultline('check', '--json', log)).stdout).toMatch(/"format":"jepsen-log","model":"cas-register"/);
    expect((await faultline('check', '--initial', '0', log)).code).toBe(1); // the cas said false, the value was 0
    expect((await faultline('check', log)).code).toBe(0);
  });

  it.skipIf(!existsSync(SHARED))('checks the whole porcupine-etcd set in one process', async () => {
    const expected = (await import('node:fs')).readFileSync(join(SHARED, 'porcupine-etcd/EXPECTED'), 'utf8').trim().split('\n');
    const files = expected.map((l) => join(SHARED, 'porcupine-etcd', l.split(/\s+/)[0]!));
    const r = await faultline('check', '--json', ...files);
    expect(r.code).toBe(1);
    const got = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { valid: unknown });
    expect(got.map((g) => (g.valid === true ? 'linearizable' : 'not-linearizable'))).toEqual(expected.map((l) => l.split(/\s+/)[1]));
  });
});
