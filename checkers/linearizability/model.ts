/**
 * The linearizability `Model` (shared/DESIGN.md), as in porcupine: a sequential specification
 * the checker searches against. Users can write their own and pass it to `checkLinearizability`.
 */
import { stringifyJson } from '../common/json.js';

/** What a model sees of an operation's call: the history op's `f`, `key` and invoke `value`. */
export interface OpInput {
  f: string;
  key?: string;
  value: unknown;
}

/**
 * One operation of a history as the checker sees it: its call and its return. `output` is the
 * completion's value; it is `undefined` when the operation is indeterminate (an `info` completion
 * or none): such an operation may take effect at any point after its call, or never, and its
 * return value is unknown.
 */
export interface Operation<I = OpInput, O = unknown> {
  /** Position of this operation among the operations handed to the checker. */
  id: number;
  /** The client (Jepsen process) that ran it. */
  client: number;
  input: I;
  output: O | undefined;
  /** Order of the call and of the return among all events (any increasing numbers; ties mean
   *  concurrent). `ret` is Infinity for an indeterminate operation. */
  call: number;
  ret: number;
  indeterminate: boolean;
  /** History `index` of the invoke and of the completion (undefined when there is none). */
  invokeIndex: number;
  completeIndex?: number;
}

/**
 * A sequential specification.
 *
 * - `step(state, input, output)` says whether the operation, applied in `state`, could have
 *   returned `output`, and the state after it. `output` is `undefined` for an indeterminate
 *   operation: the model must then accept (return `[true, next]`) whatever the operation could
 *   have returned. A model whose next state is not determined by the state and the input (the
 *   output of an indeterminate operation would have told) can use a set of states as its state.
 * - `equal` and `hash` identify states for the checker's cache: `equal(a, b)` implies
 *   `hash(a) === hash(b)`; `hash` returns a 32-bit integer.
 * - `partition` splits a history into independent parts (P-compositionality: a history is
 *   linearizable iff every part is); by key for the models shipped here.
 * - `validate` (optional) returns a message when an input does not belong to this model
 *   (an unknown `f`, a malformed value); the checker then refuses the history.
 * - `reduce` (optional) drops operations that cannot change the verdict.
 */
export interface Model<S = unknown, I = OpInput, O = unknown> {
  name: string;
  init(): S;
  step(state: S, input: I, output: O | undefined): readonly [boolean, S];
  equal(a: S, b: S): boolean;
  hash(state: S): number;
  partition?(operations: readonly Operation<I, O>[]): Operation<I, O>[][];
  describeOperation(input: I, output: O | undefined): string;
  describeState(state: S): string;
  validate?(input: I, output: O | undefined): string | undefined;
  /** Optional: the operations of one partition without those that cannot change the verdict
   *  (such as indeterminate writes of a value nothing observes); the search is then smaller. */
  reduce?(operations: readonly Operation<I, O>[]): Operation<I, O>[];
}

/** Structural equality of JSON-like values (primitives, arrays, plain objects). */
export function valueEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valueEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!valueEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** FNV-1a over a string, 32 bits. */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** A 32-bit hash of a JSON-like value consistent with `valueEqual`. */
export function hashValue(v: unknown): number {
  switch (typeof v) {
    case 'number':
      if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) return Math.imul(v | 0, 0x9e3779b1) ^ 0x5bd1e995;
      return hashString(String(v), 0x1b873593);
    case 'string':
      return hashString(v);
    case 'boolean':
      return v ? 0x3c6ef372 : 0x1b873593;
    case 'undefined':
      return 0x7f4a7c15;
    case 'bigint':
      return hashString(v.toString(), 0x2545f491);
    case 'object':
      if (v === null) return 0x27d4eb2f;
      if (Array.isArray(v)) {
        let h = 0x3243f6a8;
        for (const x of v) h = Math.imul(h ^ hashValue(x), 0x01000193);
        return h | 0;
      }
      {
        // key order must not matter: combine per-key hashes commutatively
        let h = 0x13198a2e;
        for (const [k, x] of Object.entries(v)) h = (h + Math.imul(hashString(k), 31) + hashValue(x)) | 0;
        return h;
      }
    default:
      return 0;
  }
}

/** A set of values compared with `valueEqual` (structurally), bucketed by `hashValue`. */
export class ValueSet {
  private readonly buckets = new Map<number, unknown[]>();

  add(v: unknown): void {
    const h = hashValue(v);
    const list = this.buckets.get(h);
    if (list) list.push(v);
    else this.buckets.set(h, [v]);
  }

  has(v: unknown): boolean {
    return this.buckets.get(hashValue(v))?.some((x) => valueEqual(x, v)) ?? false;
  }
}

/** What an operation of a model with one value per key does: only reads it, sets it, appends
 *  text to it, or else. */
export type ValueEffect = 'read' | { sets: unknown } | { appends: string } | 'other';

/**
 * The `reduce` of models with one value per key: drops the indeterminate operations whose effect
 * no definite operation's output can reveal, which cannot change the verdict. Reads go (they
 * change nothing). A write or append goes when `observable` says no definite output could show
 * it: in a linearization that uses it, nothing reads the key until the next write overwrites it,
 * so the same order without it still linearizes (and an indeterminate op may be left out).
 * The model's `observable` is the proof obligation; the differential tests check each one.
 */
export function dropUnseenIndeterminate<O>(
  operations: readonly Operation<OpInput, O>[],
  effect: (input: OpInput) => ValueEffect,
  observable: (effect: { sets: unknown } | { appends: string }) => boolean,
): Operation<OpInput, O>[] {
  return operations.filter((op) => {
    if (!op.indeterminate) return true;
    const e = effect(op.input);
    if (e === 'read') return false;
    return e === 'other' || observable(e);
  });
}

/** A short readable rendering of a value for witnesses and messages. */
export function showValue(v: unknown): string {
  if (v === undefined) return '?';
  if (v === null) return 'nil';
  return stringifyJson(v) ?? String(v);
}

/** Splits operations by `input.key`; operations without a key share one part. */
export function partitionByKey<O>(operations: readonly Operation<OpInput, O>[]): Operation<OpInput, O>[][] {
  const parts = new Map<string | undefined, Operation<OpInput, O>[]>();
  for (const op of operations) {
    const k = op.input.key;
    let part = parts.get(k);
    if (!part) parts.set(k, (part = []));
    part.push(op);
  }
  return [...parts.values()];
}

/** What models with one value per key (register, kv) share: value equality and hashing, key partitions. */
export const valuePerKey = {
  equal: valueEqual,
  hash: hashValue,
  partition: partitionByKey,
  describeState: (state: unknown): string => showValue(state),
};

/** `[key]` to name an operation's key in a description; "" when it has none. */
export function keyLabel(input: OpInput): string {
  return input.key === undefined ? '' : `[${input.key}]`;
}
