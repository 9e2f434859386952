/**
 * `npm run bench:checker`: checks every history set in ../shared/histories with ONE
 * `faultline check` process per set (as a user would run it), several times, and prints per set
 * the wall time of the whole process (median, min, max), the time spent checking, the peak
 * memory (RSS, through /usr/bin/time when present) and whether every verdict matches EXPECTED.
 * Then the growing families (bench/checker-families.ts): time per k for k timed-out ops, k clients
 * and k keys, beside porcupine's with PORCUPINE=DRIVER.
 * Env: BENCH_RUNS (default 7), HISTORIES (default ../shared/histories), FAMILIES=0 (skip the
 * families) or FAMILIES=issue (the sets and the two issue-15 families only), FAMILY_TIME_LIMIT
 * (seconds, default 20), FAMILY_MIN_RUNS and FAMILY_MS (how many checks of each family history:
 * see checker-families.ts), PORCUPINE (a porcupine driver).
 */
import { benchFamilies } from './checker-families.js';
import { runNodeTimed } from './timed-process.js';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const HISTORIES = resolve(ROOT, process.env['HISTORIES'] ?? '../shared/histories');
const RUNS = Math.max(1, Number(process.env['BENCH_RUNS'] ?? 7));
const families = process.env['FAMILIES'];
if (families !== undefined && families !== '0' && families !== 'issue') {
  console.error(`bench:checker: FAMILIES must be 0 or issue, got "${families}"`);
  process.exit(3);
}

/** The options each set's README semantics call for. */
const SETS: Record<string, string[]> = {
  'porcupine-etcd': [],
  'porcupine-kv': [],
  'knossos-cas-register': ['--initial', '0'],
};

interface Run {
  wallMs: number;
  peakKb?: number;
  /** user + system CPU time of the process: what the wall time would be on an idle machine. */
  cpuMs?: number;
  checkMs: number;
  verdicts: unknown[];
  code: number;
}

async function runOnce(args: string[]): Promise<Run> {
  const run = await runNodeTimed(args, { cwd: ROOT });
  const results = run.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { valid?: unknown; elapsedMs?: number });
  return {
    wallMs: run.wallMs,
    ...(run.peakKb !== undefined ? { peakKb: run.peakKb } : {}),
    ...(run.cpuMs !== undefined ? { cpuMs: run.cpuMs } : {}),
    checkMs: results.reduce((s, r) => s + (r.elapsedMs ?? 0), 0),
    verdicts: results.map((r) => r.valid),
    code: run.code,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  if (!existsSync(HISTORIES)) {
    console.log(`no histories at ${HISTORIES}: nothing to measure (set HISTORIES)`);
    return;
  }
  console.log(`faultline check, one process per set, ${RUNS} runs each (wall time includes node startup)\n`);
  const header = ['set', 'files', 'agree', 'wall median', 'min..max', 'cpu median', 'checking', 'peak RSS'];
  const rows: string[][] = [header];
  let mismatches = 0;
  for (const [set, extra] of Object.entries(SETS)) {
    const dir = join(HISTORIES, set);
    if (!existsSync(join(dir, 'EXPECTED'))) continue;
    const expected = readFileSync(join(dir, 'EXPECTED'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.trim().split(/\s+/) as [string, string]);
    const args = ['bin/faultline.js', 'check', '--json', ...extra, ...expected.map(([f]) => join(dir, f))];
    await runOnce(args); // warm the file cache
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await runOnce(args));
    const agree = expected.filter(([, v], i) => (v === 'linearizable') === (runs[0]!.verdicts[i] === true) && runs[0]!.verdicts[i] !== 'unknown').length;
    mismatches += expected.length - agree;
    const walls = runs.map((r) => r.wallMs);
    const cpus = runs.map((r) => r.cpuMs).filter((p): p is number => p !== undefined);
    const peaks = runs.map((r) => r.peakKb).filter((p): p is number => p !== undefined);
    rows.push([
      set,
      String(expected.length),
      `${agree}/${expected.length}`,
      `${median(walls).toFixed(0)} ms`,
      `${Math.min(...walls).toFixed(0)}..${Math.max(...walls).toFixed(0)} ms`,
      cpus.length ? `${median(cpus).toFixed(0)} ms` : 'n/a',
      `${median(runs.map((r) => r.checkMs)).toFixed(0)} ms`,
      peaks.length ? `${(Math.max(...peaks) / 1024).toFixed(0)} MB` : 'n/a (no /usr/bin/time)',
    ]);
  }
  const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  console.log('\n"cpu" is user+system CPU time of the process (the wall time on an idle machine); "checking" is the');
  console.log('time inside the checker (sum over files); the rest is node startup, imports and parsing.');
  if (mismatches > 0) {
    console.log(`${mismatches} verdict(s) differ from EXPECTED`);
    process.exitCode = 1;
  }
}

await main();
if (families !== '0') await benchFamilies(families === 'issue' ? 'issue' : undefined);
