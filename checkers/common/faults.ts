/**
 * Fault windows from nemesis ops: start-X..stop-X, kill..restart, power-loss..restart, pause..resume.
 * A window opens at the invoke of the op that starts the fault (it may bite any time after) and
 * closes at the completion of the op that ends it; a fault never ended lasts to the history's end.
 */
import type { Op } from '../../core/op.js';

export interface FaultWindow {
  /** partition, latency, kill, power-loss, pause, or X of any start-X/stop-X pair. */
  kind: string;
  /** The node the window is about, when the nemesis op named nodes. */
  node?: string;
  start: number;
  /** Infinity when no op ended it. */
  end: number;
  /** History indexes of the start op (invoke) and of the end op (completion) when there is one. */
  ops: number[];
}

const PAIRS: Record<string, string> = { kill: 'restart', 'power-loss': 'restart', pause: 'resume' };
/** The kinds each closing op ends (a restart ends a kill or a power loss of its node). */
const CLOSERS: Record<string, string[]> = {};
for (const [opener, closer] of Object.entries(PAIRS)) (CLOSERS[closer] ??= []).push(opener);

function opening(f: string): string | undefined {
  if (f.startsWith('start-')) return f.slice('start-'.length);
  return f in PAIRS ? f : undefined;
}

function closing(f: string): string[] | undefined {
  if (f.startsWith('stop-')) return [f.slice('stop-'.length)];
  return CLOSERS[f];
}

function nodesOf(value: unknown): string[] | undefined {
  if (value && typeof value === 'object' && 'nodes' in value) {
    const nodes = (value as { nodes: unknown }).nodes;
    if (Array.isArray(nodes) && nodes.every((n) => typeof n === 'string')) return nodes as string[];
  }
  return undefined;
}

export function faultWindows(history: readonly Op[]): FaultWindow[] {
  const windows: FaultWindow[] = [];
  // Faults of one kind (on one node) may overlap: a window closes when the last of them ends.
  const open = new Map<string, { window: FaultWindow; depth: number }>();
  // The nemesis is one process: its invoke is followed by its info; pair them to know both times.
  let pendingInvoke: Op | undefined;
  for (const op of history) {
    if (op.process !== 'nemesis') continue;
    if (op.type === 'invoke') {
      pendingInvoke = op;
      continue;
    }
    const invoke = pendingInvoke && pendingInvoke.f === op.f ? pendingInvoke : undefined;
    pendingInvoke = undefined;
    if (op.type === 'fail') continue; // the fault certainly did not happen
    const value = op.value ?? invoke?.value;
    const start = invoke ?? op;
    const opened = opening(op.f);
    if (opened) {
      const nodes = nodesOf(value);
      // A kill or pause that failed before choosing its nodes did nothing.
      if (opened in PAIRS && !nodes && op.error !== undefined) continue;
      for (const node of nodes ?? [undefined]) {
        const key = node === undefined ? opened : `${opened}\u0000${node}`;
        const already = open.get(key);
        if (already) {
          already.depth++;
          already.window.ops.push(start.index);
          continue;
        }
        const w: FaultWindow = { kind: opened, start: start.time, end: Infinity, ops: [start.index] };
        if (node !== undefined) w.node = node;
        open.set(key, { window: w, depth: 1 });
        windows.push(w);
      }
      continue;
    }
    const closed = closing(op.f);
    if (closed) {
      const nodes = nodesOf(value);
      for (const [key, entry] of [...open]) {
        const w = entry.window;
        if (!closed.includes(w.kind)) continue;
        if (nodes && w.node !== undefined && !nodes.includes(w.node)) continue;
        w.ops.push(op.index);
        // kill..restart and pause..resume are states of a node: one end ends them all.
        entry.depth = w.node !== undefined && w.kind in PAIRS ? 0 : entry.depth - 1;
        if (entry.depth > 0) continue;
        w.end = op.time;
        open.delete(key);
      }
    }
  }
  return windows.sort((a, b) => a.start - b.start);
}

export interface Interval {
  start: number;
  end: number;
}

/** The union of windows as disjoint, sorted intervals. */
export function mergeWindows(windows: readonly Interval[]): Interval[] {
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.start <= last.end) last.end = Math.max(last.end, w.end);
    else out.push({ start: w.start, end: w.end });
  }
  return out;
}

/** Whether [start, end] meets any of the merged intervals. */
export function overlaps(intervals: readonly Interval[], start: number, end: number): boolean {
  // Intervals are few (a nemesis acts every few seconds): a scan is fine.
  for (const i of intervals) {
    if (i.start > end) return false;
    if (i.end >= start) return true;
  }
  return false;
}
