/**
 * Writes waiting for their acks: a write needs W-1 peers to confirm a map that contains it. It
 * is released when enough peers confirmed, when every peer answered or failed, or at a deadline.
 */
import { compareVersions, type Version } from './version.js';

interface Waiter {
  version: Version;
  needed: number;
  acked: Set<string>;
  failed: Set<string>;
  release: () => void;
}

export class WriteAcks {
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly peerCount: number) {}

  /** Resolves with the number of peers that confirmed `version`. */
  wait(version: Version, needed: number, timeoutMs: number): Promise<number> {
    if (needed <= 0 || this.peerCount === 0) return Promise.resolve(0);
    return new Promise((resolve) => {
      const w: Waiter = { version, needed, acked: new Set(), failed: new Set(), release: () => {} };
      const timer = setTimeout(() => w.release(), timeoutMs);
      w.release = () => {
        clearTimeout(timer);
        this.waiters.delete(w);
        resolve(w.acked.size);
      };
      this.waiters.add(w);
    });
  }

  /** `peer` confirmed holding `revision`, or (undefined) a push to it failed. */
  settle(peer: string, revision: Version | null | undefined): void {
    for (const w of [...this.waiters]) {
      if (revision === undefined) w.failed.add(peer);
      else if (compareVersions(revision, w.version) >= 0) w.acked.add(peer);
      if (w.acked.size >= w.needed || w.acked.size + w.failed.size >= this.peerCount) w.release();
    }
  }

  /** Releases every waiting write with the acks it has (the leader stepped down or stops). */
  releaseAll(): void {
    for (const w of [...this.waiters]) w.release();
  }
}
