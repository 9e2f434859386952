/**
 * The chat op mix: each process first joins its rooms, then publishes unique contents, polls
 * what it received, and sometimes reconnects. With `dedup` (the server's `clientMsgId`
 * de-duplication), a publish left unknown is resent by the process's next op, as a client
 * resends after a timeout or a reconnect, and `weights.resend` resends one of the process's recent
 * messages on purpose; a resend is a `publish` with `resend: true` and the same content (so the
 * same `clientMsgId`). A process whose op ended `info` is retired by the harness and a fresh one
 * takes its place: the fresh one inherits the retired one's outbox (its recent messages and the
 * resend it owes), as a user's app that restarts resends what it never saw acknowledged. The
 * final phase catches up on history and polls.
 */
import type { OpCall, OpGenerator, OpOutcome } from '../../core/workload.js';
import type { Random } from '../../core/random.js';
import { roomsOf, type ChatOptions } from './options.js';

interface Sent {
  room: string;
  content: string;
}

/** How many of a process's last publishes a deliberate resend picks from. */
const RECENT = 20;

export class ChatGenerator implements OpGenerator {
  private nextContent = 1;
  /** Rooms each process has been asked to join (and did not fail to). */
  private readonly joined = new Map<number, Set<string>>();
  /** Each process's last publishes (sent at least once). */
  private readonly recent = new Map<number, Sent[]>();
  /** A publish whose outcome was unknown, to resend next, per process. */
  private readonly retry = new Map<number, Sent>();
  /** Resends after an unknown outcome so far, by content, while the message is owed (kept only
   *  until it is acknowledged or given up, so the map stays as small as the owed resends). */
  private readonly retries = new Map<string, number>();
  /** Outboxes of retired processes (an `info` retires a process), for the next fresh process. */
  private readonly orphans: { recent: Sent[]; retry?: Sent }[] = [];

  constructor(private readonly options: ChatOptions) {}

  private joinedBy(process: number): Set<string> {
    let set = this.joined.get(process);
    if (!set) this.joined.set(process, (set = new Set()));
    return set;
  }

  next(process: number, random: Random): OpCall {
    if (!this.joined.has(process) && this.options.dedup) this.adopt(process);
    const joined = this.joinedBy(process);
    const missing = roomsOf(this.options, process).find((r) => !joined.has(r));
    if (missing) {
      joined.add(missing);
      return { f: 'join', value: { room: missing } };
    }
    const pending = this.retry.get(process);
    if (pending) {
      this.retry.delete(process);
      return { f: 'publish', value: { ...pending, resend: true } };
    }
    const f = random.weighted(this.options.weights);
    const recent = this.recent.get(process) ?? [];
    if (f === 'resend' && this.options.dedup && recent.length > 0) {
      return { f: 'publish', value: { ...random.pick(recent), resend: true } };
    }
    if (f === 'publish' || f === 'resend') {
      const sent = { room: random.pick([...joined]), content: `msg-${this.nextContent++}` };
      recent.push(sent);
      if (recent.length > RECENT) recent.shift();
      this.recent.set(process, recent);
      return { f: 'publish', value: sent };
    }
    if (f === 'history') {
      const room = random.pick([...joined]);
      return { f, value: { room, back: random.int(this.options.historyBack + 1), limit: 1 + random.int(this.options.historyLimit) } };
    }
    return { f };
  }

  /** A fresh process takes over the outbox of a retired one, if any. */
  private adopt(process: number): void {
    const orphan = this.orphans.shift();
    if (!orphan) return;
    const rooms = new Set(roomsOf(this.options, process));
    this.recent.set(process, orphan.recent.filter((m) => rooms.has(m.room)));
    if (!orphan.retry) return;
    if (rooms.has(orphan.retry.room)) this.retry.set(process, orphan.retry);
    else this.retries.delete(orphan.retry.content); // not in this process's rooms: no longer owed
  }

  update(process: number, call: OpCall, outcome: OpOutcome): void {
    this.follow(process, call, outcome);
    if (outcome.type === 'info' && this.options.dedup) {
      // The harness retires this process: its outbox (this op's resend included) goes to the next fresh one.
      const retry = this.retry.get(process);
      this.orphans.push({ recent: this.recent.get(process) ?? [], ...(retry ? { retry } : {}) });
      this.recent.delete(process);
      this.retry.delete(process);
    }
  }

  private follow(process: number, call: OpCall, outcome: OpOutcome): void {
    if (call.f === 'join' && outcome.type === 'fail') {
      const room = (call.value as { room?: unknown } | undefined)?.room;
      if (typeof room === 'string') this.joinedBy(process).delete(room);
    }
    if (call.f !== 'publish' || !this.options.dedup) return;
    const { room, content, resend } = (call.value ?? {}) as { room?: unknown; content?: unknown; resend?: unknown };
    if (typeof room !== 'string' || typeof content !== 'string') return;
    if (outcome.type === 'ok') this.retries.delete(content);
    if (outcome.type === 'fail' && resend === true && this.retries.has(content)) {
      // A retry that could not be sent (no connection): still owed, and not counted.
      this.retry.set(process, { room, content });
    }
    if (outcome.type === 'info') {
      const tries = this.retries.get(content) ?? 0;
      if (tries >= this.options.maxRetries) {
        // Given up: no longer owed, so its count goes (a later deliberate resend is a new send).
        this.retries.delete(content);
        return;
      }
      this.retries.set(content, tries + 1);
      this.retry.set(process, { room, content });
    }
  }

  final(_process: number): OpCall[] {
    return [{ f: 'catch-up' }, { f: 'poll' }];
  }
}
