/**
 * `npm run differential`: the linearizability search against a brute-force checker on thousands
 * of random small histories (register, cas-register, kv; info and fail ops; injected anomalies),
 * and, with `--porcupine DRIVER`, against porcupine on larger ones (verdicts and times).
 *
 *   npm run differential -- [--runs N] [--seed S] [--porcupine PATH] [--large N] [--ops N]
 *
 * A disagreement prints the seed and the command that replays it, and the exit code is 1.
 * The porcupine driver is not part of faultline: docs/check.md says how to build one.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkLinearizability } from '../checkers/linearizability/check.js';
import { bruteForceVerdict } from '../checkers/linearizability/differential/brute-force.js';
import { generateHistory, type GeneratedModel, type HistoryShape } from '../checkers/linearizability/differential/generate.js';
import type { Op } from '../core/op.js';
import { Random } from '../core/random.js';

const MODELS: GeneratedModel[] = ['register', 'cas-register', 'kv'];
const REPEAT = 3;

const { values } = (() => {
  try {
    return parseOptions();
  } catch (err) {
    console.error(`differential: ${(err as Error).message}`);
    process.exit(3);
  }
})();

function parseOptions() {
  return parseArgs({
    options: {
      runs: { type: 'string', default: '3000' },
      seed: { type: 'string', default: '1' },
      porcupine: { type: 'string' },
      large: { type: 'string', default: '60' },
      ops: { type: 'string', default: '400' },
      'time-limit': { type: 'string', default: '60' },
    },
  });
}
const int = (name: string, text: string | undefined): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`differential: --${name} must be a whole number, got "${text}"`);
    process.exit(3);
  }
  return n;
};
const runs = int('runs', values.runs);
const firstSeed = int('seed', values.seed);
const large = int('large', values.large);
const maxOps = int('ops', values.ops);
const timeLimitS = int('time-limit', values['time-limit']);

/** The shape of small history number `seed` (a fixed function of the seed, so it replays). */
function smallShape(model: GeneratedModel, r: Random): HistoryShape {
  return {
    model,
    ops: r.between(1, 9),
    clients: r.between(1, 4),
    keys: r.between(1, 2),
    infoRate: r.pick([0, 0.2, 0.4]),
    failRate: r.pick([0, 0.1]),
    anomalyRate: r.pick([0, 0.2, 0.5]),
    values: 3,
    appendShare: r.pick([0.35, 0.7]),
  };
}

async function againstBruteForce(): Promise<number> {
  let disagreements = 0;
  const started = performance.now();
  for (const model of MODELS) {
    const counts = { valid: 0, invalid: 0, nothing: 0 };
    for (let seed = firstSeed; seed < firstSeed + runs; seed++) {
      const r = new Random(seed);
      const shape = smallShape(model, r.fork('shape'));
      const { history } = generateHistory(r.fork('history'), shape);
      const expected = bruteForceVerdict(model, history);
      const got = (await checkLinearizability(history, { model })).valid;
      counts[expected === 'unknown' ? 'nothing' : expected ? 'valid' : 'invalid']++;
      if (got !== expected) {
        disagreements++;
        console.log(`DISAGREE ${model} seed ${seed}: search says ${String(got)}, brute force ${String(expected)}`);
        console.log(`  replay: npm run differential -- --runs 1 --seed ${seed}`);
        console.log(history.map((o) => JSON.stringify(o)).join('\n'));
      }
    }
    console.log(`${model.padEnd(12)} ${runs} histories (${counts.valid} linearizable, ${counts.invalid} not, ${counts.nothing} with no op completed): ${disagreements === 0 ? 'all agree' : `${disagreements} disagree`}`);
  }
  console.log(`brute force comparison: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return disagreements;
}

interface Measured {
  file: string;
  ops: number;
  model: GeneratedModel;
  infoAppends: number;
  ours: { valid: unknown; ms: number };
  theirs?: { valid: unknown; ms: number };
}

/** Large histories, checked here and by the porcupine driver (one process for all files). */
async function againstPorcupine(driver: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-differential-'));
  const rows: Measured[] = [];
  try {
    const r = new Random(firstSeed).fork('large');
    for (let i = 0; i < large; i++) {
      const model = MODELS[i % MODELS.length]!;
      // kv: up to 30% of all ops are appends that timed out (half the ops are appends, up to 60% of them time out)
      const shape: HistoryShape = {
        model,
        ops: r.between(50, maxOps),
        clients: r.between(3, 10),
        keys: r.between(1, 4),
        infoRate: model === 'kv' ? r.pick([0.1, 0.3, 0.6]) : r.pick([0.05, 0.15, 0.3]),
        ...(model === 'kv' ? { infoFs: ['append'], appendShare: 0.5 } : {}),
        failRate: 0.05,
        anomalyRate: r.pick([0, 0, 0.01, 0.03]),
      };
      const { history } = generateHistory(r.fork(`history ${i}`), shape);
      const file = join(dir, `${model}-${i}.jsonl`);
      writeFileSync(file, history.map((o) => JSON.stringify(o)).join('\n') + '\n');
      // the fastest of REPEAT checks, for both checkers: one check is at the mercy of the JIT and the GC
      let ours = { valid: 'unknown' as unknown, ms: Infinity };
      for (let k = 0; k < REPEAT; k++) {
        const result = await checkLinearizability(history, { model, timeLimitMs: timeLimitS * 1000 });
        ours = { valid: result.valid, ms: Math.min(ours.ms, result.elapsedMs) };
        if (result.valid === 'unknown') break;
      }
      rows.push({ file, ops: shape.ops!, model, infoAppends: infoAppendShare(history), ours });
    }
    for (const model of MODELS) {
      const mine = rows.filter((x) => x.model === model);
      const out = spawnSync(driver, ['-model', model, '-repeat', String(REPEAT), '-timeout', `${timeLimitS}s`, ...mine.map((x) => x.file)], { encoding: 'utf8' });
      if (out.status !== 0) throw new Error(`porcupine driver failed: ${out.stderr || out.error?.message}`);
      const byFile = new Map(out.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; valid: unknown; ms: number }).map((x) => [x.file, x]));
      for (const x of mine) x.theirs = byFile.get(x.file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  let disagreements = 0;
  let slower = 0;
  console.log('\nmodel         ops  info appends  faultline            porcupine            ratio');
  for (const x of rows) {
    const t = x.theirs!;
    const decided = x.ours.valid !== 'unknown' && t.valid !== 'unknown';
    const differ = decided && x.ours.valid !== t.valid;
    // timings under 5 ms are noise (a timer tick, a GC); the ratio counts above that
    const ratio = x.ours.ms / Math.max(t.ms, 5);
    if (differ) disagreements++;
    if (ratio > 2 && x.ours.ms > 5) slower++;
    console.log(
      `${x.model.padEnd(12)} ${String(x.ops).padStart(4)}  ${(x.infoAppends * 100).toFixed(0).padStart(11)}%  ` +
        `${String(x.ours.valid).padEnd(8)} ${x.ours.ms.toFixed(1).padStart(9)} ms  ${String(t.valid).padEnd(8)} ${t.ms.toFixed(1).padStart(9)} ms  ${ratio.toFixed(2).padStart(6)}${differ ? '  DIFFERENT VERDICT' : ''}`,
    );
  }
  const total = (f: (x: Measured) => number): number => rows.reduce((s, x) => s + f(x), 0);
  console.log(
    `\n${rows.length} histories: ${disagreements} different verdicts; ${slower} where faultline took more than 2x porcupine's time (and > 5 ms); ` +
      `total ${total((x) => x.ours.ms).toFixed(0)} ms faultline, ${total((x) => x.theirs!.ms).toFixed(0)} ms porcupine`,
  );
  return disagreements;
}

/** The share of ops that are appends that timed out. */
function infoAppendShare(history: readonly Op[]): number {
  const ops = history.filter((o) => o.type === 'invoke').length;
  return ops === 0 ? 0 : history.filter((o) => o.type === 'info' && o.f === 'append').length / ops;
}

let bad = await againstBruteForce();
if (values.porcupine !== undefined) bad += await againstPorcupine(values.porcupine);
process.exitCode = bad > 0 ? 1 : 0;
