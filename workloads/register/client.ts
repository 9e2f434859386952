/**
 * A register client: bound to one home node (Jepsen style, `process % nodes`), it sends reads
 * there and follows the leader hints it gets back. Ops that only a leader serves (writes, deletes,
 * and Raft's reads) go first to the leader the run's clients last saw answer (a shared cache,
 * as real clients keep one), so a dead follower does not turn every write into an unknown.
 */
import type { ClientContext, NodeEndpoint, OpCall, OpOutcome, WorkloadClient } from '../../core/workload.js';
import { HttpClient } from '../http.js';
import { followLeader } from '../leader.js';
import { transportOutcome } from '../outcome.js';
import type { RegisterApi, Session } from './apis.js';
import type { RegisterOptions } from './options.js';

/** What the clients of one run (one `nodes` list) share: the leader they last saw answer a
 *  leader-only op, and when each node last failed to answer at all. */
interface SharedView {
  id?: string;
  down: Map<string, number>;
}
const views = new WeakMap<readonly NodeEndpoint[], SharedView>();

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
    if (call.f !== 'read' && call.f !== 'write' && call.f !== 'delete' && call.f !== 'add') {
      return Promise.resolve({ type: 'fail', node: this.home.id, error: `register: unknown op "${call.f}"` });
    }
    const nodes = this.context.nodes;
    let known = views.get(nodes);
    if (!known) views.set(nodes, (known = { down: new Map() }));
    const view = known;
    const leaderOnly = call.f !== 'read' || this.api.readsAtLeader;
    const cached = this.options.leaderCache && leaderOnly ? nodes.find((n) => n.id === view.id) : undefined;
    const target = call.node === undefined ? undefined : nodes.find((n) => n.id === call.node);
    if (call.node !== undefined && !target) {
      return Promise.resolve({ type: 'fail', node: this.home.id, error: `register: no node "${call.node}"` });
    }
    const first = call.startAt === undefined ? undefined : nodes.find((n) => n.id === call.startAt);
    const drawn = !target && !first && this.options.randomNode > 0 && this.context.random.chance(this.options.randomNode) ? this.context.random.pick(nodes) : undefined;
    return followLeader({
      nodes,
      start: target ?? first ?? drawn ?? cached ?? this.home,
      maxRedirects: this.options.maxRedirects,
      signal,
      attempt: async (node) => {
        // A node that just failed to answer is not asked again for a moment: the op certainly
        // did not happen (nothing is sent), where asking would likely end it as unknown.
        const downAt = view.down.get(node.id);
        if (downAt !== undefined && performance.now() - downAt < this.options.suspectMs) {
          return { kind: 'done', outcome: { type: 'fail', node: node.id, error: `not sent: ${node.id} did not answer ${Math.round(performance.now() - downAt)} ms ago` } };
        }
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
          if (view.id === node.id) view.id = undefined;
          if (!result.timeout) view.down.set(node.id, performance.now());
          const outcome = transportOutcome(result, node.id);
          return { kind: 'done', outcome: readAsFail ? { ...outcome, type: 'fail' } : outcome };
        }
        view.down.delete(node.id);
        const attempt = this.api.interpret(call, result.status, result.body, this.session);
        if (leaderOnly && attempt.kind === 'done' && attempt.outcome.type === 'ok') view.id = node.id;
        else if (attempt.kind === 'redirect' && view.id === node.id) view.id = undefined;
        return attempt;
      },
    });
  }

  async close(): Promise<void> {
    this.http.close();
  }
}
