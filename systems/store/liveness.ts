/**
 * Who is live, as the course's election needs it: a node not heard from for the election timeout
 * is not live. "Heard from" counts direct contact (a request from it, an answer from it) and word
 * from a follower that heard its leader recently; leadership needs a majority in direct contact
 * within half the election timeout.
 */

/** Node ids in natural order: `node-2` before `node-10`. */
export function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

interface Seen {
  /** Last evidence the node is up (direct, reported by a peer, or this node's start). */
  heard: number;
  /** Last direct exchange with it. */
  contact: number;
}

export class Liveness {
  private readonly seen = new Map<string, Seen>();

  constructor(
    readonly self: string,
    readonly totalNodes: number,
    readonly timeoutMs: number,
    /** Ids known from the configuration: given the benefit of the doubt until a timeout after start. */
    knownIds: readonly string[],
    startedAt: number,
  ) {
    for (const id of knownIds) if (id !== self) this.seen.set(id, { heard: startedAt, contact: -Infinity });
  }

  /** A message came from `id`, or `id` answered us. */
  contact(id: string, now: number): void {
    if (id === this.self) return;
    const s = this.seen.get(id);
    if (s) {
      s.heard = Math.max(s.heard, now);
      s.contact = now;
    } else this.seen.set(id, { heard: now, contact: now });
  }

  /** A peer says it heard `id` at `at` (its leader); not direct contact. */
  reported(id: string, at: number): void {
    if (id === this.self) return;
    const s = this.seen.get(id);
    if (s) s.heard = Math.max(s.heard, at);
    else this.seen.set(id, { heard: at, contact: -Infinity });
  }

  isLive(id: string, now: number): boolean {
    if (id === this.self) return true;
    const s = this.seen.get(id);
    return s !== undefined && now - s.heard < this.timeoutMs;
  }

  /** When `id` was last in direct contact, or undefined. */
  lastContact(id: string): number | undefined {
    const c = this.seen.get(id)?.contact;
    return c === undefined || c === -Infinity ? undefined : c;
  }

  liveIds(now: number): string[] {
    return [this.self, ...[...this.seen.keys()].filter((id) => this.isLive(id, now))].sort(compareIds);
  }

  lowestLive(now: number): string {
    return this.liveIds(now)[0]!;
  }

  /**
   * Nodes in direct contact within half the timeout, this node included. A leader needs a
   * majority in reach by this shorter measure, so one that is cut off steps down before the
   * others (who wait the whole timeout) elect a successor.
   */
  reachable(now: number): number {
    let n = 1;
    for (const s of this.seen.values()) if (now - s.contact < this.timeoutMs / 2) n++;
    return n;
  }

  majority(): number {
    return Math.floor(this.totalNodes / 2) + 1;
  }

  hasMajority(now: number): boolean {
    return this.reachable(now) >= this.majority();
  }
}
