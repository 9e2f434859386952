/**
 * Random concurrent histories for the differential tests and the checker benchmark: clients run
 * operations against a simulated atomic store (each takes effect at one instant between its
 * invoke and its completion), some time out (`info`: they took effect or not, maybe after the
 * client gave up), some fail (`fail`: no effect), and some carry an injected anomaly (a stale
 * read, a lost write, a value never written, an append put before the one it followed).
 * The choices come from `Choices`, so a history replays from a seed (or from a fast-check tape).
 */
import type { Op } from '../../../core/op.js';

export type GeneratedModel = 'register' | 'cas-register' | 'kv';

/** The random source: an integer in [0, n). */
export interface Choices {
  int(n: number): number;
}

export interface HistoryShape {
  model: GeneratedModel;
  /** Operations in all (default 20). */
  ops?: number;
  clients?: number;
  keys?: number;
  /** Chance that an operation times out (`info`), fails (`fail`), or carries an anomaly. */
  infoRate?: number;
  failRate?: number;
  anomalyRate?: number;
  /** Distinct values written (register models; default: every write a new value). */
  values?: number;
  /** kv only: the share of appends among the operations (default 0.35). */
  appendShare?: number;
  /** Only operations with these `f` time out (default: any); `infoRate` is then their chance. */
  infoFs?: readonly string[];
}

export type Anomaly = 'stale-read' | 'lost-write' | 'never-written' | 'reordered-append';

export interface GeneratedHistory {
  history: Op[];
  /** The anomalies injected (the history may still be linearizable: a stale read of a value
   *  that another order also explains). */
  anomalies: Anomaly[];
}

interface Planned {
  client: number;
  process: number;
  f: string;
  key: string;
  value: unknown;
  outcome: 'ok' | 'info' | 'fail';
  /** Whether an `info` op took effect. */
  applies: boolean;
  anomaly?: Anomaly;
  invoke: number;
  effect: number;
  complete: number;
  result?: unknown;
}

const chance = (c: Choices, p: number): boolean => p > 0 && c.int(1_000_000) < p * 1_000_000;

/** One random history (see the module comment). Time is in abstract ticks; `time` is ticks x 1000. */
export function generateHistory(c: Choices, shape: HistoryShape): GeneratedHistory {
  const total = shape.ops ?? 20;
  const clients = Math.max(1, shape.clients ?? 3);
  const keys = Math.max(1, shape.keys ?? 1);
  const infoRate = shape.infoRate ?? 0.1;
  const failRate = shape.failRate ?? 0.05;
  const anomalyRate = shape.anomalyRate ?? 0;
  const model = shape.model;
  let fresh = 1;
  const newValue = (): unknown => {
    if (shape.values !== undefined) return c.int(shape.values);
    return fresh++;
  };
  // plan: each client runs its ops one after the other
  const free = new Array<number>(clients).fill(0);
  const process = Array.from({ length: clients }, (_, i) => i);
  const planned: Planned[] = [];
  for (let i = 0; i < total; i++) {
    const client = c.int(clients);
    const key = keys === 1 ? '0' : String(c.int(keys));
    const [f, value] = pickOp(c, model, shape.appendShare ?? 0.35, newValue, () => fresh++);
    const roll = c.int(1000) / 1000;
    const mayTimeOut = shape.infoFs === undefined || shape.infoFs.includes(f);
    const outcome = roll < infoRate && mayTimeOut ? 'info' : roll < infoRate + failRate ? 'fail' : 'ok';
    const invoke = free[client]! + c.int(4);
    const complete = invoke + 1 + c.int(6);
    // an op that timed out may take effect after its client gave up on it
    const effect = invoke + (outcome === 'info' ? c.int(12) : c.int(complete - invoke + 1));
    planned.push({ client, process: process[client]!, f, key, value, outcome, applies: outcome === 'info' && c.int(2) === 0, invoke, effect, complete });
    free[client] = complete + 1;
    if (outcome === 'info') process[client]! += clients; // Jepsen: a fresh process after an info
  }
  // apply in effect order
  const state = new Map<string, unknown>();
  const versions = new Map<string, unknown[]>();
  const lastAppend = new Map<string, string>();
  const anomalies: Anomaly[] = [];
  const byEffect = planned.map((_, i) => i).sort((a, b) => planned[a]!.effect - planned[b]!.effect || a - b);
  for (const i of byEffect) {
    const p = planned[i]!;
    const current = state.has(p.key) ? state.get(p.key) : null;
    const history = versions.get(p.key) ?? [null];
    const set = (v: unknown): void => {
      state.set(p.key, v);
      history.push(v);
      versions.set(p.key, history);
    };
    const anomaly = p.outcome === 'ok' && chance(c, anomalyRate);
    if (p.f === 'read' || p.f === 'get') {
      if (anomaly && c.int(2) === 0 && history.length > 1) {
        p.result = history[c.int(history.length - 1)];
        p.anomaly = 'stale-read';
      } else if (anomaly) {
        p.result = model === 'kv' ? `never${fresh++} ` : 1_000_000 + fresh++;
        p.anomaly = 'never-written';
      } else p.result = current;
      if (p.anomaly) anomalies.push(p.anomaly);
      continue;
    }
    const takesEffect = p.outcome === 'ok' || p.applies;
    if (!takesEffect) continue;
    if (p.f === 'append' && anomaly && lastAppend.has(p.key) && typeof current === 'string' && current.endsWith(lastAppend.get(p.key)!)) {
      const last = lastAppend.get(p.key)!;
      set(current.slice(0, current.length - last.length) + String(p.value) + last);
      p.anomaly = 'reordered-append';
      anomalies.push(p.anomaly);
      continue;
    }
    if (anomaly && p.f !== 'cas') {
      p.anomaly = 'lost-write';
      anomalies.push(p.anomaly);
      continue;
    }
    switch (p.f) {
      case 'write':
      case 'put':
        set(p.value);
        lastAppend.delete(p.key);
        break;
      case 'delete':
        set(null);
        lastAppend.delete(p.key);
        break;
      case 'append':
        set((typeof current === 'string' ? current : current === null ? '' : String(current)) + String(p.value));
        lastAppend.set(p.key, String(p.value));
        break;
      case 'cas': {
        const [expected, next] = p.value as [unknown, unknown];
        if (current === expected) set(next);
        else p.result = false;
        break;
      }
    }
  }
  return { history: toEvents(planned, keys), anomalies };
}

function pickOp(c: Choices, model: GeneratedModel, appendShare: number, newValue: () => unknown, unique: () => number): [string, unknown] {
  if (model === 'kv') {
    if (chance(c, appendShare)) return ['append', `a${unique()} `];
    switch (c.int(4)) {
      case 0:
      case 1:
        return ['get', null];
      case 2:
        return ['put', `p${unique()} `];
      default:
        return ['delete', null];
    }
  }
  switch (c.int(model === 'cas-register' ? 5 : 4)) {
    case 0:
    case 1:
      return ['read', null];
    case 2:
      return ['write', newValue()];
    case 3:
      return model === 'cas-register' ? ['write', newValue()] : ['delete', null];
    default:
      return ['cas', [c.int(3) === 0 ? null : newValue(), newValue()]];
  }
}

function toEvents(planned: readonly Planned[], keys: number): Op[] {
  const events: { t: number; order: number; op: Omit<Op, 'index' | 'time'> }[] = [];
  planned.forEach((p, i) => {
    const keyed = keys > 1 || p.f === 'get' || p.f === 'put' || p.f === 'append' || p.f === 'delete';
    const base = { process: p.process, f: p.f, ...(keyed ? { key: p.key } : {}) };
    events.push({ t: p.invoke, order: i * 2, op: { ...base, type: 'invoke', value: p.f === 'read' || p.f === 'get' ? null : p.value } });
    const value = p.f === 'read' || p.f === 'get' ? (p.outcome === 'ok' ? p.result : null) : p.f === 'cas' && p.result === false ? false : p.value;
    events.push({ t: p.complete, order: i * 2 + 1, op: { ...base, type: p.outcome, value } });
  });
  // completions after invokes at the same tick would make ops concurrent; both orders are fine
  events.sort((a, b) => a.t - b.t || a.order - b.order);
  return events.map((e, index) => ({ ...e.op, index, time: e.t * 1000 }) as Op);
}

/**
 * The family of issue 15: on one key, `k` appends that timed out and never took effect, then a
 * put and an append that overlap, an append that timed out, and a get that saw it.
 */
export function timedOutAppends(k: number): Op[] {
  const ops: Omit<Op, 'index' | 'time'>[] = [];
  for (let i = 0; i < k; i++) {
    ops.push({ process: 10 + i, type: 'invoke', f: 'append', key: '0', value: `u${i} ` });
    ops.push({ process: 10 + i, type: 'info', f: 'append', key: '0', value: `u${i} ` });
  }
  ops.push(
    { process: 0, type: 'invoke', f: 'put', key: '0', value: 'P' },
    { process: 1, type: 'invoke', f: 'append', key: '0', value: 'A' },
    { process: 0, type: 'ok', f: 'put', key: '0', value: 'P' },
    { process: 0, type: 'invoke', f: 'get', key: '0', value: null },
    { process: 1, type: 'ok', f: 'append', key: '0', value: 'A' },
    { process: 1, type: 'invoke', f: 'append', key: '0', value: 'B' },
    { process: 1, type: 'info', f: 'append', key: '0', value: 'B' },
    { process: 0, type: 'ok', f: 'get', key: '0', value: 'PB' },
  );
  return ops.map((o, index) => ({ ...o, index, time: index * 1000 }) as Op);
}

/** A fast-check tape (or any list of numbers) as `Choices`: the i-th draw is the i-th number
 *  modulo n, cycling; so fast-check shrinks a failing history by shrinking its tape. */
export function tapeChoices(tape: readonly number[]): Choices {
  let at = 0;
  return {
    int(n: number): number {
      if (n <= 1 || tape.length === 0) return 0;
      const v = tape[at++ % tape.length]!;
      return Math.abs(Math.trunc(v)) % n;
    },
  };
}

/**
 * A family where timed-out ops did take effect and a later read needed them: on one key, `k`
 * appends that timed out, `k` overlapping appends that completed, then a get that saw every
 * timed-out append before the others. Tried definite ops first, the search orders the completed
 * appends every way before it places the timed-out ones (k = 5: millions of steps); in call order,
 * as porcupine tries them, it is a few dozen.
 */
export function observedTimedOutAppends(k: number): Op[] {
  const ops: Omit<Op, 'index' | 'time'>[] = [];
  const u = (i: number): string => `u${i} `;
  const d = (i: number): string => `d${i} `;
  for (let i = 0; i < k; i++) ops.push({ process: 100 + i, type: 'invoke', f: 'append', key: '0', value: u(i) });
  for (let i = 0; i < k; i++) ops.push({ process: i, type: 'invoke', f: 'append', key: '0', value: d(i) });
  for (let i = 0; i < k; i++) ops.push({ process: i, type: 'ok', f: 'append', key: '0', value: d(i) });
  for (let i = 0; i < k; i++) ops.push({ process: 100 + i, type: 'info', f: 'append', key: '0', value: u(i) });
  const seen = Array.from({ length: k }, (_, i) => u(i)).join('') + Array.from({ length: k }, (_, i) => d(i)).join('');
  ops.push({ process: 0, type: 'invoke', f: 'get', key: '0', value: null }, { process: 0, type: 'ok', f: 'get', key: '0', value: seen });
  return ops.map((o, index) => ({ ...o, index, time: index * 1000 }) as Op);
}
