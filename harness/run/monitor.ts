/**
 * The status monitor: asks every node for its view of the cluster (the descriptor's `status`
 * path) every `intervalMs` (campaign `monitor.interval`, default 200 ms), straight at the node
 * (not through its proxy, so a partition does not hide it), and records each answer as a
 * `monitor` info op (`{role, term, leader, progress}`) for the invariants and coverage checkers. It also remembers the latest views, so the
 * nemesis can find the leader. A status request waits the interval clamped to 100..250 ms.
 */
import { readPath, type SystemDescriptor } from '../descriptor.js';
import { getJson } from '../runtime/health.js';
import type { Runtime } from '../runtime/runtime.js';
import type { HistoryWriter } from './history.js';

export interface NodeView {
  role?: unknown;
  term?: unknown;
  leader?: unknown;
  /** The descriptor's `status.progress` (commit index, revision). */
  progress?: unknown;
}

export class StatusMonitor {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly views = new Map<string, { view: NodeView; at: number }>();
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly system: SystemDescriptor,
    private readonly nodes: readonly string[],
    private readonly runtime: Runtime,
    private readonly history: HistoryWriter,
    private readonly intervalMs = 200,
  ) {}

  start(): void {
    const status = this.system.status;
    if (!status || this.running) return;
    this.running = true;
    this.loops = this.nodes.map(async (node) => {
      while (this.running) {
        const started = Date.now();
        const answer = await getJson(this.runtime.address(node), status.path, Math.min(Math.max(this.intervalMs, 100), 250));
        if (!this.running) break;
        if ('error' in answer) {
          this.views.delete(node);
          this.history.record({ process: 'monitor', type: 'info', f: 'status', node, error: answer.error });
        } else {
          const value: NodeView = { role: readPath(answer.body, status.role) };
          if (status.term) value.term = readPath(answer.body, status.term);
          if (status.leader) value.leader = readPath(answer.body, status.leader);
          if (status.progress) value.progress = readPath(answer.body, status.progress);
          this.views.set(node, { view: value, at: Date.now() });
          this.history.record({ process: 'monitor', type: 'info', f: 'status', node, value });
        }
        await this.sleep(Math.max(0, this.intervalMs - (Date.now() - started)));
      }
    });
  }

  /** The node that most recently claimed leadership with the highest term, if any. */
  leader(): string | undefined {
    const leaderRole = this.system.status?.leaderRole ?? 'leader';
    let best: { node: string; term: number } | undefined;
    for (const [node, { view }] of this.views) {
      if (view.role !== leaderRole) continue;
      const term = typeof view.term === 'number' ? view.term : 0;
      if (!best || term > best.term) best = { node, term };
    }
    return best?.node;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const wake of [...this.wakers]) wake();
    await Promise.all(this.loops);
  }
}
