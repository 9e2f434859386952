/**
 * The end-of-run digests: after the heal and the final phase, every node is asked for a digest of
 * its committed state (the descriptor's `digest`), straight at its own port like the status
 * monitor. Rounds repeat until the digests agree or `timeoutMs` runs out (so ordinary replication
 * lag is waited out), and the last round is recorded, one monitor op per node, for the
 * `agreement` checker. A system whose descriptor names no digest gets one op per node saying so.
 * A descriptor may list several digests (Raft: the committed log and the applied state machine):
 * each is asked and compared on its own, and its ops carry its name (`of`: the field, else the path).
 */
import { asDigest, disagreements, NO_DIGEST, type Digest } from '../../checkers/agreement/index.js';
import { digestName, digestSpecs, readPath, type DigestSpec, type SystemDescriptor } from '../descriptor.js';
import { getJson } from '../runtime/health.js';
import type { Runtime } from '../runtime/runtime.js';
import type { HistoryWriter } from './history.js';

export interface DigestSettings {
  system: SystemDescriptor;
  nodes: readonly string[];
  runtime: Pick<Runtime, 'address'>;
  history: Pick<HistoryWriter, 'record'>;
  /** How long to keep asking while the digests disagree. */
  timeoutMs: number;
  /** Pause between rounds (default 250 ms). */
  roundMs?: number;
  signal?: AbortSignal;
}

type Answer = { digest: Digest } | { error: string };

export async function collectDigests(settings: DigestSettings): Promise<void> {
  const { system, nodes, history } = settings;
  const specs = digestSpecs(system);
  if (specs.length === 0) {
    for (const node of nodes) history.record({ process: 'monitor', type: 'info', f: 'digest', node, error: NO_DIGEST });
    return;
  }
  // With several digests each is named (`of`) in its ops; a single one keeps the plain shape.
  const named = specs.length > 1;
  const deadline = performance.now() + settings.timeoutMs;
  let rounds: Map<string, Answer>[];
  for (;;) {
    const perRequest = Math.max(100, Math.min(5000, deadline - performance.now()));
    rounds = await Promise.all(
      specs.map(async (spec) => new Map(await Promise.all(nodes.map(async (node) => [node, await ask(settings, spec, named, node, perRequest)] as const)))),
    );
    const settled = rounds.every((answers) => {
      const digests = new Map([...answers].flatMap(([n, a]) => ('digest' in a ? [[n, a.digest] as const] : [])));
      return digests.size === nodes.length && disagreements(digests).length === 0;
    });
    if (settled || settings.signal?.aborted || performance.now() + (settings.roundMs ?? 250) > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, settings.roundMs ?? 250));
  }
  rounds.forEach((answers, i) => {
    for (const [node, answer] of answers) {
      if ('digest' in answer) history.record({ process: 'monitor', type: 'info', f: 'digest', node, value: answer.digest });
      else history.record({ process: 'monitor', type: 'info', f: 'digest', node, error: answer.error, ...(named && { value: { of: digestName(specs[i]!) } }) });
    }
  });
}

async function ask(settings: DigestSettings, spec: DigestSpec, named: boolean, node: string, timeoutMs: number): Promise<Answer> {
  const answer = await getJson(settings.runtime.address(node), spec.path, timeoutMs);
  if ('error' in answer) return { error: answer.error };
  if (answer.status < 200 || answer.status > 299) return { error: `GET ${spec.path}: HTTP ${answer.status}` };
  const entries = spec.field ? readPath(answer.body, spec.field) : answer.body;
  const digest = asDigest({ kind: spec.kind, entries, ...(named && { of: digestName(spec) }) });
  const where = spec.field ? `field "${spec.field}" of GET ${spec.path}` : `GET ${spec.path}`;
  if (!digest) return { error: `${where} is not ${spec.kind === 'log' ? 'an array' : 'an object'}` };
  return { digest };
}
