/** Helpers for linearizability models (the `Model` contract is in core/model.ts). */
import { stringifyJson } from '../../core/json.js';
import type { Operation, OpInput } from '../../core/model.js';

export type { Model, Operation, OpInput } from '../../core/model.js';

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
        for (const k in v) {
          if (Object.prototype.hasOwnProperty.call(v, k)) h = (h + Math.imul(hashString(k), 31) + hashValue((v as Record<string, unknown>)[k])) | 0;
        }
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
  const out: Operation<OpInput, O>[][] = [];
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i]!;
    const k = op.input.key;
    let part = parts.get(k);
    if (!part) {
      parts.set(k, (part = []));
      out.push(part); // parts in the order of their first op, as the Map keeps them
    }
    part.push(op);
  }
  return out;
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
