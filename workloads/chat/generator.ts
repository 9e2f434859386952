/**
 * The chat op mix: each process first joins its rooms, then publishes unique contents, polls
 * what it received, and sometimes reconnects. The final phase catches up on history and polls.
 */
import type { OpCall, OpGenerator, OpOutcome } from '../../core/workload.js';
import type { Random } from '../../core/random.js';
import { roomsOf, type ChatOptions } from './options.js';

export class ChatGenerator implements OpGenerator {
  private nextContent = 1;
  /** Rooms each process has been asked to join (and did not fail to). */
  private readonly joined = new Map<number, Set<string>>();

  constructor(private readonly options: ChatOptions) {}

  private joinedBy(process: number): Set<string> {
    let set = this.joined.get(process);
    if (!set) this.joined.set(process, (set = new Set()));
    return set;
  }

  next(process: number, random: Random): OpCall {
    const joined = this.joinedBy(process);
    const missing = roomsOf(this.options, process).find((r) => !joined.has(r));
    if (missing) {
      joined.add(missing);
      return { f: 'join', value: { room: missing } };
    }
    const f = random.weighted(this.options.weights);
    if (f === 'publish') {
      const room = random.pick([...joined]);
      return { f, value: { room, content: `msg-${this.nextContent++}` } };
    }
    if (f === 'history') {
      const room = random.pick([...joined]);
      return { f, value: { room, back: random.int(this.options.historyBack + 1), limit: 1 + random.int(this.options.historyLimit) } };
    }
    return { f };
  }

  update(process: number, call: OpCall, outcome: OpOutcome): void {
    if (call.f === 'join' && outcome.type === 'fail') {
      const room = (call.value as { room?: unknown } | undefined)?.room;
      if (typeof room === 'string') this.joinedBy(process).delete(room);
    }
  }

  final(_process: number): OpCall[] {
    return [{ f: 'catch-up' }, { f: 'poll' }];
  }
}
