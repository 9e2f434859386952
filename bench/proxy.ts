/**
 * `npm run bench:proxy`: what a proxy with no toxic costs. A TCP echo server (its own process),
 * reached directly, through the embedded Toxiproxy in this process (as `faultline run` uses it),
 * through `faultline proxy` (the CLI, a process of its own), through a bare Node.js relay process
 * (`socket.on('data', d => other.write(d))` both ways: the floor of a Node proxy process), through
 * a C relay (`--floor BINARY`, bench/floor-proxy.c: the floor of any proxy process) and, when
 * TOXIPROXY_URL is set, through that Toxiproxy. Per target and round: 1-byte ping-pong round
 * trips on one connection (p50, p99) and a bulk echo (MiB/s, bytes sent and read back at once).
 * Targets take turns within each round (rotating the order), and the medians over the rounds are
 * printed with the ratios the goal is stated in:
 *   added RTT / Toxiproxy added RTT  (goal <= 0.5; added = p50 through it - p50 direct)
 *   MiB/s / Toxiproxy MiB/s          (goal >= 1)
 * for every target but direct.
 * Options: --rounds N (default 5), --pings N (default 3000), --mib N (default 256), --floor BINARY.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
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

function textOption(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) {
    process.stderr.write(`bench:proxy: --${name} needs a value\n`);
    process.exit(3);
  }
  return v;
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

/**
 * The bare Node.js relay, run as this file with --relay UPSTREAM_PORT: prints its port, relays
 * each accepted connection to 127.0.0.1:UPSTREAM_PORT with 'data' -> write() both ways (no
 * backpressure, no API: the least a Node proxy process does per chunk), until stdin closes.
 */
function relayMain(upstreamPort: number): void {
  const server = createServer({ noDelay: true, pauseOnConnect: true }, (client) => {
    const upstream = connect({ host: '127.0.0.1', port: upstreamPort, noDelay: true }, () => client.resume());
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      from.on('data', (d: Buffer) => to.write(d));
      from.on('error', close);
      from.on('close', close);
    }
  });
  server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    process.stdout.write(`${typeof a === 'object' && a ? a.port : 0}\n`);
  });
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

/** Starts `command args` and resolves with the first line it prints that `parse` accepts. */
async function startPrinting<T>(what: string, command: string, args: string[], parse: (line: string) => T | undefined): Promise<{ value: T; child: ChildProcess }> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const value = await new Promise<T>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      for (const line of text.split('\n')) {
        const v = parse(line);
        if (v !== undefined) resolve(v);
      }
    });
    child.once('error', (err) => reject(new Error(`${what}: ${err.message}`)));
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it started`)));
  });
  return { value, child };
}

const portLine = (line: string): number | undefined => (/^\d+$/.test(line.trim()) ? Number(line.trim()) : undefined);
const self = fileURLToPath(import.meta.url);
const startEcho = () => startPrinting('echo server', process.execPath, [self, '--echo'], portLine);

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
  const floor = textOption('floor');
  if (floor !== undefined && !existsSync(floor)) {
    process.stderr.write(`bench:proxy: --floor ${floor}: no such file (build it: cc -O2 -pthread -o ${floor} bench/floor-proxy.c)\n`);
    process.exit(3);
  }
  const echo = await startEcho();
  const children: ChildProcess[] = [echo.child];
  const inProcess = await startEmbeddedToxiproxy({ port: 0 });
  const targets: Target[] = [{ name: 'direct', port: echo.value }];
  try {
    targets.push({ name: 'embedded', port: await createProxy(inProcess.url, 'bench_proxy', echo.value) });
    // `faultline proxy` exactly as a user runs it (bin/faultline.js, all of the CLI loaded)
    const cli = await startPrinting('faultline proxy', process.execPath, [fileURLToPath(new URL('../../bin/faultline.js', import.meta.url)), 'proxy', '--port', '0'], (line) =>
      /Toxiproxy API on (http:\S+)/.exec(line)?.[1],
    );
    children.push(cli.child);
    targets.push({ name: 'faultline-proxy', port: await createProxy(cli.value, 'bench_proxy', echo.value) });
    const relay = await startPrinting('node relay', process.execPath, [self, '--relay', String(echo.value)], portLine);
    children.push(relay.child);
    targets.push({ name: 'node-relay', port: relay.value });
    if (floor) {
      const c = await startPrinting(`--floor ${floor}`, floor, [String(echo.value)], portLine);
      children.push(c.child);
      targets.push({ name: 'c-relay', port: c.value });
    }
    const external = process.env.TOXIPROXY_URL?.replace(/\/$/, '');
    if (external) targets.push({ name: 'TOXIPROXY_URL', port: await createProxy(external, 'bench_proxy', echo.value) });
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
    process.stdout.write(`\n${'target'.padEnd(16)}${'RTT p50 µs'.padStart(12)}${'RTT p99 µs'.padStart(12)}${'added p50'.padStart(12)}${'MiB/s'.padStart(10)}\n`);
    for (const t of targets) {
      const m = med.get(t.name)!;
      const added = t.name === 'direct' ? '' : (m.p50 - direct.p50).toFixed(1);
      process.stdout.write(
        `${t.name.padEnd(16)}${m.p50.toFixed(1).padStart(12)}${m.p99.toFixed(1).padStart(12)}${added.padStart(12)}${m.mibps.toFixed(1).padStart(10)}\n`,
      );
    }
    process.stdout.write('\n');
    const real = med.get('TOXIPROXY_URL');
    for (const { name } of targets.filter((t) => t.name !== 'direct' && t.name !== 'TOXIPROXY_URL')) {
      const emb = med.get(name)!;
      process.stdout.write(`${name} / direct: RTT p50 x${(emb.p50 / direct.p50).toFixed(2)}, MiB/s x${(emb.mibps / direct.mibps).toFixed(2)}\n`);
      if (!real) continue;
      const ratio = (emb.p50 - direct.p50) / (real.p50 - direct.p50);
      // the relays are yardsticks (what any proxy process costs here), not faultline
      const [rttGoal, mibGoal] = name.endsWith('-relay') ? ['', ''] : [' (goal <= 0.5)', ' (goal >= 1)'];
      process.stdout.write(
        `${name} / TOXIPROXY_URL: added RTT x${ratio.toFixed(2)}${rttGoal}, RTT p99 x${(emb.p99 / real.p99).toFixed(2)}, MiB/s x${(emb.mibps / real.mibps).toFixed(2)}${mibGoal}\n`,
      );
    }
    if (real) {
      await fetch(`${external}/proxies/bench_proxy`, { method: 'DELETE' }).catch(() => undefined);
    } else {
      process.stdout.write('(set TOXIPROXY_URL to compare with a real Toxiproxy)\n');
    }
  } finally {
    await inProcess.close();
    for (const child of children) {
      // the CLI stops on SIGTERM; the relays and the echo server when their stdin closes
      child.kill('SIGTERM');
      child.stdin!.end();
    }
  }
}

if (process.argv.includes('--echo')) echoMain();
else if (process.argv.includes('--relay')) relayMain(Number(process.argv[process.argv.indexOf('--relay') + 1]));
else
  main().catch((err: unknown) => {
    process.stderr.write(`bench:proxy: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
