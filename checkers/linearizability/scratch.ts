/**
 * Typed arrays for the searches of this thread, cut from one buffer reused from search to search.
 * A fresh typed array of more than 64 bytes costs 0.4-2 us (its backing store lives outside the
 * JavaScript heap and the collector tracks it), more than the whole search of a small partition
 * takes; a cut costs the zeroing of its length (and a view, the first time a cut of that place and
 * length is made). Cuts are given back in LIFO order: a search takes a `mark()` when it starts and
 * `release(mark)`s it when it ends, whatever it cut in between (its arrays are dead by then). A
 * cut that does not fit in the buffer is a fresh array.
 */
export class Scratch {
  private buffer: ArrayBuffer | undefined;
  /** Bytes cut so far, a multiple of 8 (every view is aligned for any element size). */
  private used = 0;
  /** The last view of each kind made at each place (by byte offset / 8): a search of the same
   *  shape as the last one cuts the same views again, and they are reused. */
  private readonly int32s: (Int32Array | undefined)[] = [];
  private readonly uint32s: (Uint32Array | undefined)[] = [];
  private readonly uint8s: (Uint8Array | undefined)[] = [];
  private readonly float64s: (Float64Array | undefined)[] = [];

  constructor(private readonly bytes: number) {}

  /** `length` zeros. */
  int32(length: number): Int32Array {
    const at = this.cut(length * 4);
    if (at === -1) return new Int32Array(length);
    let view = this.int32s[at >>> 3];
    if (view?.length !== length) this.int32s[at >>> 3] = view = new Int32Array(this.buffer!, at, length);
    return view.fill(0);
  }

  uint32(length: number): Uint32Array {
    const at = this.cut(length * 4);
    if (at === -1) return new Uint32Array(length);
    let view = this.uint32s[at >>> 3];
    if (view?.length !== length) this.uint32s[at >>> 3] = view = new Uint32Array(this.buffer!, at, length);
    return view.fill(0);
  }

  uint8(length: number): Uint8Array {
    const at = this.cut(length);
    if (at === -1) return new Uint8Array(length);
    let view = this.uint8s[at >>> 3];
    if (view?.length !== length) this.uint8s[at >>> 3] = view = new Uint8Array(this.buffer!, at, length);
    return view.fill(0);
  }

  float64(length: number): Float64Array {
    const at = this.cut(length * 8);
    if (at === -1) return new Float64Array(length);
    let view = this.float64s[at >>> 3];
    if (view?.length !== length) this.float64s[at >>> 3] = view = new Float64Array(this.buffer!, at, length);
    return view.fill(0);
  }

  /** What has been cut so far: `release` it to give back every cut made after it. */
  mark(): number {
    return this.used;
  }

  release(mark: number): void {
    this.used = mark;
  }

  /** The byte offset of a cut of `size` bytes, or -1 when it does not fit. */
  private cut(size: number): number {
    if (size > this.bytes - this.used) return -1;
    this.buffer ??= new ArrayBuffer(this.bytes);
    const at = this.used;
    this.used = Math.min(this.bytes, at + Math.ceil(size / 8) * 8);
    return at;
  }
}

/** This thread's scratch for searches: 1 MiB, enough for every array of a partition of about
 *  3,000 operations and the first few thousand cache entries of each search order. */
export const scratch = new Scratch(1 << 20);
