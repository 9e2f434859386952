/**
 * Who is live, as the course's election needs it: a node not heard from for the election timeout
 * is not live. "Heard from" counts direct contact (a request from it, an answer from it) and word
 * from a follower that was in direct contact with its leader recently. Leading needs more: a
 * majority this node can reach (its own requests answered) within a shorter window.
 */

/** Node ids in natural order: `node-2` before `node-10`. */
export function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

interface Seen {
  /** Last evidence the node is up (direct, reported by a peer, or this node's start). */
  heard: number;
  /** Last message from it or answer from it. */
  direct: number;
  /** Last answer from it to a request of this node. */
  reached: number;
}

export class Liveness {
  private readonly seen = new Map<string, Seen>();

  constructor(
    readonly self: string,
    readonly totalNodes: number,
    readonly timeoutMs: number,
    /** How recent an answer must be to count as reach (at most timeoutMs). */
    readonly reachMs: number,
    /** Ids known from the configuration: given the benefit of the doubt until a timeout after start. */
    knownIds: readonly string[],
    startedAt: number,
  ) {
    for (const id of knownIds) if (id !== self) this.seen.set(id, { heard: startedAt, direct: -Infinity, reached: -Infinity });
  }

  private entry(id: string): Seen {
    let s = this.seen.get(id);
    if (!s) this.seen.set(id, (s = { heard: -Infinity, direct: -Infinity, reached: -Infinity }));
    return s;
  }

  /** A message came from `id`. */
  heardFrom(id: string, now: number): void {
    if (id === this.self) return;
    const s = this.entry(id);
    s.heard = Math.max(s.heard, now);
    s.direct = now;
  }

  /**
   * `id` answered a request this node sent at `sentAt`. Reach counts from the send time: an
   * answer that waited out a pause of this node proves nothing about now.
   */
  reached(id: string, sentAt: number, now: number): void {
    if (id === this.self) return;
    this.heardFrom(id, now);
    const s = this.entry(id);
    s.reached = Math.max(s.reached, sentAt);
  }

  /** A peer says it was in direct contact with `id` (its leader) at `at`. */
  reported(id: string, at: number): void {
    if (id === this.self) return;
    const s = this.entry(id);
    s.heard = Math.max(s.heard, at);
  }

  isLive(id: string, now: number): boolean {
    if (id === this.self) return true;
    const s = this.seen.get(id);
    return s !== undefined && now - s.heard < this.timeoutMs;
  }

  /** When `id` was last in direct contact, or undefined. */
  lastDirect(id: string): number | undefined {
    const c = this.seen.get(id)?.direct;
    return c === undefined || c === -Infinity ? undefined : c;
  }

  liveIds(now: number): string[] {
    return [this.self, ...[...this.seen.keys()].filter((id) => this.isLive(id, now))].sort(compareIds);
  }

  lowestLive(now: number): string {
    return this.liveIds(now)[0]!;
  }

  /**
   * Nodes this node reached within `reachMs`, itself included. A leader needs a majority by this
   * shorter measure, so one that is cut off steps down before the others (who wait the whole
   * timeout) elect a successor.
   */
  reachable(now: number): number {
    let n = 1;
    for (const s of this.seen.values()) if (now - s.reached < this.reachMs) n++;
    return n;
  }

  majority(): number {
    return Math.floor(this.totalNodes / 2) + 1;
  }

  hasMajority(now: number): boolean {
    return this.reachable(now) >= this.majority();
  }
}
