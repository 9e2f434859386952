/**
 * Mutants: small, realistic mistakes a student makes, switched on one at a time with
 * `FAULTLINE_MUTANT=<name>` to measure how many of them faultline's generic campaigns find
 * (`npm run mutants`). They are not course defects: not in `BUGS`, not listed by
 * `faultline list bugs`, never named by a campaign. A node started with a mutant name it does not
 * know (or one of another system) stops with a message.
 */

export type MutantSystem = 'queue' | 'store' | 'chat' | 'raft';

export interface MutantInfo {
  readonly system: MutantSystem;
  /** The mistake, in one line. */
  readonly mistake: string;
  /** Only this fault can show it (a plain kill keeps the page cache): the generic -crashes campaigns use it. */
  readonly needs?: 'power-loss';
  /** Why no black-box test can see it: it is then left out of the score. */
  readonly invisible?: string;
}

export const MUTANTS = {
  // --- raft: voting ---
  'raft-vote-ignores-log': { system: 'raft', mistake: 'a node grants its vote without checking that the candidate\'s log is at least as up to date as its own' },
  'raft-vote-log-term-only': { system: 'raft', mistake: 'the up-to-date check compares only the last log terms (>=), not the last index when they are equal' },
  'raft-double-vote': { system: 'raft', mistake: 'a node that already voted in this term votes again for another candidate' },
  'raft-vote-not-persisted': { system: 'raft', mistake: 'the vote is kept in memory only (the term is saved, votedFor is not), so a restarted node votes twice in a term' },
  // --- raft: terms ---
  'raft-append-stale-term': { system: 'raft', mistake: 'AppendEntries from an older term is accepted (no term check), so a deposed leader still rewrites logs' },
  'raft-reply-term-ignored': { system: 'raft', mistake: 'the leader ignores the term in AppendEntries replies, so it never learns it was deposed and keeps serving' },
  // --- raft: log matching ---
  'raft-prev-term-unchecked': { system: 'raft', mistake: 'the follower checks only that prevLogIndex exists, not that its term matches prevLogTerm' },
  'raft-conflict-kept': { system: 'raft', mistake: 'a follower keeps its own entry when the leader sends a different one at the same index (no truncation)' },
  // --- raft: commit ---
  'raft-commit-minority': { system: 'raft', mistake: 'off by one in the commit rule: an entry counts as committed when one node fewer than a majority holds it' },
  'raft-commit-old-term': {
    system: 'raft',
    mistake: 'the leader commits entries of an earlier term by counting replicas (Raft figure 8), not only entries of its own term',
    invisible:
      'this leader appends its no-op before it sends anything, and every AppendEntries carries its log to the end, so a follower that acknowledges anything acknowledges the no-op too: the earlier-term entries it would commit alone are already under an entry of this term on a majority (safe). Only a follower more than 1000 entries (one AppendEntries) behind, followed by a Figure 8 sequence of crashes, tells the two apart',
  },
  'raft-follower-commit-unbounded': {
    system: 'raft',
    mistake: 'a follower sets commitIndex to leaderCommit, not to min(leaderCommit, index of the last new entry)',
    invisible:
      'every AppendEntries carries the leader\'s log to its end (a term of its own, the no-op), and a conflicting entry truncates the follower\'s log from there, so after a successful AppendEntries nothing stale lies past the last new entry: both bounds are the same index. Only an AppendEntries cut at 1000 entries, to a follower that far behind with a stale tail, tells them apart',
  },
  'raft-apply-on-append': { system: 'raft', mistake: 'the leader applies a command to its state machine when it appends it, before it is committed' },
  // --- raft: read path ---
  'raft-read-before-noop': { system: 'raft', mistake: 'a new leader serves reads before its no-op is committed, so before it knows the commit index' },
  'raft-read-no-confirm': { system: 'raft', mistake: 'a read confirms leadership with the acks of any earlier heartbeat round, not one sent after the read arrived' },
  // --- raft: durability ---
  'raft-log-no-fsync': { system: 'raft', mistake: 'log entries are written but not fsynced before the node acknowledges them', needs: 'power-loss' },

  // --- store ---
  'store-version-string-compare': { system: 'store', mistake: 'versions ("<term>.<counter>") are compared as strings, so "3.10" is older than "3.9"' },
  'store-strong-read-short': { system: 'store', mistake: 'off by one in the strong read: it waits for R-2 peer answers instead of R-1, so R=2 reads only the local copy' },
  'store-takeover-no-merge': { system: 'store', mistake: 'a new leader skips merging its peers\' maps and pushes its own (possibly old) map' },
  'store-stale-leader-accepted': { system: 'store', mistake: 'a follower accepts replication from a leader of an older term' },
  'store-quorum-counts-self-twice': { system: 'store', mistake: 'the write quorum counts the leader twice, so W=2 is met with no peer ack' },
  'store-no-fsync': { system: 'store', mistake: 'the map is written but not fsynced before a write is acknowledged', needs: 'power-loss' },

  // --- queue ---
  'queue-expire-drops-task': { system: 'queue', mistake: 'an expired lease takes the task out of processing but never puts it back on the pending list' },
  'queue-complete-not-journaled': { system: 'queue', mistake: 'a completion is applied and acknowledged but not written to the journal, so a restart brings the task back' },
  'queue-replay-requeues-done': { system: 'queue', mistake: 'journal replay puts every task that is not failed back to pending, completed ones included' },
  'queue-replay-drops-last': { system: 'queue', mistake: 'journal replay stops one event early (off by one), so the last acknowledged change is lost on restart' },
  'queue-journal-no-fsync': { system: 'queue', mistake: 'journal events are written but not fsynced before they are acknowledged', needs: 'power-loss' },
  'queue-lease-check-skipped': {
    system: 'queue',
    mistake: 'a completion is accepted without checking that its lease is the current one',
    invisible: 'a stale lease completes a task another worker also holds: at-least-once allows the redelivery, and the task ends completed once either way',
  },

  // --- chat ---
  'chat-no-self-echo': { system: 'chat', mistake: 'a room broadcast skips the sender, so a sender never receives its own messages' },
  'chat-history-since-off-by-one': { system: 'chat', mistake: 'history after a sequence starts one message late, skipping the message just after the boundary' },
  'chat-history-page-short': { system: 'chat', mistake: 'a history page stops one message short of its limit while saying it is complete (lastSequence)' },
  'chat-global-sequence': { system: 'chat', mistake: 'one sequence counter for all rooms, so each room\'s sequences have gaps' },
  'chat-dedup-ignored': { system: 'chat', mistake: 'a resent message (same clientMsgId) is stored and broadcast again' },
  'chat-dedup-not-restored': { system: 'chat', mistake: 'the clientMsgId table is not rebuilt from disk on restart, so a resend after a crash is stored twice' },
  'chat-async-write': { system: 'chat', mistake: 'the message file is written asynchronously and not awaited: the message is broadcast before it is on disk' },
  'chat-no-fsync': { system: 'chat', mistake: 'message files are written but not fsynced before the message is broadcast', needs: 'power-loss' },
} as const satisfies Record<string, MutantInfo>;

export type MutantName = keyof typeof MUTANTS;

export const MUTANT_ENV = 'FAULTLINE_MUTANT';

/** The catalogue as a list, in catalogue order. */
export function mutantList(): { name: MutantName; info: MutantInfo }[] {
  return (Object.keys(MUTANTS) as MutantName[]).map((name) => ({ name, info: MUTANTS[name] }));
}

/** The mutant switched on in this process (`FAULTLINE_MUTANT`); undefined when none. */
export function activeMutant(env: NodeJS.ProcessEnv = process.env): MutantName | undefined {
  const raw = (env[MUTANT_ENV] ?? '').trim();
  if (raw === '') return undefined;
  if (!Object.hasOwn(MUTANTS, raw)) {
    throw new Error(`unknown mutant "${raw}" in ${MUTANT_ENV}; known: ${Object.keys(MUTANTS).join(', ')}`);
  }
  return raw as MutantName;
}

let checked: MutantName | undefined | null = null;

/**
 * Whether `name` is switched on. The first call checks the variable: an unknown name, or one
 * of another system than `system` when a node declares it (`checkMutantFor`), stops the node.
 */
export function mutant(name: MutantName): boolean {
  if (checked === null) checked = readOrExit();
  return checked === name;
}

/** At a node's start: stops it when FAULTLINE_MUTANT names an unknown mutant or one of another system. */
export function checkMutantFor(system: MutantSystem): MutantName | undefined {
  const name = readOrExit();
  if (name !== undefined && MUTANTS[name].system !== system) {
    process.stderr.write(`${MUTANT_ENV}=${name} is a mutant of ${MUTANTS[name].system}, not of ${system}\n`);
    process.exit(2);
  }
  checked = name;
  if (name !== undefined) process.stderr.write(`MUTANT ${name}: ${MUTANTS[name].mistake}\n`);
  return name;
}

function readOrExit(): MutantName | undefined {
  try {
    return activeMutant();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
}
