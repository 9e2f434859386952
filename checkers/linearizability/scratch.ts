/**
 * Typed arrays for the searches of this thread, cut from one buffer reused from search to search.
 * A fresh typed array of more than 64 bytes costs 0.4-2 us (its backing store lives outside the
 * JavaScript heap and the collector tracks it), more than the whole search of a small partition
 * takes; a cut costs the zeroing of its length (and a view, the first time a cut of that place and
 * length is made). Cuts are given back in LIFO order: a search takes a `mark()` when it starts and
 * `release(mark)`s it when it ends, whatever it cut in between (its arrays are dead by then). A
 * cut that does not fit in the buffer is a fresh array; the buffer then grows (up to its most)
 * when everything is given back, so the next search of that size fits. It starts small: a large
 * buffer in a fresh process costs milliseconds (the collector reacts to the external memory).
 */
type TypedArray = Int32Array | Uint32Array | Uint8Array | Float64Array;

/** A typed array's constructor: fresh, or a view of a buffer. */
interface TypedArrayKind<T extends TypedArray> {
  new (length: number): T;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

export class Scratch {
  private buffer: ArrayBuffer | undefined;
  /** Bytes cut so far, a multiple of 8 (every view is aligned for any element size). */
  private used = 0;
  /** The most bytes cut at once since the buffer was made, those that did not fit included. */
  private wanted = 0;
  /** The last view of each kind made at each place (by byte offset / 8): a search of the same
   *  shape as the last one cuts the same views again, and they are reused. Maps, not arrays: an
   *  array written at offsets up to 130 000 grows a backing store of that many slots (the first
   *  check of a process paid 90 KB of them). */
  private readonly int32s = new Map<number, Int32Array>();
  private readonly uint32s = new Map<number, Uint32Array>();
  private readonly uint8s = new Map<number, Uint8Array>();
  private readonly float64s = new Map<number, Float64Array>();

  constructor(
    private bytes: number,
    private readonly mostBytes = bytes,
  ) {}

  /** `length` zeros. */
  int32(length: number): Int32Array {
    return this.view(Int32Array, this.int32s, length);
  }

  uint32(length: number): Uint32Array {
    return this.view(Uint32Array, this.uint32s, length);
  }

  uint8(length: number): Uint8Array {
    return this.view(Uint8Array, this.uint8s, length);
  }

  float64(length: number): Float64Array {
    return this.view(Float64Array, this.float64s, length);
  }

  /** `length` zeros of one kind: a cut (its view reused when the last one there had this length), or a fresh array when it does not fit. */
  private view<T extends TypedArray>(Kind: TypedArrayKind<T>, views: Map<number, T>, length: number): T {
    const at = this.cut(length * Kind.BYTES_PER_ELEMENT);
    if (at === -1) return new Kind(length);
    let view = views.get(at >>> 3);
    if (view?.length !== length) views.set(at >>> 3, (view = new Kind(this.buffer!, at, length)));
    view.fill(0);
    return view;
  }

  /** What has been cut so far: `release` it to give back every cut made after it. */
  mark(): number {
    return this.used;
  }

  release(mark: number): void {
    this.used = mark;
    if (mark === 0 && this.wanted > this.bytes && this.bytes < this.mostBytes) {
      // everything is back: a bigger buffer for the next search of that size
      // the next power of two, as a small integer (`2 **` gives a double, which changes this object's shape and throws away the JIT's code that uses it)
      // (`1 <<` only below mostBytes: past 2^30 it would overflow to a negative number)
      this.bytes = this.wanted >= this.mostBytes ? this.mostBytes : Math.min(this.mostBytes, 1 << (32 - Math.clz32(this.wanted - 1)));
      this.buffer = undefined;
      for (const views of [this.int32s, this.uint32s, this.uint8s, this.float64s]) views.clear();
    }
  }

  /** The byte offset of a cut of `size` bytes, or -1 when it does not fit. */
  private cut(size: number): number {
    const aligned = Math.ceil(size / 8) * 8;
    this.wanted = Math.max(this.wanted, this.used + aligned);
    if (aligned > this.bytes - this.used) return -1;
    this.buffer ??= new ArrayBuffer(this.bytes);
    const at = this.used;
    this.used = at + aligned;
    return at;
  }
}

/** This thread's scratch for searches: 64 KiB to start with (a partition of a few hundred
 *  operations), growing to at most 1 MiB (about 3,000 operations and the first few thousand cache
 *  entries of each search order). */
export const scratch = new Scratch(1 << 16, 1 << 20);
