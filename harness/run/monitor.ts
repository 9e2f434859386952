/**
 * The status monitor: asks every node for its view of the cluster (the descriptor's `status`
 * path) every `intervalMs` (campaign `monitor.interval`, default 200 ms), straight at the node
 * (not through its proxy, so a partition does not hide it), and records each answer as a
 * `monitor` info op (`{role, term, leader, progress}`) for the invariants and coverage checkers. It also remembers the latest views, so the
 * nemesis can find the leader. A status request waits the interval clamped to 100..250 ms.
 *
 * Watch: after each nemesis action (`watch()`) the monitor asks every `watch.interval` for
 * `watch.duration` instead, since the elections a fault sets off are over in tens of
 * milliseconds and two leaders of one term may each hold office for less than that. While
 * watching, a node's answer is recorded when its role, term, leader or error changed, or when
 * `interval` has passed since its last recorded one (so the history keeps the usual density).
 */
import { Agent } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
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

/** How often the monitor asks: `intervalMs` normally, `watch.intervalMs` for `watch.durationMs` after `watch()`. */
export interface MonitorTiming {
  intervalMs: number;
  watch?: { intervalMs: number; durationMs: number };
}

/** What decides whether a watched sample is worth a history line: role, term, leader or error. */
type Seen = { role?: unknown; term?: unknown; leader?: unknown; error?: string };

export class StatusMonitor {
  private running = false;
  private watchUntil = 0;
  /** One kept-alive connection per node: while watching, a request every few ms. */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly lastRecorded = new Map<string, { seen: Seen; at: number }>();
  private loops: Promise<void>[] = [];
  private readonly views = new Map<string, { view: NodeView; at: number }>();
  private readonly wakers = new Set<() => void>();
  private readonly leaderListeners: ((leader: string) => void)[] = [];
  private lastLeader: string | undefined;

  constructor(
    private readonly system: SystemDescriptor,
    private readonly nodes: readonly string[],
    private readonly runtime: Runtime,
    private readonly history: HistoryWriter,
    private readonly timing: MonitorTiming = { intervalMs: 200 },
  ) {}

  /** A fault started or ended: ask often for a while (no-op without a watch). */
  watch(): void {
    const w = this.timing.watch;
    if (!w || w.durationMs <= 0 || !this.running) return;
    this.watchUntil = Math.max(this.watchUntil, performance.now() + w.durationMs);
    for (const wake of [...this.wakers]) wake();
  }

  private watching(): boolean {
    return this.timing.watch !== undefined && performance.now() < this.watchUntil;
  }

  /** Every answer outside a watch; inside one only changes, or the first after a normal interval. */
  private worthRecording(node: string, seen: Seen): boolean {
    const now = performance.now();
    const last = this.lastRecorded.get(node);
    if (this.watching() && last && isDeepStrictEqual(last.seen, seen) && now - last.at < this.timing.intervalMs) return false;
    this.lastRecorded.set(node, { seen, at: now });
    return true;
  }

  start(): void {
    const status = this.system.status;
    if (!status || this.running) return;
    this.running = true;
    this.loops = this.nodes.map(async (node) => {
      while (this.running) {
        const started = Date.now();
        const { intervalMs } = this.timing;
        const answer = await getJson(this.runtime.address(node), status.path, Math.min(Math.max(intervalMs, 100), 250), this.agent);
        if (!this.running) break;
        if ('error' in answer) {
          this.views.delete(node);
          if (this.worthRecording(node, { error: answer.error })) this.history.record({ process: 'monitor', type: 'info', f: 'status', node, error: answer.error });
        } else {
          const value: NodeView = { role: readPath(answer.body, status.role) };
          if (status.term) value.term = readPath(answer.body, status.term);
          if (status.leader) value.leader = readPath(answer.body, status.leader);
          if (status.progress) value.progress = readPath(answer.body, status.progress);
          this.views.set(node, { view: value, at: Date.now() });
          this.noticeLeader();
          if (this.worthRecording(node, { role: value.role, term: value.term, leader: value.leader })) {
            this.history.record({ process: 'monitor', type: 'info', f: 'status', node, value });
          }
        }
        const period = this.watching() ? this.timing.watch!.intervalMs : intervalMs;
        await this.sleep(Math.max(0, period - (Date.now() - started)));
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

  /** Calls `listener` with the new leader whenever `leader()` names another node than it last
   *  did (the first leader included): an election seen within one status interval (the watch's
   *  10 ms right after a fault), before clients need to have noticed it. */
  onLeaderChange(listener: (leader: string) => void): void {
    this.leaderListeners.push(listener);
  }

  private noticeLeader(): void {
    const leader = this.leader();
    if (leader === undefined || leader === this.lastLeader) return;
    this.lastLeader = leader;
    for (const listener of this.leaderListeners) listener(leader);
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
    this.agent.destroy();
  }
}
