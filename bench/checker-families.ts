/**
 * The growing families of `npm run bench:checker`: per family a table of the time per k, so that
 * super-linear growth shows. Checked in this process (the fastest of 3 checks; the first warms
 * the JIT). With PORCUPINE=DRIVER (a porcupine driver, docs/check.md) each history is also
 * checked by porcupine, with its verdict and time side by side.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLinearizability } from '../checkers/linearizability/check.js';
import { generateHistory, observedTimedOutAppends, timedOutAppends } from '../checkers/linearizability/differential/generate.js';
import type { Op } from '../core/op.js';
import { Random } from '../core/random.js';

interface Family {
  name: string;
  ks: number[];
  history(k: number): Op[];
}

/** kv histories where 30% of the ops are appends that timed out (half the ops are appends). */
const randomKv = (seed: number, ops: number, clients: number, keys: number): Op[] =>
  generateHistory(new Random(seed), { model: 'kv', ops, clients, keys, infoRate: 0.6, infoFs: ['append'], appendShare: 0.5, failRate: 0.05 }).history;

const FAMILIES: Family[] = [
  { name: 'k appends that timed out and nothing saw (issue 15)', ks: [1, 2, 4, 6, 8, 10, 12], history: timedOutAppends },
  { name: 'k appends that timed out and a get needed, k overlapping appends', ks: [1, 2, 4, 6, 8, 10, 12], history: observedTimedOutAppends },
  { name: 'k clients (kv, 300 ops, 1 key, 30% timed-out appends)', ks: [2, 4, 8, 16, 32], history: (k) => randomKv(k, 300, k, 1) },
  { name: 'k keys (kv, 100 ops per key, 8 clients, 30% timed-out appends)', ks: [1, 2, 4, 8, 16, 32], history: (k) => randomKv(k, 100 * k, 8, k) },
];

const LIMIT_MS = Number(process.env['FAMILY_TIME_LIMIT'] ?? 20) * 1000;
const REPEAT = 3;

interface Row {
  k: number;
  ops: number;
  valid: unknown;
  ms: number;
  steps: number;
  cacheMiB: number;
  threads: number;
  porcupine?: { valid: unknown; ms: number };
}

async function measure(history: Op[]): Promise<Omit<Row, 'k' | 'ops' | 'porcupine'>> {
  let best: Omit<Row, 'k' | 'ops' | 'porcupine'> | undefined;
  for (let i = 0; i < REPEAT; i++) {
    const r = await checkLinearizability(history, { model: 'kv', timeLimitMs: LIMIT_MS });
    if (!best || r.elapsedMs < best.ms) best = { valid: r.valid, ms: r.elapsedMs, steps: r.steps, cacheMiB: r.peakCacheBytes / 2 ** 20, threads: r.threads };
    if (r.valid === 'unknown') break;
  }
  return best!;
}

function porcupine(driver: string, dir: string, histories: Op[][]): { valid: unknown; ms: number }[] {
  const files = histories.map((h, i) => {
    const file = join(dir, `h${i}.jsonl`);
    writeFileSync(file, h.map((o) => JSON.stringify(o)).join('\n') + '\n');
    return file;
  });
  const out = spawnSync(driver, ['-model', 'kv', '-repeat', String(REPEAT), '-timeout', `${LIMIT_MS / 1000}s`, ...files], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`porcupine driver ${driver} failed: ${out.stderr || out.error?.message}`);
  return out.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { valid: unknown; ms: number });
}

const ms = (t: number): string => `${t.toFixed(t < 10 ? 2 : 1)} ms`;

export async function benchFamilies(): Promise<void> {
  const driver = process.env['PORCUPINE'];
  const dir = mkdtempSync(join(tmpdir(), 'faultline-families-'));
  try {
    console.log(`\nGrowing families (kv, checked in this process, fastest of ${REPEAT}; time limit ${LIMIT_MS / 1000} s${driver ? '; porcupine beside' : '; set PORCUPINE=driver to compare with porcupine'})`);
    for (const family of FAMILIES) {
      const histories = family.ks.map((k) => family.history(k));
      const rows: Row[] = [];
      for (const [i, k] of family.ks.entries()) {
        const h = histories[i]!;
        rows.push({ k, ops: h.filter((o) => o.type === 'invoke').length, ...(await measure(h)) });
      }
      if (driver) porcupine(driver, dir, histories).forEach((p, i) => (rows[i]!.porcupine = p));
      console.log(`\n${family.name}`);
      const header = ['k', 'ops', 'verdict', 'time', 'steps', 'cache', 'threads', ...(driver ? ['porcupine', 'its time', 'ratio'] : [])];
      const cells = rows.map((r) => [
        String(r.k),
        String(r.ops),
        String(r.valid),
        ms(r.ms),
        String(r.steps),
        `${r.cacheMiB.toFixed(1)} MiB`,
        String(r.threads),
        ...(r.porcupine ? [String(r.porcupine.valid), ms(r.porcupine.ms), (r.ms / r.porcupine.ms).toFixed(2)] : []),
      ]);
      const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
      for (const row of [header, ...cells]) console.log('  ' + row.map((cell, c) => cell.padStart(widths[c]!)).join('  '));
    }
    console.log(`\npeak RSS of this process: ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
