/**
 * `npm run bench:proxy`: what a proxy with no toxic costs. A TCP echo server (its own process),
 * reached directly, through the embedded Toxiproxy in this process (as `faultline run` uses it),
 * through the embedded Toxiproxy in a child process (as `faultline proxy` runs it) and, when
 * TOXIPROXY_URL is set, through that Toxiproxy. Per target and round: 1-byte
 * ping-pong round trips on one connection (p50, p99) and a bulk echo (MiB/s, bytes sent and read
 * back at once). Targets take turns within each round (rotating the order), and the medians over
 * the rounds are printed with the ratios the goal is stated in:
 *   embedded added RTT / Toxiproxy added RTT  (goal <= 0.5; added = p50 through it - p50 direct)
 *   embedded MiB/s / Toxiproxy MiB/s          (goal >= 1)
 * for each of the two embedded targets.
 * Options: --rounds N (default 5), --pings N (default 3000), --mib N (default 256).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { spawnEmbeddedToxiproxy } from '../harness/proxy/child.js';
import { startEmbeddedToxiproxy } from '../harness/proxy/server.js';

interface Target {
  name: string;
  port: number;
}

interface Sample {
  p50: number;
  p99: number;
  mibps: number;
}

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) {
    process.stderr.write(`bench:proxy: --${name} needs a positive number\n`);
    process.exit(3);
  }
  return v;
}

/** The echo server, run as this file with --echo: prints its port, echoes until stdin closes. */
function echoMain(): void {
  const server = createServer({ noDelay: true }, (s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    process.stdout.write(`${typeof a === 'object' && a ? a.port : 0}\n`);
  });
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

async function startEcho(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--echo'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`echo server exited (${code})`)));
  });
  return { port, child };
}

async function createProxy(url: string, name: string, upstreamPort: number): Promise<number> {
  await fetch(`${url}/proxies/${name}`, { method: 'DELETE' }).catch(() => undefined);
  const res = await fetch(`${url}/proxies`, {
    method: 'POST',
    body: JSON.stringify({ name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort}` }),
  });
  const body = (await res.json()) as { listen?: string; error?: string };
  if (!res.ok || !body.listen) throw new Error(`${url}: cannot create a proxy: ${body.error ?? res.status}`);
  return Number(body.listen.slice(body.listen.lastIndexOf(':') + 1));
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(s));
    s.once('error', reject);
  });
}

/** `count` 1-byte round trips after 200 warm-up ones; the sorted round-trip times in µs. */
async function pingPong(port: number, count: number): Promise<number[]> {
  const s = await open(port);
  const one = Buffer.from([42]);
  const times: number[] = [];
  await new Promise<void>((resolve, reject) => {
    let i = 0;
    let start = 0n;
    s.on('data', (d: Buffer) => {
      // 1-byte messages may coalesce only if a round trip was lost; count each byte as one
      for (let k = 0; k < d.length; k++) {
        if (i >= 200) times.push(Number(process.hrtime.bigint() - start) / 1000);
        i++;
      }
      if (i >= count + 200) resolve();
      else {
        start = process.hrtime.bigint();
        s.write(one);
      }
    });
    s.on('error', reject);
    start = process.hrtime.bigint();
    s.write(one);
  });
  s.destroy();
  return times.sort((a, b) => a - b);
}

/** Sends `mib` MiB and reads it back at the same time; MiB/s over the whole exchange. */
async function bulk(port: number, mib: number): Promise<number> {
  const s = await open(port);
  const total = mib * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 7);
  const start = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    let received = 0;
    let sent = 0;
    s.on('data', (d: Buffer) => {
      received += d.length;
      if (received >= total) resolve();
    });
    s.on('error', reject);
    const pump = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (!s.write(chunk)) {
          s.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  s.destroy();
  return mib / seconds;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function main(): Promise<void> {
  const rounds = option('rounds', 5);
  const pings = option('pings', 3000);
  const mib = option('mib', 256);
  const echo = await startEcho();
  const embedded = await spawnEmbeddedToxiproxy();
  const inProcess = await startEmbeddedToxiproxy({ port: 0 });
  const targets: Target[] = [{ name: 'direct', port: echo.port }];
  try {
    targets.push({ name: 'embedded', port: await createProxy(inProcess.url, 'bench_proxy', echo.port) });
    targets.push({ name: 'embedded-child', port: await createProxy(embedded.url, 'bench_proxy', echo.port) });
    const external = process.env.TOXIPROXY_URL?.replace(/\/$/, '');
    if (external) targets.push({ name: 'TOXIPROXY_URL', port: await createProxy(external, 'bench_proxy', echo.port) });
    process.stdout.write(
      `bench:proxy: ${rounds} rounds x (${pings} 1-byte round trips + ${mib} MiB echo) per target; load average ${loadavg()[0]!.toFixed(1)}\n`,
    );
    const samples = new Map<string, Sample[]>(targets.map((t) => [t.name, []]));
    for (let r = 0; r < rounds; r++) {
      const order = targets.map((_, i) => targets[(i + r) % targets.length]!);
      for (const t of order) {
        const times = await pingPong(t.port, pings);
        const mibps = await bulk(t.port, mib);
        samples.get(t.name)!.push({ p50: quantile(times, 0.5), p99: quantile(times, 0.99), mibps });
      }
      process.stdout.write(`  round ${r + 1}/${rounds} done\n`);
    }
    const med = new Map(
      [...samples].map(([name, s]) => [name, { p50: median(s.map((x) => x.p50)), p99: median(s.map((x) => x.p99)), mibps: median(s.map((x) => x.mibps)) }]),
    );
    const direct = med.get('direct')!;
    process.stdout.write(`\n${'target'.padEnd(14)}${'RTT p50 µs'.padStart(12)}${'RTT p99 µs'.padStart(12)}${'added p50'.padStart(12)}${'MiB/s'.padStart(10)}\n`);
    for (const t of targets) {
      const m = med.get(t.name)!;
      const added = t.name === 'direct' ? '' : (m.p50 - direct.p50).toFixed(1);
      process.stdout.write(
        `${t.name.padEnd(14)}${m.p50.toFixed(1).padStart(12)}${m.p99.toFixed(1).padStart(12)}${added.padStart(12)}${m.mibps.toFixed(1).padStart(10)}\n`,
      );
    }
    process.stdout.write('\n');
    const real = med.get('TOXIPROXY_URL');
    for (const name of ['embedded', 'embedded-child']) {
      const emb = med.get(name)!;
      process.stdout.write(`${name} / direct: RTT p50 x${(emb.p50 / direct.p50).toFixed(2)}, MiB/s x${(emb.mibps / direct.mibps).toFixed(2)}\n`);
      if (!real) continue;
      const ratio = (emb.p50 - direct.p50) / (real.p50 - direct.p50);
      process.stdout.write(
        `${name} / TOXIPROXY_URL: added RTT x${ratio.toFixed(2)} (goal <= 0.5), RTT p99 x${(emb.p99 / real.p99).toFixed(2)}, MiB/s x${(emb.mibps / real.mibps).toFixed(2)} (goal >= 1)\n`,
      );
    }
    if (real) {
      await fetch(`${external}/proxies/bench_proxy`, { method: 'DELETE' }).catch(() => undefined);
    } else {
      process.stdout.write('(set TOXIPROXY_URL to compare with a real Toxiproxy)\n');
    }
  } finally {
    await embedded.close();
    await inProcess.close();
    echo.child.stdin!.end();
  }
}

if (process.argv.includes('--echo')) echoMain();
else
  main().catch((err: unknown) => {
    process.stderr.write(`bench:proxy: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
