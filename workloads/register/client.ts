/**
 * A register client: bound to one home node (Jepsen style, `process % nodes`), it sends reads
 * there and follows the leader hints it gets back. Ops that only a leader serves (writes, deletes,
 * and Raft's reads) go first to the leader the run's clients last saw answer (a shared cache,
 * as real clients keep one), so a dead follower does not turn every write into an unknown.
 */
import type { ClientContext, NodeEndpoint, OpCall, OpOutcome, WorkloadClient } from '../../harness/workload.js';
import { HttpClient } from '../http.js';
import { followLeader } from '../leader.js';
import { transportOutcome } from '../outcome.js';
import type { RegisterApi, Session } from './apis.js';
import type { RegisterOptions } from './options.js';

/** The leader the clients of one run (one `nodes` list) last saw answer a leader-only op. */
const knownLeaders = new WeakMap<readonly NodeEndpoint[], { id?: string }>();

export class RegisterClient implements WorkloadClient {
  private readonly http = new HttpClient();
  private readonly session: Session;
  private readonly home: NodeEndpoint;

  constructor(
    private readonly api: RegisterApi,
    private readonly options: RegisterOptions,
    private readonly context: ClientContext,
  ) {
    if (context.nodes.length === 0) throw new Error('register client: no nodes to talk to');
    this.home = context.nodes[context.process % context.nodes.length]!;
    this.session = { readLevel: options.readLevel, unconfirmedWrites: options.unconfirmedWrites };
  }

  invoke(call: OpCall, signal: AbortSignal): Promise<OpOutcome> {
    if (call.f !== 'read' && call.f !== 'write' && call.f !== 'delete') {
      return Promise.resolve({ type: 'fail', node: this.home.id, error: `register: unknown op "${call.f}"` });
    }
    const nodes = this.context.nodes;
    let known = knownLeaders.get(nodes);
    if (!known) knownLeaders.set(nodes, (known = {}));
    const leaderOnly = call.f !== 'read' || this.api.readsAtLeader;
    const cached = this.options.leaderCache && leaderOnly ? nodes.find((n) => n.id === known.id) : undefined;
    return followLeader({
      nodes,
      start: cached ?? this.home,
      maxRedirects: this.options.maxRedirects,
      signal,
      attempt: async (node) => {
        const req = this.api.request(call, this.session);
        const readAsFail = call.f === 'read' && this.options.readUnknownAs === 'fail';
        const timeoutMs = this.context.timeoutMs;
        const result = await this.http.request(node.url.replace(/\/+$/, '') + req.path, {
          method: req.method,
          body: req.body,
          signal,
          // A read gives up first, so it ends as our `fail` rather than the harness's `info`.
          timeoutMs: readAsFail ? Math.max(1, timeoutMs - Math.min(200, Math.ceil(timeoutMs / 10))) : timeoutMs,
        });
        if (result.kind === 'error') {
          if (known.id === node.id) known.id = undefined;
          const outcome = transportOutcome(result, node.id);
          return { kind: 'done', outcome: readAsFail ? { ...outcome, type: 'fail' } : outcome };
        }
        const attempt = this.api.interpret(call, result.status, result.body, this.session);
        if (leaderOnly && attempt.kind === 'done' && attempt.outcome.type === 'ok') known.id = node.id;
        else if (attempt.kind === 'redirect' && known.id === node.id) known.id = undefined;
        return attempt;
      },
    });
  }

  async close(): Promise<void> {
    this.http.close();
  }
}
