/**
 * `npm run bench:memory`: generates a large history (default 200 MB) in faultline's JSONL and in
 * Jepsen's EDN (a vector of op maps, one per line) in a temporary folder, checks each with one
 * `faultline check --json` process, and prints the wall time, CPU time and peak RSS (through
 * /usr/bin/time) with the verdict. The histories are deleted afterwards.
 * Env: BENCH_MB (size of each history, default 200), BENCH_KEEP=1 keeps the files.
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNodeTimed } from './timed-process.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const MB = Math.max(1, Number(process.env['BENCH_MB'] ?? 200));

interface GenOp {
  process: number;
  type: 'invoke' | 'ok' | 'info';
  f: 'read' | 'write';
  key: string;
  value: number | null;
}

/**
 * A linearizable register history with 8 processes and 10 keys: ops overlap (each completes a
 * few events after its invoke, taking effect at its completion); 2% of writes time out (info)
 * and half of those take effect. Deterministic (a small LCG).
 */
function* registerHistory(): Generator<GenOp> {
  let seed = 42;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const state = new Map<string, number | null>();
  const pending = new Map<number, GenOp>();
  let next = 1;
  let nextProcess = 8;
  const procs = [0, 1, 2, 3, 4, 5, 6, 7];
  for (;;) {
    const slot = rand(procs.length);
    const p = procs[slot]!;
    const op = pending.get(p);
    if (!op) {
      const key = `k${rand(10)}`;
      const inv: GenOp = rand(2) === 0 ? { process: p, type: 'invoke', f: 'read', key, value: null } : { process: p, type: 'invoke', f: 'write', key, value: next++ };
      pending.set(p, inv);
      yield inv;
      continue;
    }
    pending.delete(p);
    if (op.f === 'write' && rand(50) === 0) {
      if (rand(2) === 0) state.set(op.key, op.value);
      procs[slot] = nextProcess++; // an info retires the process, as in Jepsen
      yield { ...op, type: 'info' };
      continue;
    }
    if (op.f === 'write') state.set(op.key, op.value);
    yield { ...op, type: 'ok', value: op.f === 'read' ? (state.get(op.key) ?? null) : op.value };
  }
}

function writeHistory(file: string, format: 'jsonl' | 'edn'): void {
  const fd = openSync(file, 'w');
  const target = MB * 1024 * 1024;
  let bytes = 0;
  let index = 0;
  let chunk: string[] = [];
  const flush = (): void => {
    const text = chunk.join('');
    writeSync(fd, text);
    bytes += Buffer.byteLength(text);
    chunk = [];
  };
  if (format === 'edn') chunk.push('[');
  for (const op of registerHistory()) {
    const time = index * 1000;
    if (format === 'jsonl') {
      chunk.push(`${JSON.stringify({ index, time, process: op.process, type: op.type, f: op.f, key: op.key, value: op.value })}\n`);
    } else {
      const value = op.value === null ? 'nil' : String(op.value);
      chunk.push(`${index === 0 ? '' : ' '}{:index ${index}, :time ${time}, :process ${op.process}, :type :${op.type}, :f :${op.f}, :key "${op.key}", :value ${value}}\n`);
    }
    index++;
    if (chunk.length >= 10000) {
      flush();
      // stop at a completed op so the history has no dangling invoke beyond the info rule
      if (bytes >= target) break;
    }
  }
  if (format === 'edn') chunk.push(']\n');
  flush();
  closeSync(fd);
}

interface Measured {
  wallS: number;
  cpuS?: number;
  peakMb?: number;
  code: number;
  verdict: string;
}

async function measure(file: string): Promise<Measured> {
  const run = await runNodeTimed([join(ROOT, 'bin/faultline.js'), 'check', '--json', file]);
  const line = run.stdout.split('\n').find((l) => l.startsWith('{'));
  let verdict = run.stderr.split('\n').find((l) => l.startsWith('faultline:'))?.slice(0, 200) ?? `no output (exit ${run.code})`;
  if (line) {
    const r = JSON.parse(line) as { valid?: unknown; operations?: number; error?: string };
    verdict = r.error !== undefined ? `error: ${r.error}` : `valid=${String(r.valid)}, ${r.operations} ops`;
  }
  return {
    wallS: run.wallMs / 1000,
    ...(run.cpuMs !== undefined && run.peakKb !== undefined ? { cpuS: run.cpuMs / 1000, peakMb: run.peakKb / 1024 } : {}),
    code: run.code,
    verdict,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-memory-'));
  try {
    console.log(`faultline check of a generated ${MB} MB register history (8 processes, 10 keys, 2% timed-out writes)\n`);
    const rows: string[][] = [['format', 'file size', 'wall', 'cpu', 'peak RSS', 'exit', 'verdict']];
    for (const format of ['jsonl', 'edn'] as const) {
      const file = join(dir, `history.${format}`);
      writeHistory(file, format);
      const r = await measure(file);
      rows.push([
        format,
        `${(statSync(file).size / 1024 / 1024).toFixed(0)} MB`,
        `${r.wallS.toFixed(1)} s`,
        r.cpuS !== undefined ? `${r.cpuS.toFixed(1)} s` : 'n/a',
        r.peakMb !== undefined ? `${r.peakMb.toFixed(0)} MB` : 'n/a (no /usr/bin/time)',
        String(r.code),
        r.verdict,
      ]);
      if (process.env['BENCH_KEEP'] !== '1') rmSync(file);
    }
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const r of rows) console.log(r.map((cell, c) => (c === 0 || c === 6 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  } finally {
    if (process.env['BENCH_KEEP'] !== '1') rmSync(dir, { recursive: true, force: true });
    else console.log(`\nkept in ${dir}`);
  }
}

await main();
