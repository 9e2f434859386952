/**
 * The one way coverage is counted, op by op in time order: the `coverage` checker feeds it a
 * whole history, the adaptive nemesis (harness/nemesis/adaptive.ts) the ops as they are recorded.
 * It reads the status monitor's samples (`process: "monitor"`, `f: "status"`, value
 * `{role, term, leader, progress}`) and the nemesis ops:
 * - leaderChanges: a node claiming leadership in a later term, or as another node, than the last claim
 *   (a deposed leader still claiming its older term is no change);
 * - terms: distinct terms seen; electionsWithoutWinner: terms in which no node claimed leadership;
 * - restarts: nodes restarted (`restart`) or resumed (`resume`) by the nemesis;
 * - rejoinsAfterBehind: a node whose term or progress (commit index, revision: the descriptor's
 *   `status.progress`) fell below what the cluster had reached at least `BEHIND_LAG_NS` before,
 *   and beyond anything the node itself had shown (it was cut off, paused or down while the
 *   cluster moved on), and that later reached that point;
 * - opsAcrossLeaderChange: client ops that completed ok and were in flight when a leader change was first seen.
 */
import type { Coverage } from '../../core/coverage.js';
import type { Op } from '../../core/op.js';

/** How long the cluster must have been ahead of a node before the node counts as behind (history time, ns):
 *  longer than a heartbeat, so a follower a message behind is not "behind". */
export const BEHIND_LAG_NS = 1e9;

type Progress = readonly number[];

/** A number, or a dotted version like "3.17" (compared part by part); anything else is no progress. */
function progressOf(v: unknown): Progress | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return [v];
  if (typeof v === 'string' && /^\d{1,15}(\.\d{1,15})*$/.test(v)) return v.split('.').map(Number);
  return undefined;
}

function compare(a: Progress, b: Progress): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const maxOf = (a: Progress | undefined, b: Progress | undefined): Progress | undefined => (a === undefined ? b : b === undefined || compare(a, b) >= 0 ? a : b);
const maxNum = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : Math.max(a, b));

interface Level {
  term?: number | undefined;
  progress?: Progress | undefined;
}

/** `a` is below `b` in term or progress. */
function below(a: Level, b: Level): boolean {
  return (a.term !== undefined && b.term !== undefined && a.term < b.term) || (a.progress !== undefined && b.progress !== undefined && compare(a.progress, b.progress) < 0);
}

export class CoverageCounter {
  private statusSamples = 0;
  private readonly terms = new Set<number>();
  private readonly termsWithLeader = new Set<number>();
  private lastLeader: { node: string; term: unknown } | undefined;
  private leaderChanges = 0;
  private lastChangeTime = -Infinity;
  private restarts = 0;
  private rejoins = 0;
  private opsAcrossLeaderChange = 0;
  private readonly invokes = new Map<number, number>();
  /** Samples not yet BEHIND_LAG_NS old, and the cluster's highest level among the older ones. */
  private readonly recent: (Level & { time: number })[] = [];
  private lagged: Level = {};
  /** Each node's highest level so far, and the level it must reach when it is behind. */
  private readonly best = new Map<string, Level>();
  private readonly behind = new Map<string, Level>();

  /** Feeds one op (ops must come in time order). */
  add(op: Op): void {
    if (op.process === 'monitor' && op.f === 'status') this.status(op);
    else if (op.process === 'nemesis' && (op.f === 'restart' || op.f === 'resume') && op.type !== 'invoke') {
      const nodes = (op.value as { nodes?: unknown } | undefined)?.nodes;
      this.restarts += Array.isArray(nodes) ? nodes.length : 1;
    } else if (typeof op.process === 'number') {
      if (op.type === 'invoke') this.invokes.set(op.process, op.time);
      else {
        const invoked = this.invokes.get(op.process);
        this.invokes.delete(op.process);
        if (invoked !== undefined && op.type === 'ok' && this.lastChangeTime > invoked && this.lastChangeTime < op.time) this.opsAcrossLeaderChange++;
      }
    }
  }

  private status(op: Op): void {
    if (op.error !== undefined || op.value === undefined) return;
    this.statusSamples++;
    const v = (op.value ?? {}) as { role?: unknown; term?: unknown; progress?: unknown };
    const term = typeof v.term === 'number' ? v.term : undefined;
    if (term !== undefined) this.terms.add(term);
    if (typeof op.node === 'string') this.rejoin(op.node, op.time, { term, progress: progressOf(v.progress) });
    if (v.role !== 'leader' || typeof op.node !== 'string') return;
    if (term !== undefined) this.termsWithLeader.add(term);
    // a deposed leader still claiming an older term is not a change (it is the invariants checker's business)
    const lastTerm = this.lastLeader?.term;
    if (term !== undefined && typeof lastTerm === 'number' && term < lastTerm) return;
    if (this.lastLeader && (this.lastLeader.node !== op.node || this.lastLeader.term !== v.term)) {
      this.leaderChanges++;
      this.lastChangeTime = op.time;
    }
    this.lastLeader = { node: op.node, term: v.term };
  }

  private rejoin(node: string, time: number, level: Level): void {
    while (this.recent.length > 0 && this.recent[0]!.time <= time - BEHIND_LAG_NS) {
      const old = this.recent.shift()!;
      this.lagged = { term: maxNum(this.lagged.term, old.term), progress: maxOf(this.lagged.progress, old.progress) };
    }
    const target = this.behind.get(node);
    const best = this.best.get(node) ?? {};
    if (target) {
      if (!below(level, target)) {
        this.rejoins++;
        this.behind.delete(node);
      }
    } else if (below(level, this.lagged) && below(best, this.lagged)) {
      // the cluster went past anything this node had shown, and the node is not there now
      this.behind.set(node, { ...this.lagged });
    }
    this.best.set(node, { term: maxNum(best.term, level.term), progress: maxOf(best.progress, level.progress) });
    this.recent.push({ time, ...level });
  }

  counts(): Coverage {
    return {
      leaderChanges: this.leaderChanges,
      terms: this.terms.size,
      electionsWithoutWinner: [...this.terms].filter((t) => !this.termsWithLeader.has(t)).length,
      restarts: this.restarts,
      rejoinsAfterBehind: this.rejoins,
      opsAcrossLeaderChange: this.opsAcrossLeaderChange,
      statusSamples: this.statusSamples,
    };
  }
}

/** The coverage of a whole history. */
export function coverageOf(history: readonly Op[]): Coverage {
  const counter = new CoverageCounter();
  for (const op of [...history].sort((a, b) => a.time - b.time)) counter.add(op);
  return counter.counts();
}
