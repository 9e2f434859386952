/**
 * Test support for the reference systems: free loopback ports, and compiled entry points run as
 * real child processes that a test can wait on, SIGKILL, restart and always clean up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (this file is systems/common/testing.ts, or its dist/ copy). */
export const root: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
})();

/** A port free on 127.0.0.1 now, from below the ephemeral range (so a node killed and restarted
 *  on it keeps it). The harness's own choice: test support only, the systems never load this. */
export { freePort } from '../../harness/runtime/ports.js';

/**
 * The absolute path of a compiled entry point (`dist/systems/queue/main.js`); throws when a
 * `.ts` file of its system or of systems/common is newer than its compiled `.js`, so a test
 * never runs stale code.
 */
export function builtEntry(relative: string): string {
  const hint = 'run `npx tsc -p .` first';
  const file = join(root, relative);
  if (!existsSync(file)) throw new Error(`${relative} is missing: ${hint}`);
  for (const srcDir of [dirname(relative).replace(/^dist\//, ''), 'systems/common']) {
    for (const name of readdirSync(join(root, srcDir))) {
      // Tests and test support (tsconfig.json's exclude: testing.ts, test-*.ts) are not built.
      if (!name.endsWith('.ts') || name.endsWith('.test.ts') || /^test(ing|-.+)\.ts$/.test(name)) continue;
      const js = join(root, 'dist', srcDir, name.replace(/\.ts$/, '.js'));
      if (!existsSync(js) || statSync(join(root, srcDir, name)).mtimeMs > statSync(js).mtimeMs) {
        throw new Error(`dist/${srcDir}/${name.replace(/\.ts$/, '.js')} is missing or older than its source: ${hint}`);
      }
    }
  }
  return file;
}

export interface Spawned {
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when the output matches `pattern`; rejects on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends the signal and resolves once the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  readonly exited: Promise<number | null>;
}

/** Every process the current test file started, so afterEach/afterAll can stop them all. */
const running = new Set<Spawned>();

export function spawnNode(entry: string, env: Record<string, string>, args: readonly string[] = []): Spawned {
  const child = spawn(process.execPath, [entry, ...args], {
    env: { ...process.env, HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => {
    gone = true;
    running.delete(spawned);
    for (const l of listeners) l();
  });
  const spawned: Spawned = {
    child,
    exited,
    output: () => text,
    waitFor(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(text)) done(() => resolve());
          else if (gone) done(() => reject(new Error(`process exited before ${pattern}:\n${text}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${pattern}:\n${text}`))), timeoutMs);
        const done = (then: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          then();
        };
        listeners.add(check);
        check();
      });
    },
    async kill(signal = 'SIGKILL') {
      if (!gone) child.kill(signal);
      await exited;
    },
  };
  running.add(spawned);
  return spawned;
}

/** SIGKILLs every process still running; for afterEach/afterAll. */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill('SIGKILL')));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every `everyMs` until it returns a value other than undefined; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(everyMs);
  }
}

export interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** One HTTP request with a JSON body (a string is sent as is); the answer's JSON body, or {} when empty. */
export async function http(
  method: string,
  url: string,
  body?: unknown,
  options: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...options.headers }, signal: AbortSignal.timeout(options.timeoutMs ?? 5000) };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/**
 * A TCP forwarder from a free port on 127.0.0.1 to `targetPort`: one directed link a test can cut
 * and heal. `reset` resets every connection and refuses new ones; `drop` is a black hole: bytes
 * vanish and connections hang (as with a partition that drops packets), also after the heal for
 * the connections it caught.
 */
export class Forwarder {
  port = 0;
  private server: NetServer | undefined;
  private readonly pairs = new Set<[Socket, Socket | undefined]>();
  private mode: 'open' | 'reset' | 'drop' = 'open';

  constructor(private readonly targetPort: number) {}

  /** Listens; resolves with the port. */
  async start(): Promise<number> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  private accept(client: Socket): void {
    client.on('error', () => client.destroy());
    if (this.mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    if (this.mode === 'drop') {
      const pair: [Socket, Socket | undefined] = [client, undefined];
      this.pairs.add(pair);
      client.on('close', () => this.pairs.delete(pair));
      client.resume();
      return;
    }
    const upstream = connect(this.targetPort, '127.0.0.1');
    const pair: [Socket, Socket | undefined] = [client, upstream];
    this.pairs.add(pair);
    upstream.on('error', () => {
      client.destroy();
      upstream.destroy();
    });
    client.on('close', () => {
      upstream.destroy();
      this.pairs.delete(pair);
    });
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  cut(mode: 'reset' | 'drop' = 'reset'): void {
    this.mode = mode;
    for (const pair of this.pairs) {
      const [client, upstream] = pair;
      if (mode === 'reset') {
        client.resetAndDestroy();
        upstream?.resetAndDestroy();
      } else if (upstream) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        upstream.destroy();
        pair[1] = undefined;
        client.resume();
      }
    }
  }

  heal(): void {
    this.mode = 'open';
  }

  async close(): Promise<void> {
    this.cut('reset');
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

/** What a test cluster keeps per node: its process, and the output of its earlier ones. */
export interface ClusterNode {
  id: string;
  proc?: Spawned;
  earlier: string;
}

/**
 * Node processes and the Forwarders between them, for the systems' cluster tests.
 * `links.get("node1->node2")` is the forwarder node1 uses to reach node2.
 */
export class ForwardedCluster<N extends ClusterNode> {
  readonly nodes: N[] = [];
  readonly links = new Map<string, Forwarder>();

  node(id: string): N {
    const n = this.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** SIGKILL, and wait until the process is gone. */
  async kill(id: string): Promise<void> {
    const n = this.node(id);
    const proc = n.proc;
    n.proc = undefined;
    if (!proc) return;
    await proc.kill('SIGKILL');
    n.earlier += proc.output();
  }

  /** Cuts the directed link `from` -> `to` (requests from `from` to `to` fail). */
  cut(from: string, to: string): void {
    this.links.get(`${from}->${to}`)!.cut();
  }

  /** Cuts every link to and from `id`. */
  isolate(id: string): void {
    for (const [name, f] of this.links) {
      const [from, to] = name.split('->');
      if (from === id || to === id) f.cut();
    }
  }

  healAll(): void {
    for (const f of this.links.values()) f.heal();
  }

  logs(): string {
    return this.nodes.map((n) => `--- ${n.id}\n${n.earlier}${n.proc?.output() ?? ''}`).join('\n');
  }

  /** Kills every node and closes every link. */
  protected async stopNodesAndLinks(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.kill(n.id)));
    await Promise.all([...this.links.values()].map((f) => f.close()));
  }
}
