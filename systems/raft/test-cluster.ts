/**
 * Test helpers for the Raft node: real node processes on 127.0.0.1 with free ports and short
 * timers, TCP forwarders between them that a test can cut, and fake peers that answer raft RPCs
 * as a test says. Used by the *.test.ts files next to this one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtEntry, Forwarder, ForwardedCluster, freePort, http, sleep, spawnNode, waitFor, type ClusterNode } from '../common/testing.js';

const MAIN = 'dist/systems/raft/main.js';

export interface NodeHandle extends ClusterNode {
  port: number;
  url: string;
  dataDir: string;
  env: Record<string, string>;
}

export interface ClusterOptions {
  size: number;
  bugs?: string[];
  env?: Record<string, string>;
  /** Route every node-to-node link through its own Forwarder (so links can be cut). */
  forwarders?: boolean;
}

/** A real cluster of raft node processes. `stop()` kills every process and removes the data. */
export class Cluster extends ForwardedCluster<NodeHandle> {
  private readonly root: string;

  private constructor() {
    super();
    this.root = mkdtempSync(join(tmpdir(), 'faultline-raft-'));
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    builtEntry(MAIN);
    const cluster = new Cluster();
    try {
      const ids = Array.from({ length: options.size }, (_, i) => `node${i + 1}`);
      const ports: number[] = [];
      for (let i = 0; i < ids.length; i++) ports.push(await freePort());
      for (let i = 0; i < ids.length; i++) {
        const peers: string[] = [];
        for (let j = 0; j < ids.length; j++) {
          if (i === j) continue;
          let port = ports[j]!;
          if (options.forwarders) {
            const fwd = new Forwarder(port);
            await fwd.start();
            cluster.links.set(`${ids[i]}->${ids[j]}`, fwd);
            port = fwd.port;
          }
          peers.push(`${ids[j]}=127.0.0.1:${port}`);
        }
        cluster.addNode(ids[i]!, ports[i]!, peers.join(','), options.bugs ?? [], options.env ?? {});
      }
      await Promise.all(cluster.nodes.map((n) => cluster.startNode(n.id)));
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  /** One node `node1` with the given PEER_IDS (e.g. fake peers). */
  static async single(peers: string, bugs: string[], env: Record<string, string> = {}): Promise<Cluster> {
    builtEntry(MAIN);
    const cluster = new Cluster();
    try {
      cluster.addNode('node1', await freePort(), peers, bugs, env);
      await cluster.startNode('node1');
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  private addNode(id: string, port: number, peers: string, bugs: string[], env: Record<string, string>): void {
    const dataDir = join(this.root, id);
    this.nodes.push({
      id,
      port,
      url: `http://127.0.0.1:${port}`,
      dataDir,
      proc: undefined,
      earlier: '',
      env: {
        NODE_ID: id,
        PORT: String(port),
        PEER_IDS: peers,
        DATA_DIR: dataDir,
        ADVERTISE_URL: `http://127.0.0.1:${port}`,
        // Short, but with room for a loaded CI machine (a starved leader should not lose office mid-test).
        ELECTION_TIMEOUT_MIN_MS: '300',
        ELECTION_TIMEOUT_MAX_MS: '600',
        COMMIT_TIMEOUT_MS: '2000',
        RPC_TIMEOUT_MS: '500',
        BUGS: bugs.join(','),
        ...env,
      },
    });
  }


  async startNode(id: string): Promise<void> {
    const n = this.node(id);
    const proc = spawnNode(builtEntry(MAIN), n.env);
    n.proc = proc;
    await waitFor(`${id} to answer /debug`, async () => {
      if (proc.child.exitCode !== null) return `exited with ${proc.child.exitCode}: ${proc.output()}`;
      return (await http('GET', `${n.url}/debug`, undefined, { timeoutMs: 500 })).status === 200 ? 'up' : undefined;
    }).then((state) => {
      if (state !== 'up') throw new Error(`${id} ${state}`);
    });
  }


  signal(id: string, sig: 'SIGSTOP' | 'SIGCONT'): void {
    this.node(id).proc?.child.kill(sig);
  }

  async debug(id: string): Promise<Record<string, unknown>> {
    return (await http('GET', `${this.node(id).url}/debug`, undefined, { timeoutMs: 1000 })).body;
  }

  /** Waits until exactly one running node among `among` says it is leader (with a term above `aboveTerm`). */
  async leader(among: string[] = this.nodes.map((n) => n.id), aboveTerm = -1, timeoutMs = 10_000): Promise<NodeHandle> {
    return waitFor(
      'a leader',
      async () => {
        const views = await Promise.all(
          among.map(async (id) => ({ id, d: await this.debug(id).catch(() => undefined) })),
        );
        const leaders = views.filter((v) => v.d?.state === 'leader' && (v.d.term as number) > aboveTerm);
        return leaders.length === 1 ? this.node(leaders[0]!.id) : undefined;
      },
      timeoutMs,
    );
  }




  async stop(): Promise<void> {
    await this.stopNodesAndLinks();
    rmSync(this.root, { recursive: true, force: true });
  }
}

export type RpcHandler = (body: Record<string, unknown>, res: ServerResponse) => void;

/** A stand-in peer: an HTTP server that answers raft RPCs with what the test says. */
export class FakePeer {
  readonly received: { path: string; body: Record<string, unknown> }[] = [];
  private constructor(
    readonly id: string,
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(id: string, handlers: { vote?: RpcHandler; append?: RpcHandler }): Promise<FakePeer> {
    let self: FakePeer | undefined;
    const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          // leave empty
        }
        self?.received.push({ path: req.url ?? '', body });
        const handler = req.url === '/raft/request-vote' ? handlers.vote : req.url === '/raft/append-entries' ? handlers.append : undefined;
        if (handler) handler(body, res);
        else reply(res, 404, { error: 'Not found' });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    self = new FakePeer(id, server, (server.address() as { port: number }).port);
    return self;
  }

  get spec(): string {
    return `${this.id}=127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** Starts one real node (`node1`) whose peers are the given fakes. */
export async function startSingle(fakes: FakePeer[], bugs: string[], env: Record<string, string> = {}): Promise<Cluster> {
  return Cluster.single(fakes.map((f) => f.spec).join(','), bugs, env);
}
