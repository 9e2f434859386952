/**
 * `npm run bench:harness`: how many ops per second the harness records (generator, logical
 * clients, timeouts, history.jsonl) against a trivial HTTP server with a trivial workload, so we
 * know the harness is not what limits a run. The server runs in a worker thread of this process
 * (the other core); the harness side is exactly what `faultline run` uses (Clients + HistoryWriter).
 * Prints the figure; exits 1 when it is under the 20,000 ops/s target.
 */
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { z } from 'zod';
import { Random } from '../harness/random.js';
import { Clients } from '../harness/run/clients.js';
import { HistoryWriter } from '../harness/run/history.js';
import { historyProblems } from '../harness/run/validate.js';
import { readHistory } from '../harness/run/check.js';
import type { OpOutcome, Workload } from '../harness/workload.js';

const TARGET = 20_000;

function serve(): void {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
    res.end('{}');
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    parentPort!.postMessage(typeof address === 'object' && address ? address.port : 0);
  });
  parentPort!.on('message', () => server.close(() => process.exit(0)));
}

/**
 * Reads and writes of a few keys over one keep-alive connection per client, with a minimal
 * HTTP/1.1 client (request line out, status line and Content-Length back) so that what is
 * measured is the harness, not Node's general-purpose HTTP client.
 */
function trivialWorkload(port: number): Workload<{ keys: number }> {
  return {
    name: 'bench',
    description: 'trivial GET per op',
    apis: ['store'],
    options: z.object({ keys: z.number().default(4) }),
    generator: (options) => ({
      next: (process, random) =>
        random.chance(0.5) ? { f: 'read', key: `k${random.int(options.keys)}` } : { f: 'write', key: `k${random.int(options.keys)}`, value: random.int(1e9) },
      final: () => [],
    }),
    client: async () => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.setNoDelay(true);
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      let pending: ((outcome: OpOutcome) => void) | undefined;
      let buffer = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        const head = buffer.indexOf('\r\n\r\n');
        if (head < 0) return;
        const length = Number(/content-length: *(\d+)/i.exec(buffer.slice(0, head))?.[1] ?? 0);
        if (buffer.length < head + 4 + length) return;
        const status = Number(buffer.slice(9, 12));
        buffer = buffer.slice(head + 4 + length);
        const done = pending;
        pending = undefined;
        done?.(status === 200 ? { type: 'ok', node: 'n1', value: null } : { type: 'fail', error: `HTTP ${status}` });
      });
      socket.on('error', (err) => pending?.({ type: 'info', error: err.message }));
      return {
        invoke: (call) =>
          new Promise<OpOutcome>((resolve) => {
            pending = resolve;
            socket.write(`GET /kv/${call.key} HTTP/1.1\r\nHost: n1\r\n\r\n`);
          }),
        close: async () => {
          socket.destroy();
        },
      };
    },
  };
}

/** A client that answers at once (next turn of the event loop): the harness alone. */
function noIoWorkload(): Workload<{ keys: number }> {
  const base = trivialWorkload(0);
  return {
    ...base,
    client: async () => ({
      invoke: () => new Promise<OpOutcome>((resolve) => setImmediate(() => resolve({ type: 'ok', node: 'n1', value: null }))),
      close: async () => undefined,
    }),
  };
}

interface Measure {
  perSec: number;
  cpuUsPerOp: number;
  done: number;
  lines: number;
  mb: number;
  problems: string[];
  counts: { ok: number; fail: number; info: number };
}

async function measure(workload: Workload<{ keys: number }>, port: number, seconds: number, concurrency: number): Promise<Measure> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
  const history = new HistoryWriter(join(dir, 'history.jsonl'));
  try {
    const random = new Random(1);
    const clients = new Clients({
      workload: workload as Workload<unknown>,
      workloadOptions: { keys: 4 },
      generator: workload.generator({ keys: 4 }, random.fork('generator')),
      nodes: [{ id: 'n1', url: `http://127.0.0.1:${port}` }],
      concurrency,
      rate: 0,
      timeoutMs: 2000,
      random,
      history,
    });
    await clients.open();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const timer = setTimeout(() => clients.stop(), seconds * 1000);
    await clients.runMain();
    clearTimeout(timer);
    const elapsed = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    await clients.close();
    history.close();
    const { ok, fail, info } = history.counts;
    const done = ok + fail + info;
    const ops = readHistory(join(dir, 'history.jsonl'));
    return {
      perSec: done / elapsed,
      // CPU of the whole process (harness, and the server thread when there is one) per op.
      cpuUsPerOp: (used.user + used.system) / done,
      done,
      lines: ops.length,
      mb: statSync(join(dir, 'history.jsonl')).size / 1e6,
      problems: historyProblems(ops),
      counts: { ok, fail, info },
    };
  } finally {
    history.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function describe(label: string, m: Measure, concurrency: number): string {
  return (
    `${label}: ${Math.round(m.perSec).toLocaleString('en-US')} ops/s recorded, ${m.cpuUsPerOp.toFixed(1)} µs CPU per op ` +
    `(${m.done} ops = ${m.lines} history lines, ${m.mb.toFixed(1)} MB; ${concurrency} clients; ok ${m.counts.ok} fail ${m.counts.fail} info ${m.counts.info}; ` +
    `history ${m.problems.length === 0 ? 'well formed' : `BROKEN: ${m.problems[0]}`})`
  );
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 64);
  const worker = new Worker(new URL(import.meta.url));
  const port = await new Promise<number>((resolve) => worker.once('message', resolve));
  try {
    const load = loadavg()[0]!;
    process.stdout.write(`bench:harness: ${seconds} s per measure, load average ${load.toFixed(1)} on ${cpus().length} cores\n`);
    const alone = await measure(noIoWorkload(), port, Math.min(seconds, 2), concurrency);
    process.stdout.write(`${describe('  harness alone (clients answer without I/O)', alone, concurrency)}\n`);
    const http = await measure(trivialWorkload(port), port, seconds, concurrency);
    process.stdout.write(`${describe('  against a trivial HTTP server (worker thread)', http, concurrency)}\n`);
    const met = http.perSec >= TARGET;
    process.stdout.write(
      `bench:harness: ${Math.round(http.perSec).toLocaleString('en-US')} ops/s against the HTTP server; target ${TARGET.toLocaleString('en-US')} ops/s ${met ? 'met' : 'NOT met'}` +
        `${!met && load > cpus().length ? ' (the machine is busy: the load average exceeds the core count)' : ''}\n`,
    );
    process.exitCode = met && http.problems.length === 0 && alone.problems.length === 0 ? 0 : 1;
  } finally {
    worker.postMessage('stop');
    await new Promise((resolve) => worker.once('exit', resolve));
  }
}

if (isMainThread) await main();
else serve();
