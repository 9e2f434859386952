/**
 * `npm run bench:harness`: how many ops per second the harness records (generator, logical
 * clients, timeouts, history.jsonl) against a trivial HTTP server with a trivial workload, so we
 * know the harness is not what limits a run. The server runs in a worker thread of this process
 * (the other core); the harness side is exactly what `faultline run` uses (Clients + HistoryWriter).
 * Prints the figure; exits 1 when it is under the 20,000 ops/s target.
 */
import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { z } from 'zod';
import { Random } from '../core/random.js';
import { Clients } from '../harness/run/clients.js';
import { HistoryWriter } from '../harness/run/history.js';
import { historyProblems } from '../harness/run/validate.js';
import { readRunHistory } from '../core/history.js';
import type { OpOutcome, Workload } from '../core/workload.js';

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
 * One keep-alive HTTP/1.1 connection shared by several clients, with pipelining: requests
 * written in the same tick go out in one write, answers come back in order. A minimal client
 * (request line out, status line and Content-Length back), so that what is measured is the
 * harness rather than an HTTP client library.
 */
class PipelinedConnection {
  private readonly pending: ((outcome: OpOutcome) => void)[] = [];
  private buffer = '';
  private corked = false;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.read(chunk));
    socket.on('error', (err) => {
      for (const done of this.pending.splice(0)) done({ type: 'info', error: err.message });
    });
  }

  static open(port: number): Promise<PipelinedConnection> {
    const socket = connect({ host: '127.0.0.1', port });
    return new Promise((resolve, reject) => socket.once('connect', () => resolve(new PipelinedConnection(socket))).once('error', reject));
  }

  request(path: string): Promise<OpOutcome> {
    return new Promise<OpOutcome>((resolve) => {
      this.pending.push(resolve);
      if (!this.corked) {
        this.corked = true;
        this.socket.cork();
        process.nextTick(() => {
          this.corked = false;
          this.socket.uncork();
        });
      }
      this.socket.write(`GET ${path} HTTP/1.1\r\nHost: n1\r\n\r\n`);
    });
  }

  private read(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const head = this.buffer.indexOf('\r\n\r\n');
      if (head < 0) return;
      const length = Number(/content-length: *(\d+)/i.exec(this.buffer.slice(0, head))?.[1] ?? 0);
      if (this.buffer.length < head + 4 + length) return;
      const status = Number(this.buffer.slice(9, 12));
      this.buffer = this.buffer.slice(head + 4 + length);
      this.pending.shift()?.(status === 200 ? { type: 'ok', node: 'n1', value: null } : { type: 'fail', error: `HTTP ${status}` });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Reads and writes of a few keys; the server answers `{}` to everything. */
function trivialWorkload(port: number, connections: number): Workload<{ keys: number }> {
  const pool: Promise<PipelinedConnection>[] = [];
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
    client: async (_options, context) => {
      const slot = context.process % connections;
      pool[slot] ??= PipelinedConnection.open(port);
      const connection = await pool[slot];
      return {
        invoke: (call) => connection.request(`/kv/${call.key}`),
        close: async () => {
          connection.close();
        },
      };
    },
  };
}

/** A client that answers at once (next turn of the event loop): the harness alone. */
function noIoWorkload(): Workload<{ keys: number }> {
  const base = trivialWorkload(0, 1);
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
    const ops = readRunHistory(join(dir, 'history.jsonl'));
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
    const connections = Number(process.env.BENCH_CONNECTIONS ?? 4);
    const http = await measure(trivialWorkload(port, connections), port, seconds, concurrency);
    process.stdout.write(`${describe(`  against a trivial HTTP server (worker thread, ${connections} pipelined keep-alive connections)`, http, concurrency)}\n`);
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
