/**
 * Following leader hints: a node that is not the leader answers with the leader's id (or URL);
 * the client retries there, a bounded number of times. A "not the leader" answer is a definite
 * failure (the node did nothing), so a chain of redirects that never reaches a leader is `fail`;
 * the outcome of the last node actually asked decides otherwise.
 */
import type { NodeEndpoint, OpOutcome } from '../core/workload.js';

/** What one attempt against one node said. */
export type Attempt =
  | { kind: 'done'; outcome: OpOutcome }
  /** Not the leader. `leader` is the hint as given (an id, `host:port`, or a URL), if any. */
  | { kind: 'redirect'; leader?: string; error: string };

/** Finds the endpoint a leader hint names: by node id, by URL, or by the id before `:port`. */
export function resolveLeader(nodes: readonly NodeEndpoint[], hint: string | undefined): NodeEndpoint | undefined {
  if (!hint) return undefined;
  const h = hint.trim();
  const byId = nodes.find((n) => n.id === h);
  if (byId) return byId;
  const strip = (u: string): string => u.replace(/\/+$/, '');
  const byUrl = nodes.find((n) => strip(n.url) === strip(h));
  if (byUrl) return byUrl;
  const bare = h.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
  const byHostPort = nodes.find((n) => n.url.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '') === bare);
  if (byHostPort) return byHostPort;
  const idPart = bare.split(':')[0];
  return nodes.find((n) => n.id === idPart);
}

export interface FollowOptions {
  nodes: readonly NodeEndpoint[];
  /** Where to ask first. */
  start: NodeEndpoint;
  /** How many redirects to follow at most. */
  maxRedirects: number;
  signal: AbortSignal;
  attempt(node: NodeEndpoint): Promise<Attempt>;
}

export async function followLeader(options: FollowOptions): Promise<OpOutcome> {
  let node = options.start;
  const asked: string[] = [];
  for (let hop = 0; ; hop++) {
    asked.push(node.id);
    const result = await options.attempt(node);
    if (result.kind === 'done') return { node: node.id, ...result.outcome };
    const next = resolveLeader(options.nodes, result.leader);
    const why = `${result.error} (asked ${asked.join(' -> ')})`;
    if (!next) return { type: 'fail', node: node.id, error: result.leader ? `${why}; unknown leader "${result.leader}"` : why };
    if (next.id === node.id) return { type: 'fail', node: node.id, error: `${why}; it names itself` };
    if (hop >= options.maxRedirects) return { type: 'fail', node: node.id, error: `${why}; gave up after ${hop} redirects` };
    if (options.signal.aborted) return { type: 'fail', node: node.id, error: `${why}; aborted` };
    node = next;
  }
}
