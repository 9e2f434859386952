/**
 * Builds histories by hand (tests, benches, examples): calls are given with their start and end
 * times in ms, ops are ordered by time and indexed on `build()`.
 */
import type { Op, OpType, ProcessId } from '../../core/op.js';

export interface CallSpec {
  process: ProcessId;
  f: string;
  key?: string;
  /** The invoke's value. */
  value?: unknown;
  /** Invoke time, ms. */
  start: number;
  /** Completion time, ms; omitted: no completion (pending at the end, or a monitor's lone info). */
  end?: number;
  /** Completion type; default ok. */
  type?: Exclude<OpType, 'invoke'>;
  /** The completion's value. */
  result?: unknown;
  node?: string;
  error?: string;
}

/** Indexes of a call's ops, filled in by `build()`. */
export interface CallRef {
  invoke: number;
  completion: number;
  /** Both, for comparing with an anomaly's `ops`. */
  ops: number[];
}

interface Draft {
  op: Omit<Op, 'index'>;
  ref: CallRef;
  role: 'invoke' | 'completion';
  seq: number;
}

export class HistoryBuilder {
  private readonly drafts: Draft[] = [];

  call(spec: CallSpec): CallRef {
    const ref: CallRef = { invoke: -1, completion: -1, ops: [] };
    const base = { process: spec.process, f: spec.f, ...(spec.key !== undefined ? { key: spec.key } : {}), ...(spec.node !== undefined ? { node: spec.node } : {}) };
    this.drafts.push({ op: { ...base, time: Math.round(spec.start * 1e6), type: 'invoke', ...(spec.value !== undefined ? { value: spec.value } : {}) }, ref, role: 'invoke', seq: this.drafts.length });
    if (spec.end !== undefined) {
      if (spec.end < spec.start) throw new Error(`call ${spec.f} of ${spec.process} ends (${spec.end}) before it starts (${spec.start})`);
      const completion: Omit<Op, 'index'> = { ...base, time: Math.round(spec.end * 1e6), type: spec.type ?? 'ok' };
      if (spec.result !== undefined) completion.value = spec.result;
      if (spec.error !== undefined) completion.error = spec.error;
      this.drafts.push({ op: completion, ref, role: 'completion', seq: this.drafts.length });
    }
    return ref;
  }

  /** A lone op (no invoke), e.g. a monitor's `info` status sample. */
  single(op: Omit<Op, 'index' | 'time'> & { at: number }): CallRef {
    const ref: CallRef = { invoke: -1, completion: -1, ops: [] };
    const { at, ...rest } = op;
    this.drafts.push({ op: { ...rest, time: Math.round(at * 1e6) }, ref, role: 'completion', seq: this.drafts.length });
    return ref;
  }

  /** A nemesis op: invoke at `start`, info at `end`. */
  nemesis(f: string, start: number, end: number, value?: unknown): CallRef {
    return this.call({ process: 'nemesis', f, start, end, type: 'info', value, result: value });
  }

  monitor(node: string, at: number, value: { role: string; term: number; leader?: string | null } | { error: string }): CallRef {
    return 'error' in value
      ? this.single({ process: 'monitor', type: 'info', f: 'status', node, error: value.error, at })
      : this.single({ process: 'monitor', type: 'info', f: 'status', node, value, at });
  }

  build(): Op[] {
    const sorted = [...this.drafts].sort((a, b) => {
      if (a.op.time !== b.op.time) return a.op.time - b.op.time;
      if (a.ref === b.ref || a.role === b.role) return a.seq - b.seq; // a call's invoke was pushed first
      return a.role === 'completion' ? -1 : 1;
    });
    return sorted.map((d, index) => {
      if (d.role === 'invoke') d.ref.invoke = index;
      else d.ref.completion = index;
      d.ref.ops = [d.ref.invoke, d.ref.completion].filter((i) => i >= 0).sort((a, b) => a - b);
      return { index, ...d.op } as Op;
    });
  }
}
