/**
 * One Raft node: its persistent state (term, vote, log), roles and timers, the commit and apply
 * path, and the waits of client requests. Elections live in election.ts, log replication in
 * replication.ts; the HTTP API in api.ts.
 */
import { createHash } from 'node:crypto';
import type { Peer, RaftBug, RaftConfig } from './config.js';
import { mutant } from '../common/mutants.js';
import { Election } from './election.js';
import { RequestFailed } from './errors.js';
import { RaftLog, type LogEntry } from './log.js';
import type { AppendEntriesArgs, AppendEntriesReply, RequestVoteArgs, RequestVoteReply } from './messages.js';
import type { Storage } from './persistence.js';
import { Replicator } from './replication.js';
import { KvStateMachine, NOOP_COMMAND } from './state-machine.js';

export type Role = 'follower' | 'candidate' | 'leader';


interface WriteWaiter {
  index: number;
  term: number;
  resolve: () => void;
  reject: (err: RequestFailed) => void;
  timer: NodeJS.Timeout;
}

export class RaftNode {
  readonly id: string;
  readonly peers: readonly Peer[];
  term = 0;
  votedFor: string | null = null;
  role: Role = 'follower';
  leaderId: string | null = null;
  /** The leader's client-facing URL, when it told us. */
  leaderUrl: string | null = null;
  log = new RaftLog();
  /** Entries up to here are on disk (fsynced). */
  durableIndex = 0;
  commitIndex = 0;
  lastApplied = 0;
  readonly stateMachine = new KvStateMachine();
  replicator: Replicator | undefined;
  /** The index of this leader's no-op; reads wait until it is committed. */
  noopIndex = 0;
  private readonly election: Election;
  private electionTimer: NodeJS.Timeout | undefined;
  private flushScheduled = false;
  private readonly writeWaiters = new Map<number, WriteWaiter[]>();
  private stopped = false;
  /** When a leader last reached us (monotonic ms). */
  private lastLeaderContact = Number.NEGATIVE_INFINITY;

  constructor(
    readonly config: RaftConfig,
    private readonly storage: Storage,
  ) {
    this.id = config.nodeId;
    this.peers = config.peers;
    this.election = new Election(this);
  }

  has(bug: RaftBug): boolean {
    return this.config.bugs.has(bug);
  }

  /** Votes or acknowledgements needed, counting this node. */
  majority(): number {
    if (this.has('even-majority')) return Math.floor(this.peers.length / 2) + 1;
    return Math.floor((this.peers.length + 1) / 2) + 1;
  }

  start(): void {
    const state = this.storage.load();
    this.term = state.term;
    this.votedFor = state.votedFor;
    this.log = new RaftLog(state.entries);
    this.durableIndex = this.log.lastIndex;
    this.say(`started with term ${this.term}, ${this.log.lastIndex} log entries, peers ${this.peers.map((p) => `${p.id}=${p.url}`).join(',') || '(none)'}`);
    this.resetElectionTimer();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.electionTimer);
    this.replicator?.stop();
    this.replicator = undefined;
    for (const waiters of this.writeWaiters.values()) for (const w of waiters) clearTimeout(w.timer);
    this.writeWaiters.clear();
    this.storage.close();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  say(message: string): void {
    process.stderr.write(`${new Date().toISOString()} [${this.id}] ${message}\n`);
  }

  // --- term, vote and role ---------------------------------------------------------------

  /** Sets term and vote, on disk before anyone hears of them. */
  setTermAndVote(term: number, votedFor: string | null): void {
    if (term === this.term && votedFor === this.votedFor) return;
    this.storage.saveMeta(term, mutant('raft-vote-not-persisted') ? null : votedFor);
    this.term = term;
    this.votedFor = votedFor;
  }

  /** A newer term seen in any message: adopt it and follow. Returns true when it was newer. */
  observeTerm(term: number): boolean {
    if (term <= this.term) return false;
    this.setTermAndVote(term, null);
    this.becomeFollower(null, null);
    return true;
  }

  becomeFollower(leaderId: string | null, leaderUrl: string | null): void {
    const wasLeader = this.role === 'leader';
    if (this.role !== 'follower' || this.leaderId !== leaderId) {
      this.say(`term ${this.term}: follower${leaderId ? ` of ${leaderId}` : ''}${wasLeader ? ' (stepped down)' : ''}`);
    }
    this.role = 'follower';
    this.leaderId = leaderId;
    this.leaderUrl = leaderUrl;
    if (wasLeader) {
      this.replicator?.stop();
      this.replicator = undefined;
    }
    this.resetElectionTimer();
  }

  becomeCandidate(): void {
    this.role = 'candidate';
    this.leaderId = null;
    this.leaderUrl = null;
  }

  becomeLeader(): void {
    this.role = 'leader';
    this.leaderId = this.id;
    this.leaderUrl = this.config.advertiseUrl;
    clearTimeout(this.electionTimer);
    this.say(`term ${this.term}: leader`);
    // Followers start from the entry after our log as it was; the no-op goes out in the first round.
    this.replicator = new Replicator(this);
    this.noopIndex = this.propose(NOOP_COMMAND).index;
    this.replicator.kick();
  }

  /** A leader that has not heard from a majority for an election timeout gives up. */
  stepDown(reason: string): void {
    this.say(`term ${this.term}: stepping down: ${reason}`);
    this.becomeFollower(null, null);
  }

  resetElectionTimer(): void {
    clearTimeout(this.electionTimer);
    if (this.stopped) return;
    const { electionTimeoutMinMs: min, electionTimeoutMaxMs: max } = this.config;
    const timeout = min + Math.floor(Math.random() * (max - min + 1));
    this.electionTimer = setTimeout(() => {
      if (this.role !== 'leader' && !this.stopped) this.election.start();
    }, timeout);
  }

  // --- log, commit and apply -----------------------------------------------------------------

  /** Leader only: appends a command to the log; it goes to disk and to the followers on the next tick. */
  propose(command: string): LogEntry {
    const entry: LogEntry = { index: this.log.lastIndex + 1, term: this.term, command };
    this.log.append(entry);
    if (mutant('raft-apply-on-append')) this.stateMachine.apply(command);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return entry;
  }

  /** Writes every entry appended this tick with one fsync, then lets the replicator count it. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.stopped) return;
    this.persistLog();
    if (this.role === 'leader') {
      this.advanceCommit();
      this.replicator?.kick();
    }
  }

  /** Puts every entry past `durableIndex` on disk. */
  persistLog(): void {
    if (this.durableIndex >= this.log.lastIndex) return;
    this.storage.appendEntries(this.log.slice(this.durableIndex + 1, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
    this.durableIndex = this.log.lastIndex;
  }

  /** Leader: the highest index a majority holds, committed if it is of this term (Raft §5.4.2). */
  advanceCommit(): void {
    if (this.role !== 'leader' || !this.replicator) return;
    const matches = [this.durableIndex, ...this.replicator.matchIndexes()].sort((a, b) => b - a);
    const n = matches[this.majority() - (mutant('raft-commit-minority') ? 2 : 1)] ?? 0;
    if (n > this.commitIndex && (this.log.termAt(n) === this.term || mutant('raft-commit-old-term'))) {
      this.commitIndex = n;
      this.applyCommitted();
    }
  }

  applyCommitted(): void {
    while (this.lastApplied < this.commitIndex) {
      const index = this.lastApplied + 1;
      const entry = this.log.at(index);
      if (!entry) break;
      this.stateMachine.apply(entry.command);
      this.lastApplied = index;
      this.settleWriters(index);
    }
    this.replicator?.checkReads();
  }

  // --- client waits --------------------------------------------------------------------------

  /** Resolves once this very entry (its index and term) is committed and applied. */
  waitForCommit(entry: LogEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.dropWriter(waiter);
        reject(new RequestFailed('timeout', `Not committed within ${this.config.commitTimeoutMs} ms; the write may or may not take effect`));
      }, this.config.commitTimeoutMs);
      const waiter: WriteWaiter = { index: entry.index, term: entry.term, resolve, reject, timer };
      const list = this.writeWaiters.get(entry.index) ?? [];
      list.push(waiter);
      this.writeWaiters.set(entry.index, list);
    });
  }

  private dropWriter(waiter: WriteWaiter): void {
    const list = this.writeWaiters.get(waiter.index);
    if (!list) return;
    const rest = list.filter((w) => w !== waiter);
    if (rest.length) this.writeWaiters.set(waiter.index, rest);
    else this.writeWaiters.delete(waiter.index);
  }

  /** Index `index` was applied: its waiters succeed if their entry is the one there. */
  private settleWriters(index: number): void {
    const list = this.writeWaiters.get(index);
    if (!list) return;
    this.writeWaiters.delete(index);
    const term = this.log.termAt(index);
    for (const w of list) {
      clearTimeout(w.timer);
      // The course code acknowledges on `commitIndex >= index`, whatever entry sits there now.
      if (this.has('ack-overwritten') || term === w.term) w.resolve();
      else w.reject(overwritten(index));
    }
  }

  /** The log was rewritten from `from` on: waiters whose entry is gone fail now. */
  private failOverwritten(from: number): void {
    if (this.has('ack-overwritten')) return;
    for (const [index, list] of this.writeWaiters) {
      if (index < from) continue;
      const term = this.log.termAt(index);
      const keep = list.filter((w) => {
        // By Log Matching a replaced entry can never come back, so the write certainly failed.
        if (term === w.term) return true;
        clearTimeout(w.timer);
        w.reject(overwritten(index));
        return false;
      });
      if (keep.length) this.writeWaiters.set(index, keep);
      else this.writeWaiters.delete(index);
    }
  }

  /**
   * Leader stickiness (Raft thesis §4.2.3): a leader, or a follower that heard from one within the
   * minimum election timeout, ignores requests to elect someone else in a newer term.
   */
  inLeaderLease(): boolean {
    if (!this.config.preVote) return false;
    if (this.role === 'leader') return true;
    return this.leaderId !== null && performance.now() - this.lastLeaderContact < this.config.electionTimeoutMinMs;
  }

  // --- RPC handlers ---------------------------------------------------------------------------

  handleRequestVote(args: RequestVoteArgs): RequestVoteReply {
    return this.election.handleRequestVote(args);
  }

  handleAppendEntries(args: AppendEntriesArgs): AppendEntriesReply {
    if (args.term < this.term && !mutant('raft-append-stale-term')) return { term: this.term, success: false };
    if (args.term > this.term) this.setTermAndVote(args.term, null);
    this.lastLeaderContact = performance.now();
    if (this.role !== 'follower' || this.leaderId !== args.leaderId) this.becomeFollower(args.leaderId, args.leaderUrl ?? null);
    else {
      this.leaderUrl = args.leaderUrl ?? this.leaderUrl;
      this.resetElectionTimer();
    }
    const prevTerm = this.log.termAt(args.prevLogIndex);
    if (prevTerm === undefined) return { term: this.term, success: false, conflictIndex: this.log.lastIndex + 1 };
    if (prevTerm !== args.prevLogTerm && !mutant('raft-prev-term-unchecked')) {
      return { term: this.term, success: false, conflictIndex: this.log.firstIndexOfTerm(prevTerm, args.prevLogIndex) };
    }
    let rewrittenFrom = 0;
    for (const entry of args.entries) {
      const existing = this.log.termAt(entry.index);
      if (existing === entry.term) continue;
      if (existing !== undefined && mutant('raft-conflict-kept')) continue;
      if (existing !== undefined) {
        this.log.truncateFrom(entry.index);
        this.durableIndex = Math.min(this.durableIndex, entry.index - 1);
        if (!rewrittenFrom) rewrittenFrom = entry.index;
      }
      this.log.append(entry);
    }
    this.persistLog();
    if (rewrittenFrom) this.failOverwritten(rewrittenFrom);
    const lastNew = args.prevLogIndex + args.entries.length;
    if (args.leaderCommit > this.commitIndex) {
      const bound = mutant('raft-follower-commit-unbounded') ? this.log.lastIndex : lastNew;
      this.commitIndex = Math.max(this.commitIndex, Math.min(args.leaderCommit, bound));
      this.applyCommitted();
    }
    return { term: this.term, success: true, matchIndex: lastNew };
  }

  // --- views ------------------------------------------------------------------------------------

  /** The committed log prefix, for faultline's end-of-run agreement check: item i is index i+1,
   *  as `[term, hash of the command]` (the first 12 hex digits of its SHA-256). */
  committed(): { nodeId: string; commitIndex: number; log: [number, string][] } {
    const log = this.log
      .all()
      .slice(0, this.commitIndex)
      .map((e): [number, string] => [e.term, createHash('sha256').update(e.command).digest('hex').slice(0, 12)]);
    return { nodeId: this.id, commitIndex: this.commitIndex, log };
  }

  debug(): Record<string, unknown> {
    return {
      nodeId: this.id,
      state: this.role,
      term: this.term,
      leaderId: this.leaderId,
      logLength: this.log.lastIndex,
      commitIndex: this.commitIndex,
      stateMachine: this.stateMachine.snapshot(),
      // extras
      leader: this.leaderUrl,
      votedFor: this.votedFor,
      lastApplied: this.lastApplied,
      lastLogTerm: this.log.lastTerm,
      peers: this.peers.map((p) => p.id),
      bugs: [...this.config.bugs],
    };
  }
}

function overwritten(index: number): RequestFailed {
  return new RequestFailed('overwritten', `Not committed: another leader's entry replaced this write at log index ${index}; it was not applied`);
}
