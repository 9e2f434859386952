/**
 * The growing families of `npm run bench:checker`: per family a table of the time per k, so that
 * super-linear growth shows; with PORCUPINE=DRIVER (a porcupine driver, docs/check.md) each
 * history is also checked by porcupine, verdict and time side by side.
 *
 * Like for like: both sides time the check of operations already paired (faultline's
 * `checkOperations`, on this thread; porcupine's `CheckOperations` in the driver, which parses
 * its file outside its timer), and both report the fastest of repeated checks in one process, by
 * the same rule: checks until at least FAMILY_MIN_RUNS are done and they took FAMILY_MS in all
 * (at most MAX_RUNS; a check that ends `unknown` is not repeated). Sub-millisecond histories are
 * so checked tens of thousands of times, and warm: on a loaded machine the JIT takes a few
 * thousand checks of such a history to settle. faultline applies the rule as it goes; the driver
 * takes a fixed `-repeat`: faultline's number of checks, unless those would take it more than
 * ten times FAMILY_MS (a history it checks slower), then the rule's own; both are printed. The
 * one-off cost the rule leaves out, the first check of a fresh process (the JIT compiling the
 * checker), is printed once, apart.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkOperations } from '../checkers/linearizability/check.js';
import { generateHistory, observedTimedOutAppends, timedOutAppends } from '../checkers/linearizability/differential/generate.js';
import { modelByName } from '../checkers/linearizability/models/index.js';
import { toOperations } from '../checkers/linearizability/operations.js';
import type { Op } from '../core/op.js';
import { Random } from '../core/random.js';

interface Family {
  name: string;
  ks: number[];
  history(k: number): Op[];
  /** Its generator's name in generate.ts, for the first check of a fresh process (first-check.ts). */
  generator?: 'timedOutAppends' | 'observedTimedOutAppends';
}

/** kv histories where 30% of the ops are appends that timed out (half the ops are appends). */
const randomKv = (seed: number, ops: number, clients: number, keys: number): Op[] =>
  generateHistory(new Random(seed), { model: 'kv', ops, clients, keys, infoRate: 0.6, infoFs: ['append'], appendShare: 0.5, failRate: 0.05 }).history;

const FAMILIES: Family[] = [
  { name: 'k appends that timed out and nothing saw (issue 15)', ks: [1, 2, 4, 6, 8, 10, 12], history: timedOutAppends, generator: 'timedOutAppends' },
  { name: 'k appends that timed out and a get needed, k overlapping appends', ks: [1, 2, 4, 6, 8, 10, 12], history: observedTimedOutAppends, generator: 'observedTimedOutAppends' },
  { name: 'k clients (kv, 300 ops, 1 key, 30% timed-out appends)', ks: [2, 4, 8, 16, 32], history: (k) => randomKv(k, 300, k, 1) },
  { name: 'k keys (kv, 100 ops per key, 8 clients, 30% timed-out appends)', ks: [1, 2, 4, 8, 16, 32], history: (k) => randomKv(k, 100 * k, 8, k) },
];

const LIMIT_MS = positive('FAMILY_TIME_LIMIT', 20) * 1000;
const MIN_RUNS = positive('FAMILY_MIN_RUNS', 5);
const SPEND_MS = positive('FAMILY_MS', 1000);
const MAX_RUNS = 100_000;
/** The k of the first-check line. */
const FIRST_K = 12;

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(n > 0)) {
    console.error(`bench:checker: ${name} must be a positive number, got "${raw}"`);
    process.exit(3);
  }
  return n;
}

interface Measured {
  valid: unknown;
  /** The fastest check, and how many were made. */
  ms: number;
  runs: number;
  steps: number;
  cacheMiB: number;
}

interface Row extends Measured {
  k: number;
  ops: number;
  porcupine?: { valid: unknown; ms: number; runs: number };
}

/** The fastest of repeated checks of `history` (see the header for how many). */
function measure(history: Op[]): Measured {
  const model = modelByName('kv', null);
  const operations = toOperations(history);
  let best: Measured | undefined;
  let spent = 0;
  for (let runs = 1; ; runs++) {
    const started = performance.now();
    const r = checkOperations(model, operations, LIMIT_MS);
    const ms = performance.now() - started;
    spent += ms;
    if (!best || ms < best.ms) best = { valid: r.valid, ms, runs, steps: r.steps, cacheMiB: r.peakCacheBytes / 2 ** 20 };
    best.runs = runs;
    if (r.valid === 'unknown' || runs >= MAX_RUNS || (runs >= MIN_RUNS && spent >= SPEND_MS)) return best;
  }
}

function writeHistory(dir: string, name: string, history: Op[]): string {
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(file, history.map((o) => JSON.stringify(o)).join('\n') + '\n');
  return file;
}

/** Porcupine's verdict and fastest time of `repeat` checks of one file, in one driver process. */
function porcupine(driver: string, file: string, repeat: number): { valid: unknown; ms: number } {
  const out = spawnSync(driver, ['-model', 'kv', '-repeat', String(repeat), '-timeout', `${LIMIT_MS / 1000}s`, file], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`porcupine driver ${driver} failed: ${out.stderr || out.error?.message}`);
  return JSON.parse(out.stdout.trim()) as { valid: unknown; ms: number };
}

/** Porcupine's side of a row: faultline's number of checks (`runs`), unless its first
 *  FAMILY_MIN_RUNS say those would take it more than ten times FAMILY_MS (a history it checks
 *  slower): then the number the rule needs on its own. */
function porcupineLikeForLike(driver: string, file: string, runs: number): { valid: unknown; ms: number; runs: number } {
  const first = porcupine(driver, file, Math.min(runs, MIN_RUNS));
  if (first.valid === 'unknown') return { ...first, runs: 1 }; // the driver stops there
  const needs = runs * first.ms <= 10 * SPEND_MS ? runs : Math.max(MIN_RUNS, Math.ceil(SPEND_MS / first.ms));
  if (needs <= MIN_RUNS) return { ...first, runs: Math.min(runs, MIN_RUNS) };
  return { ...porcupine(driver, file, needs), runs: needs };
}

/** The first check of a fresh process (a child), of the k = FIRST_K history of `family`. */
function firstCheck(generator: NonNullable<Family['generator']>): { valid: unknown; ms: number } {
  const script = fileURLToPath(new URL('./first-check.js', import.meta.url));
  const out = spawnSync(process.execPath, [script, generator, String(FIRST_K)], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`first-check ${generator} failed: ${out.stderr || out.error?.message}`);
  return JSON.parse(out.stdout.trim()) as { valid: unknown; ms: number };
}

const ratio = (x: number): string => (x < 0.01 ? '<0.01' : x.toFixed(2));
const ms = (t: number): string => (t < 0.1 ? `${(t * 1000).toFixed(1)} us` : `${t.toFixed(t < 10 ? 2 : 1)} ms`);

/** `only: 'issue'`: the two issue-15 families alone (FAMILIES=issue). */
export async function benchFamilies(only?: 'issue'): Promise<void> {
  const driver = process.env['PORCUPINE'];
  const families = only === 'issue' ? FAMILIES.filter((f) => f.generator) : FAMILIES;
  const dir = mkdtempSync(join(tmpdir(), 'faultline-families-'));
  try {
    console.log(
      `\nGrowing families (kv). Time: the fastest of "runs" checks of the paired operations in this process (checkOperations, one thread),` +
        ` runs = until at least ${MIN_RUNS} checks that took ${SPEND_MS} ms in all (at most ${MAX_RUNS}), so the checker is warm; time limit ${LIMIT_MS / 1000} s.` +
        (driver ? ' Porcupine: the driver\'s fastest of as many CheckOperations ("its runs"; fewer, by the same rule, where as many would take it over ten times as long).' : ' Set PORCUPINE=driver to compare with porcupine.'),
    );
    console.log(`\nThe first check of a fresh process (one child process per line, k = ${FIRST_K}; the JIT compiling the checker, left out of the tables):`);
    for (const family of families) {
      if (!family.generator) continue;
      const mine = firstCheck(family.generator);
      const theirs = driver ? porcupine(driver, writeHistory(dir, `first-${family.generator}`, family.history(FIRST_K)), 1) : undefined;
      console.log(`  ${family.generator}(${FIRST_K}): faultline ${String(mine.valid)} in ${ms(mine.ms)}${theirs ? `; porcupine ${String(theirs.valid)} in ${ms(theirs.ms)}` : ''}`);
    }
    for (const family of families) {
      const rows: Row[] = [];
      for (const k of family.ks) {
        const history = family.history(k);
        const row: Row = { k, ops: history.filter((o) => o.type === 'invoke').length, ...measure(history) };
        if (driver) row.porcupine = porcupineLikeForLike(driver, writeHistory(dir, `k${k}`, history), row.runs);
        rows.push(row);
      }
      console.log(`\n${family.name}`);
      const header = ['k', 'ops', 'verdict', 'runs', 'time', 'steps', 'cache', ...(driver ? ['porcupine', 'its runs', 'its time', 'ratio'] : [])];
      const cells = rows.map((r) => [
        String(r.k),
        String(r.ops),
        String(r.valid),
        String(r.runs),
        ms(r.ms),
        String(r.steps),
        `${r.cacheMiB.toFixed(2)} MiB`,
        ...(r.porcupine ? [String(r.porcupine.valid), String(r.porcupine.runs), ms(r.porcupine.ms), r.valid === 'unknown' || r.porcupine.valid === 'unknown' ? '-' : ratio(r.ms / r.porcupine.ms)] : []),
      ]);
      const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
      for (const row of [header, ...cells]) console.log('  ' + row.map((cell, c) => cell.padStart(widths[c]!)).join('  '));
    }
    console.log(`\npeak RSS of this process: ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
