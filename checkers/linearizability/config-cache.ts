import { scratch } from './scratch.js';
import type { SearchLimits } from './search.js';

/**
 * The search's cache of configurations seen (Lowe's memoisation): a chained hash table on typed
 * arrays, cut from the thread's scratch. `table` holds the first slot of each bucket; a slot
 * holds its full hash, the next slot of its bucket, where its linearized set starts in `pool`,
 * and its model state.
 *
 * A slot's linearized set is stored compactly: every definite op below the watermark `wm` is in
 * it, so it is [wm, count, the `count` words of definite bits from word wm>>>5 up to the highest
 * definite op in the set, then the bitset of indeterminate ops by their rank]. Indeterminate ops
 * are optional, so a stored configuration covers any configuration with the same definite ops
 * and state and a superset of its indeterminate ops (see the search).
 *
 * The arrays start small (most searches take a few hundred steps, those of a few ops a few) and
 * double as needed, within the memory budget.
 */
export class ConfigCache<S> {
  // `declare`d fields, all set in the constructor: a field the class declares is otherwise first
  // defined as undefined (ES2022 class fields) and then changes type, which costs a fresh
  // process's first check milliseconds of map changes and keeps the JIT's code from settling
  private declare readonly wordsI: number;
  private declare readonly definite: Uint32Array;
  private declare readonly linearized: Uint32Array;
  private declare readonly linI: Uint32Array;
  private declare readonly model: { equal(a: S, b: S): boolean };
  private declare readonly limits: SearchLimits;
  private declare readonly states: S[];
  private declare table: Int32Array;
  private declare tableMask: number;
  private declare slotHash: Int32Array;
  private declare slotNext: Int32Array;
  private declare slotOffset: Int32Array;
  private declare slotCap: number;
  private declare pool: Int32Array;
  private declare poolUsed: number;
  /** Configurations stored. */
  declare entries: number;

  /**
   * `linearized` (all ops) and `linI` (indeterminate ops by rank) are the search's bitsets,
   * read in place by `has` and `add`; `definite` has the bits of the definite ops.
   */
  constructor(n: number, wordsI: number, definite: Uint32Array, linearized: Uint32Array, linI: Uint32Array, model: { equal(a: S, b: S): boolean }, limits: SearchLimits) {
    this.wordsI = wordsI;
    this.definite = definite;
    this.linearized = linearized;
    this.linI = linI;
    this.model = model;
    this.limits = limits;
    this.states = [];
    this.slotCap = Math.min(256, Math.max(16, 1 << (32 - Math.clz32(4 * n))));
    this.tableMask = this.slotCap * 2 - 1;
    this.table = scratch.int32(this.tableMask + 1).fill(-1);
    this.slotHash = scratch.int32(this.slotCap);
    this.slotNext = scratch.int32(this.slotCap);
    this.slotOffset = scratch.int32(this.slotCap);
    this.pool = scratch.int32(this.slotCap * (4 + wordsI));
    this.poolUsed = 0;
    this.entries = 0;
  }

  /** Whether a stored configuration covers the current one: hash `key`, watermark `wm`, the
   *  `count` definite words from word `lo`, and `state`. */
  has(key: number, wm: number, count: number, lo: number, state: S): boolean {
    const { pool, slotHash, slotNext, slotOffset, linearized, definite, linI, wordsI } = this;
    for (let s = this.table[key & this.tableMask]!; s !== -1; s = slotNext[s]!) {
      if (slotHash[s] !== key) continue;
      let at = slotOffset[s]!;
      if (pool[at] !== wm || pool[at + 1] !== count) continue;
      at += 2;
      let same = true;
      for (let k = 0; k < count; k++) {
        if (pool[at + k] !== (linearized[lo + k]! & definite[lo + k]!)) {
          same = false;
          break;
        }
      }
      if (!same) continue;
      at += count;
      for (let k = 0; k < wordsI; k++) {
        if ((pool[at + k]! & ~linI[k]!) !== 0) {
          same = false;
          break;
        }
      }
      if (same && this.model.equal(this.states[s]!, state)) return true;
    }
    return false;
  }

  /** Stores the current configuration (as for `has`); false when the memory budget has no room
   *  for it (nothing is stored then). */
  add(key: number, wm: number, count: number, lo: number, state: S): boolean {
    const need = 2 + count + this.wordsI;
    if (this.poolUsed + need > this.pool.length && !this.growPool(need)) return false;
    if (this.entries === this.slotCap && !this.growSlots()) return false;
    const { pool, linearized, definite, linI, wordsI } = this;
    const slot = this.entries++;
    let used = this.poolUsed;
    this.slotOffset[slot] = used;
    pool[used++] = wm;
    pool[used++] = count;
    for (let k = 0; k < count; k++) pool[used++] = linearized[lo + k]! & definite[lo + k]!;
    for (let k = 0; k < wordsI; k++) pool[used++] = linI[k]!;
    this.poolUsed = used;
    this.states.push(state);
    const b = key & this.tableMask;
    this.slotHash[slot] = key;
    this.slotNext[slot] = this.table[b]!;
    this.table[b] = slot;
    return true;
  }

  /** The pool, the slot arrays and the table, plus a pointer per stored state (the states
   *  themselves are the model's: a string or a number for the shipped models). */
  bytes(): number {
    return this.pool.length * 4 + this.slotCap * 12 + this.table.length * 4 + this.entries * 8;
  }

  private growPool(need: number): boolean {
    let size = this.pool.length * 2;
    while (this.poolUsed + need > size) size *= 2;
    if (size * 4 > this.limits.maxCacheBytes) return false;
    const pool = scratch.int32(size);
    pool.set(this.pool);
    this.pool = pool;
    return true;
  }

  private growSlots(): boolean {
    if (this.entries >= this.limits.maxCacheEntries) return false;
    const cap = this.slotCap * 2;
    this.slotCap = cap;
    const grown = (old: Int32Array): Int32Array => {
      const a = scratch.int32(cap);
      a.set(old);
      return a;
    };
    this.slotHash = grown(this.slotHash);
    this.slotNext = grown(this.slotNext);
    this.slotOffset = grown(this.slotOffset);
    // keep the table at most half full
    this.tableMask = cap * 2 - 1;
    const table = scratch.int32(this.tableMask + 1).fill(-1);
    for (let t = 0; t < this.entries; t++) {
      const b = this.slotHash[t]! & this.tableMask;
      this.slotNext[t] = table[b]!;
      table[b] = t;
    }
    this.table = table;
    return true;
  }
}
