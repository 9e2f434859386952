/**
 * The leader's side of log replication (Raft §5.3): one AppendEntries in flight per follower
 * (a fresh one replaces a request that hangs for an election timeout), sent at once when there
 * is something new and every heartbeat otherwise; commit from the
 * followers' match indexes; check-quorum (step down without a majority for an election timeout);
 * and read-index confirmation of linearizable reads (§8).
 */
import type { Peer } from './config.js';
import { parseAppendEntriesReply, type AppendEntriesArgs, type AppendEntriesReply } from './messages.js';
import { RequestFailed } from './errors.js';
import type { RaftNode } from './node.js';
import { mutant } from '../common/mutants.js';
import { postJson } from '../common/rpc.js';

const now = (): number => performance.now();
const MAX_ENTRIES_PER_RPC = 1000;
const MAX_BYTES_PER_RPC = 4 * 1024 * 1024;

interface Progress {
  peer: Peer;
  nextIndex: number;
  matchIndex: number;
  inFlight: boolean;
  /** The request in flight (its id and when it left); a newer one may replace a request that hangs. */
  inFlightId: number;
  inFlightSince: number;
  /** When this follower last answered in our term. */
  lastAckAt: number;
  /** The highest read round this follower has answered. */
  ackedRound: number;
}

interface ReadWaiter {
  round: number;
  /** The commit index the read must see; set once this leader has committed its no-op. */
  readIndex: number | undefined;
  resolve: () => void;
  reject: (err: RequestFailed) => void;
  timer: NodeJS.Timeout;
}

export class Replicator {
  private readonly progress: Progress[];
  private readonly term: number;
  private readonly ticker: NodeJS.Timeout;
  private kickScheduled = false;
  private stopped = false;
  /** Read rounds: a read waits for a majority to answer an AppendEntries sent after it arrived. */
  private round = 0;
  private roundSent = false;
  private reads: ReadWaiter[] = [];

  constructor(private readonly node: RaftNode) {
    this.term = node.term;
    const start = now();
    this.progress = node.peers.map((peer) => ({
      peer,
      nextIndex: node.log.lastIndex + 1,
      matchIndex: 0,
      inFlight: false,
      inFlightId: 0,
      inFlightSince: 0,
      lastAckAt: start,
      ackedRound: 0,
    }));
    this.ticker = setInterval(() => this.tick(), node.config.heartbeatMs);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.ticker);
    for (const r of this.reads) {
      clearTimeout(r.timer);
      r.reject(notLeader());
    }
    this.reads = [];
  }

  matchIndexes(): number[] {
    return this.progress.map((p) => p.matchIndex);
  }

  /** Sends to every idle follower on the next turn of the event loop (coalesced). */
  kick(): void {
    if (this.kickScheduled || this.stopped) return;
    this.kickScheduled = true;
    setImmediate(() => {
      this.kickScheduled = false;
      if (this.stopped) return;
      for (const p of this.progress) if (!p.inFlight) this.send(p);
    });
  }

  private tick(): void {
    if (this.stopped) return;
    if (!this.node.has('stale-reads')) {
      const window = this.node.config.electionTimeoutMaxMs;
      const at = now();
      const heard = 1 + this.progress.filter((p) => at - p.lastAckAt <= window).length;
      if (heard < this.node.majority()) {
        this.node.stepDown(`heard from ${heard} of ${this.progress.length + 1} nodes within ${window} ms`);
        return;
      }
    }
    // A request on a dropped link can hang until RPC_TIMEOUT_MS; after an election timeout's
    // worth of silence send a fresh one, so a healed link carries heartbeats again at once.
    const stale = now() - this.node.config.electionTimeoutMinMs;
    for (const p of this.progress) if (!p.inFlight || p.inFlightSince < stale) this.send(p);
  }

  private send(p: Progress): void {
    const node = this.node;
    const prevLogIndex = p.nextIndex - 1;
    const args: AppendEntriesArgs = {
      term: this.term,
      leaderId: node.id,
      prevLogIndex,
      prevLogTerm: node.log.termAt(prevLogIndex) ?? 0,
      entries: node.log.slice(p.nextIndex, MAX_ENTRIES_PER_RPC, MAX_BYTES_PER_RPC),
      leaderCommit: node.commitIndex,
      leaderUrl: node.config.advertiseUrl,
    };
    const round = this.round;
    this.roundSent = true;
    const id = ++p.inFlightId;
    p.inFlight = true;
    p.inFlightSince = now();
    const current = () => p.inFlightId === id;
    postJson(`${p.peer.url}/raft/append-entries`, args, node.config.rpcTimeoutMs).then(
      (body) => {
        if (current()) p.inFlight = false;
        this.onReply(p, args, round, parseAppendEntriesReply(body), current());
      },
      () => {
        if (current()) p.inFlight = false;
      },
    );
  }

  /** Any answer counts (they are idempotent); only the latest request's answer sends the next one. */
  private onReply(p: Progress, args: AppendEntriesArgs, round: number, reply: AppendEntriesReply | undefined, latest: boolean): void {
    const node = this.node;
    if (this.stopped || !reply) return;
    if (!mutant('raft-reply-term-ignored') && node.observeTerm(reply.term)) return;
    if (node.term !== this.term || node.role !== 'leader') return;
    const nextBefore = p.nextIndex;
    p.lastAckAt = now();
    p.ackedRound = Math.max(p.ackedRound, round);
    if (reply.success) {
      const match = args.prevLogIndex + args.entries.length;
      p.matchIndex = Math.max(p.matchIndex, match);
      p.nextIndex = Math.max(p.nextIndex, match + 1);
      node.advanceCommit();
    } else {
      const hint = reply.conflictIndex ?? args.prevLogIndex;
      p.nextIndex = Math.max(p.matchIndex + 1, Math.min(hint, args.prevLogIndex));
    }
    this.checkReads();
    if (this.stopped || !latest || p.inFlight) return;
    const behind = p.nextIndex <= node.log.lastIndex;
    const readsWaiting = this.reads.some((r) => r.round > p.ackedRound);
    // After a refusal, retry at once only if it moved us back (no busy loop on a follower that keeps refusing).
    const again = reply.success ? behind || readsWaiting : p.nextIndex < nextBefore;
    if (again) this.send(p);
  }

  /** Resolves when a read may be served from this leader's state machine (read index, §8). */
  confirmRead(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.roundSent && !mutant('raft-read-no-confirm')) {
        this.round++;
        this.roundSent = false;
      }
      const timer = setTimeout(() => {
        this.reads = this.reads.filter((r) => r !== waiter);
        reject(new RequestFailed('timeout', `Leadership not confirmed within ${this.node.config.commitTimeoutMs} ms`));
      }, this.node.config.commitTimeoutMs);
      const waiter: ReadWaiter = { round: this.round, readIndex: undefined, resolve, reject, timer };
      this.reads.push(waiter);
      this.checkReads();
      if (this.reads.includes(waiter)) this.kick();
    });
  }

  checkReads(): void {
    if (this.reads.length === 0) return;
    const node = this.node;
    const committedOwn = node.commitIndex >= node.noopIndex || mutant('raft-read-before-noop');
    this.reads = this.reads.filter((r) => {
      if (r.readIndex === undefined && committedOwn) r.readIndex = node.commitIndex;
      if (r.readIndex === undefined) return true;
      const acks = 1 + this.progress.filter((p) => p.ackedRound >= r.round).length;
      if (acks < node.majority() || node.lastApplied < r.readIndex) return true;
      clearTimeout(r.timer);
      r.resolve();
      return false;
    });
  }
}

export function notLeader(): RequestFailed {
  return new RequestFailed('not-leader', 'Not a leader');
}
