/**
 * Cluster invariants from the status monitor's ops (`process: "monitor"`, `f: "status"`,
 * `value: {role, term, leader}`): at most one leader per term (Raft's Election Safety) and, when
 * asked (`monotonicTerms`), no node's term going down (Raft keeps currentTerm on stable storage,
 * so not even a restart may lower it). The monitor polls each node sequentially, so one node's
 * samples are in order.
 */
import type { Op } from '../../core/op.js';
import type { CheckResult } from '../../core/result.js';
import { AnomalyList } from '../common/anomalies.js';
import { formatTime, opIndexes } from '../common/describe.js';
import { z } from 'zod';
import { checkerOptions, maxAnomalies } from '../common/options.js';

/** The `invariants` checker's options. */
export const invariantsOptions = z.strictObject({
  /** The role value that means leader (compared case-insensitively). Default "leader". */
  leaderRole: z.string().default('leader'),
  /** Report a node whose term goes down between two samples (term-regression). Default false. */
  monotonicTerms: z.boolean().default(false),
  maxAnomalies,
});
export type InvariantsCheckOptions = z.input<typeof invariantsOptions>;

interface Status {
  role: string;
  term: number | string;
  leader?: unknown;
}

function asStatus(value: unknown): Status | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as { role?: unknown; term?: unknown; leader?: unknown };
  if (typeof v.role !== 'string') return undefined;
  if (typeof v.term !== 'number' && typeof v.term !== 'string') return undefined;
  return { role: v.role, term: v.term, leader: v.leader };
}

/** The first and last monitor op in which one node claimed leadership of one term. */
interface Claim {
  node: string;
  first: Op;
  last: Op;
  samples: number;
}

export function checkInvariantsHistory(history: readonly Op[], options: InvariantsCheckOptions = {}): CheckResult {
  const opts = checkerOptions('invariants', invariantsOptions, options);
  const leaderRole = opts.leaderRole.toLowerCase();
  const monotonicTerms = opts.monotonicTerms;
  const anomalies = new AnomalyList(opts.maxAnomalies);

  const claims = new Map<string, Map<string, Claim>>(); // term -> node -> claim
  const terms = new Set<string>();
  const nodes = new Set<string>();
  let samples = 0;
  let errors = 0;
  let unreadable = 0;
  let termRegressions = 0;
  const lastSample = new Map<string, { term: number; op: Op }>();
  const nemesisOps: Op[] = [];
  for (const op of history) {
    if (op.process === 'nemesis') nemesisOps.push(op);
    if (op.process !== 'monitor' || op.f !== 'status') continue;
    const node = op.node ?? '?';
    nodes.add(node);
    if (op.error !== undefined) {
      errors++;
      continue;
    }
    const status = asStatus(op.value);
    if (!status) {
      unreadable++;
      continue;
    }
    samples++;
    const term = String(status.term);
    terms.add(term);
    const numeric = Number(status.term);
    const previous = lastSample.get(node);
    if (previous !== undefined && Number.isFinite(numeric) && numeric < previous.term) {
      termRegressions++;
      if (monotonicTerms) {
        const between = nemesisOps.filter((n) => n.time >= previous.op.time && n.time <= op.time && involves(n, node));
        anomalies.add({
          kind: 'term-regression',
          explanation:
            `Node ${node} reported term ${previous.term} at ${formatTime(previous.op.time)} (op #${previous.op.index}), then term ${numeric} at ${formatTime(op.time)} (op #${op.index})` +
            (between.length ? `, after ${between.filter((n, i) => i === 0 || between[i - 1]?.f !== n.f).map((n) => `${n.f} at ${formatTime(n.time)} (op #${n.index})`).join(', ')}` : '') +
            '. A term never goes down: Raft keeps currentTerm on stable storage, so a node that forgets it can vote twice in one term.',
          ops: opIndexes(previous.op.index, op.index, between.map((n) => n.index)),
        });
      }
    }
    if (Number.isFinite(numeric)) lastSample.set(node, { term: numeric, op });
    if (status.role.toLowerCase() !== leaderRole) continue;
    let byNode = claims.get(term);
    if (!byNode) claims.set(term, (byNode = new Map()));
    const claim = byNode.get(node);
    if (claim) {
      claim.last = op;
      claim.samples++;
    } else byNode.set(node, { node, first: op, last: op, samples: 1 });
  }

  let leaders = 0;
  for (const [term, byNode] of claims) {
    leaders += byNode.size;
    if (byNode.size < 2) continue;
    const list = [...byNode.values()].sort((a, b) => a.first.time - b.first.time);
    anomalies.add({
      kind: 'two-leaders',
      explanation:
        `${list.length} nodes claimed to be leader in term ${term}: ` +
        list
          .map((c) => `${c.node} (seen as leader ${c.samples} time(s), from ${formatTime(c.first.time)} to ${formatTime(c.last.time)}, ops #${c.first.index}..#${c.last.index})`)
          .join(', ') +
        '. A term may have at most one leader.',
      ops: opIndexes(...list.map((c) => (c.first === c.last ? [c.first.index] : [c.first.index, c.last.index]))),
    });
  }

  const splitTerms = anomalies.count('two-leaders');
  const valid = splitTerms === 0 && anomalies.count('term-regression') === 0;
  const summary =
    samples === 0
      ? `no node status was recorded (${errors} failed polls): nothing to check`
      : `${samples} status samples from ${nodes.size} nodes: ${terms.size} terms, ${leaders} leader(s) seen; ` +
        (splitTerms ? `${splitTerms} term(s) with two leaders` : 'at most one leader per term') +
        (termRegressions ? `; ${termRegressions} term regression(s)${monotonicTerms ? '' : ' (not judged)'}` : '');
  return {
    checker: 'invariants',
    valid,
    summary,
    anomalies: anomalies.list(),
    details: {
      samples,
      failedPolls: errors,
      unreadable,
      nodes: [...nodes].sort(),
      terms: terms.size,
      leaders,
      leadersByTerm: Object.fromEntries([...claims].map(([t, byNode]) => [t, [...byNode.keys()].sort()])),
      termsWithTwoLeaders: splitTerms,
      termRegressions,
      truncated: anomalies.truncated(),
    },
  };
}

/** Whether a nemesis op names the node (in `node` or `value.nodes`). */
function involves(op: Op, node: string): boolean {
  if (op.node === node) return true;
  const nodes = op.value && typeof op.value === 'object' ? (op.value as { nodes?: unknown }).nodes : undefined;
  return Array.isArray(nodes) && nodes.includes(node);
}
