/**
 * The register op mix: reads, writes and deletes over a few keys. Every write carries a value
 * no other write of the run uses (1, 2, 3, ...), so a read names the write it saw. With an `add`
 * weight it also grows a set (Jepsen's set): each add writes a fresh key once. The final phase
 * reads every key and every element on every node. Options add hot keys (contention) and, once
 * the status monitor saw a new leader or an op was answered by another leader than before, a
 * burst of reads of the keys written last (reads right after a leader change), each process's
 * first one at the new leader (a new leader that answers before it knows the commit index shows it
 * then), and a probe of the deposed leader: a write sent to the new leader and, as soon as it is
 * acknowledged, a read of its key tried at the leader before the change (one that still serves
 * reads without confirming it leads answers it with the older value; any other redirects).
 */
import type { OpCall, OpGenerator, OpOutcome } from '../../core/workload.js';
import type { Random } from '../../core/random.js';
import { elementKey, keyNames, type RegisterOptions } from './options.js';

export class RegisterGenerator implements OpGenerator {
  private nextValue = 1;
  /** Set elements handed out so far: 1..elements. */
  private elements = 0;
  private readonly keys: string[];
  /** The leader the monitor saw last, or the node that last answered a write or delete ok. */
  private leader: string | undefined;
  /** Leader changes seen; each process owes reads until it has caught up with the count. */
  private changes = 0;
  private readonly readsOwed = new Map<number, { change: number; left: number }>();
  /** The deposed-leader probe of the last change: a write at the new leader (`write`, then
   *  `sent`), then a read of its key at the deposed leader (`read`) once the write is acknowledged. */
  private probe: { stage: 'write' | 'sent' | 'read'; deposed: string; leader: string; key: string; value: number } | undefined;
  private readonly recentKeys: string[] = [];

  constructor(private readonly options: RegisterOptions) {
    this.keys = keyNames(options);
  }

  next(process: number, random: Random): OpCall {
    const probe = this.probeOp(random);
    if (probe) return probe;
    const read = this.owedRead(process, random);
    if (read) return read;
    const f = random.weighted(this.options.weights);
    if (f === 'add') {
      const n = ++this.elements;
      return { f, key: elementKey(n), value: n };
    }
    const { keys: hotKeys, share } = this.options.hot;
    const key = share > 0 && random.chance(share) ? random.pick(this.keys.slice(0, hotKeys)) : random.pick(this.keys);
    if (f === 'write') return { f, key, value: this.nextValue++ };
    return { f, key };
  }

  /** The probe's next op, time-critical (a deposed leader steps down within an election
   *  timeout): so it goes to whichever process asks first. */
  private probeOp(random: Random): OpCall | undefined {
    const probe = this.probe;
    if (probe?.stage === 'write') {
      probe.stage = 'sent';
      probe.key = random.pick(this.keys);
      probe.value = this.nextValue++;
      return { f: 'write', key: probe.key, value: probe.value, startAt: probe.leader };
    }
    if (probe?.stage === 'read') {
      this.probe = undefined;
      return { f: 'read', key: probe.key, startAt: probe.deposed };
    }
    return undefined;
  }

  /** A read owed since the last leader change, of a key written just before it. */
  private owedRead(process: number, random: Random): OpCall | undefined {
    if (this.changes === 0) return undefined;
    let owed = this.readsOwed.get(process);
    if (!owed || owed.change < this.changes) this.readsOwed.set(process, (owed = { change: this.changes, left: this.options.readsAfterLeaderChange }));
    if (owed.left === 0) return undefined;
    const first = owed.left === this.options.readsAfterLeaderChange;
    owed.left--;
    const key = random.pick(this.recentKeys.length ? this.recentKeys : this.keys);
    return first && this.leader !== undefined ? { f: 'read', key, startAt: this.leader } : { f: 'read', key };
  }

  leaderChanged(leader: string): void {
    if (this.options.readsAfterLeaderChange > 0) this.noteLeader(leader);
  }

  /** The probe's ops are time-critical: the harness starts them without waiting for a rate slot. */
  urgent(): boolean {
    return this.probe !== undefined && this.probe.stage !== 'sent';
  }

  update(_process: number, call: OpCall, outcome: OpOutcome): void {
    const probe = this.probe;
    if (probe?.stage === 'sent' && call.f === 'write' && call.value === probe.value) {
      if (outcome.type === 'ok') probe.stage = 'read';
      else this.probe = undefined;
    }
    if (this.options.readsAfterLeaderChange === 0 || (call.f !== 'write' && call.f !== 'delete') || outcome.type !== 'ok' || !outcome.node) return;
    this.noteLeader(outcome.node);
    if (call.key !== undefined && !this.recentKeys.includes(call.key)) {
      this.recentKeys.push(call.key);
      if (this.recentKeys.length > 2) this.recentKeys.shift();
    }
  }

  /** The leader now (seen by the monitor or by who answered a write); a change owes reads. */
  private noteLeader(node: string): void {
    if (this.leader !== undefined && node !== this.leader) {
      this.changes++;
      this.probe = { stage: 'write', deposed: this.leader, leader: node, key: '', value: 0 };
    }
    this.leader = node;
  }

  final(_process: number): OpCall[] {
    return [];
  }

  finalOnEachNode(node: string): OpCall[] {
    if (!this.options.finalReads) return [];
    const elements = Array.from({ length: this.elements }, (_, i) => elementKey(i + 1));
    return [...this.keys, ...elements].map((key) => ({ f: 'read', key, node }));
  }
}
