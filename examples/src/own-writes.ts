/**
 * A workload of our own for the course's Raft KV store: each client process owns one key
 * (`p<process>`), writes 1, 2, 3... to it and reads it back. Only that process writes its key, so
 * every read must return the last value it wrote (see own-writes-checker.ts).
 */
import { z } from 'zod';
import { defineWorkload, type NodeEndpoint, type OpCall, type OpOutcome } from 'faultline';

const options = z.strictObject({
  /** Chance that an op is a read rather than the next write. */
  readRatio: z.number().min(0).max(1).default(0.5),
});

export const ownWrites = defineWorkload({
  name: 'own-writes',
  description: 'each process writes 1, 2, 3... to its own key and reads it back',
  apis: ['raft'],
  options,
  generator(opts) {
    const written = new Map<number, number>();
    return {
      next(process, random) {
        const key = `p${process}`;
        if (written.has(process) && random.chance(opts.readRatio)) return { f: 'read', key };
        const value = (written.get(process) ?? 0) + 1;
        written.set(process, value);
        return { f: 'write', key, value };
      },
      final: (process) => [{ f: 'read', key: `p${process}` }],
    };
  },
  async client(_opts, context) {
    const nodes = context.nodes;
    let leader = nodes[context.process % nodes.length]!;
    return {
      async invoke(call, signal) {
        // Ask the node we think leads, then the others: a follower answers 500 "Not a leader".
        for (const node of [leader, ...nodes.filter((n) => n !== leader)]) {
          const outcome = await ask(node, call, signal, context.timeoutMs);
          if (outcome === 'not-leader') continue;
          if (outcome.type === 'ok') leader = node;
          return outcome;
        }
        return { type: 'fail', error: 'no node is the leader' };
      },
      async close() {},
    };
  },
});

async function ask(node: NodeEndpoint, call: OpCall, signal: AbortSignal, timeoutMs: number): Promise<OpOutcome | 'not-leader'> {
  const key = encodeURIComponent(call.key ?? '');
  try {
    const res = await fetch(call.f === 'read' ? `${node.url}/kv/${key}` : `${node.url}/kv`, {
      method: call.f === 'read' ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      ...(call.f === 'write' && { body: JSON.stringify({ key: call.key, value: call.value }) }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    const body = (await res.json().catch(() => ({}))) as { value?: unknown; error?: string };
    if (res.status === 200) return { type: 'ok', node: node.id, ...(call.f === 'read' && { value: body.value ?? null }) };
    if (res.status === 500 && /leader/i.test(body.error ?? '')) return 'not-leader';
    // Any other answer: a read did nothing; a write may have happened.
    return { type: call.f === 'read' ? 'fail' : 'info', node: node.id, error: `HTTP ${res.status} ${body.error ?? ''}`.trim() };
  } catch (err) {
    return { type: call.f === 'read' ? 'fail' : 'info', node: node.id, error: (err as Error).message };
  }
}
