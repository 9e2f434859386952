/**
 * Test support: a store cluster of real node processes on 127.0.0.1 with free ports and short
 * timers, every node-to-node link through a Forwarder that a test can cut.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll } from 'vitest';
import { builtEntry, Forwarder, ForwardedCluster, freePort, http, sleep, spawnNode, waitFor, type ClusterNode, type HttpAnswer, type Spawned } from '../../common/testing.js';

/** The store's compiled entry point (throws when dist/ is missing or older than the sources). */
export const storeMain = (): string => builtEntry('dist/systems/store/main.js');

export interface ClusterOptions {
  nodes?: number;
  env?: Record<string, string>;
  bugs?: string[];
  /** Give each node a data dir (kept across restarts of that node). */
  persist?: boolean;
}

interface NodeProc extends ClusterNode {
  port: number;
  paused?: boolean;
  dataDir?: string;
}

export const TEST_TIMERS = { HEARTBEAT_MS: '100', ELECTION_TIMEOUT_MS: '1000', RPC_TIMEOUT_MS: '500' };

export class StoreCluster extends ForwardedCluster<NodeProc> {
  private tmp: string | undefined;

  private constructor(readonly options: ClusterOptions) {
    super();
  }

  static async start(options: ClusterOptions = {}): Promise<StoreCluster> {
    const c = new StoreCluster(options);
    try {
      await c.init();
    } catch (err) {
      await c.stop();
      throw new Error(`${(err as Error).message}\n${c.logs()}`);
    }
    return c;
  }

  private async init(): Promise<void> {
    const n = this.options.nodes ?? 3;
    if (this.options.persist) this.tmp = mkdtempSync(join(tmpdir(), 'faultline-store-'));
    for (let i = 1; i <= n; i++) {
      const node: NodeProc = { id: `node-${i}`, port: await freePort(), earlier: '' };
      if (this.tmp) node.dataDir = join(this.tmp, node.id);
      this.nodes.push(node);
    }
    for (const a of this.nodes) {
      for (const b of this.nodes) {
        if (a === b) continue;
        const f = new Forwarder(b.port);
        await f.start();
        this.links.set(`${a.id}->${b.id}`, f);
      }
    }
    await Promise.all(this.nodes.map((node) => this.launch(node)));
  }

  url(id: string): string {
    return `http://127.0.0.1:${this.node(id).port}`;
  }

  /** Starts a node and waits until it answers (its port comes from freePort: nothing else takes it). */
  private async launch(node: NodeProc): Promise<void> {
    const proc = this.spawn(node);
    const up = waitFor(`${node.id} to answer`, async () => ((await this.status(node.id)).nodeId ? ('up' as const) : undefined));
    const outcome = await Promise.race([up, proc.exited.then(() => 'exited' as const)]);
    if (outcome === 'up') return;
    up.catch(() => {});
    throw new Error(`${node.id} exited at start:\n${proc.output()}`);
  }

  private spawn(node: NodeProc): Spawned {
    const peers = this.nodes
      .filter((p) => p !== node)
      .map((p) => `${p.id}=http://127.0.0.1:${this.links.get(`${node.id}->${p.id}`)!.port}`)
      .join(',');
    node.earlier += node.proc?.output() ?? '';
    node.proc = spawnNode(storeMain(), {
      ...TEST_TIMERS,
      NODE_ID: node.id,
      PORT: String(node.port),
      PEERS: peers,
      ADVERTISE_URL: this.url(node.id),
      ...(node.dataDir ? { DATA_DIR: node.dataDir } : {}),
      ...(this.options.bugs?.length ? { BUGS: this.options.bugs.join(',') } : {}),
      ...this.options.env,
    });
    return node.proc;
  }

  async status(id: string): Promise<Record<string, unknown>> {
    return (await http('GET', `${this.url(id)}/status`)).body;
  }

  /**
   * A PUT (with `body`) or DELETE on `id`, retried while it answers 503: on a loaded machine a
   * leader may briefly step down and take over again. For set-up steps, not for testing a 503.
   */
  async write(id: string, key: string, body?: string): Promise<HttpAnswer> {
    const url = `${this.url(id)}/key/${encodeURIComponent(key)}`;
    const method = body === undefined ? 'DELETE' : 'PUT';
    let answer = await http(method, url, body);
    for (const deadline = Date.now() + 5000; answer.status === 503 && Date.now() < deadline; ) {
      await sleep(100);
      answer = await http(method, url, body);
    }
    return answer;
  }

  /** Waits until `id` says it leads and every other running node names it as leader. */
  async waitForLeader(id: string, timeoutMs = 10_000): Promise<void> {
    await waitFor(
      `${id} to lead`,
      async () => {
        for (const n of this.nodes) {
          if (!n.proc || n.paused) continue;
          const s = await this.status(n.id);
          if (s.leaderId !== id || (n.id === id && s.role !== 'leader')) return undefined;
        }
        return true;
      },
      timeoutMs,
    );
  }

  /** Waits until `id` holds the same map revision as `like`. */
  async waitForRevision(id: string, like: string): Promise<void> {
    await waitFor(`${id} to catch up with ${like}`, async () => {
      const [a, b] = await Promise.all([this.status(id), this.status(like)]);
      return a.revision !== null && a.revision === b.revision ? true : undefined;
    });
  }


  async restart(id: string): Promise<void> {
    await this.kill(id);
    await this.launch(this.node(id));
  }

  /** SIGSTOP / SIGCONT: the node freezes and later resumes, timers and all. */
  pause(id: string): void {
    const n = this.node(id);
    n.proc?.child.kill('SIGSTOP');
    n.paused = true;
  }

  resume(id: string): void {
    const n = this.node(id);
    n.proc?.child.kill('SIGCONT');
    n.paused = false;
  }





  async stop(): Promise<void> {
    await this.stopNodesAndLinks();
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
  }
}

/**
 * The hooks of a test file that starts a cluster per test: the node is built once, and the
 * cluster a test started is stopped after it (its logs printed when the test failed).
 */
export function clusterPerTest(): (options?: ClusterOptions) => Promise<StoreCluster> {
  let cluster: StoreCluster | undefined;
  beforeAll(() => void storeMain(), 120_000);
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && cluster) process.stderr.write(cluster.logs());
    await cluster?.stop();
    cluster = undefined;
  });
  return async (options) => (cluster = await StoreCluster.start(options));
}
