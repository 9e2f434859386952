/**
 * Coverage: what a run put the system through, counted from the status monitor's samples
 * (`process: "monitor"`, `f: "status"`, value `{role, term, leader}`) and the nemesis ops:
 * - leaderChanges: a node claiming leadership in another term or as another node than the last claim;
 * - terms: distinct terms seen; electionsWithoutWinner: terms seen in which no node claimed leadership;
 * - restarts: nodes restarted (`restart`) or resumed (`resume`) by the nemesis;
 * - opsAcrossLeaderChange: client ops that completed ok and were in flight when a leader change was first seen.
 * Never invalid: `min` (e.g. `{leaderChanges: 3}`) makes an unmet minimum `unknown` (the run could
 * not have found what it did not exercise). A run that never changed its leader says
 * "election bugs not exercised" in its summary.
 */
import type { Op } from '../../core/op.js';
import type { CheckResult } from '../../core/result.js';
import { CheckerOptionError, rejectUnknownOptions } from '../common/options.js';

export interface Coverage {
  leaderChanges: number;
  terms: number;
  electionsWithoutWinner: number;
  restarts: number;
  opsAcrossLeaderChange: number;
  statusSamples: number;
}

const COUNTS = ['leaderChanges', 'terms', 'electionsWithoutWinner', 'restarts', 'opsAcrossLeaderChange'] as const;

export function coverageOf(history: readonly Op[]): Coverage {
  const ops = [...history].sort((a, b) => a.time - b.time);
  let statusSamples = 0;
  const terms = new Set<number>();
  const termsWithLeader = new Set<number>();
  let last: { node: string; term: unknown } | undefined;
  const changeTimes: number[] = [];
  let restarts = 0;
  for (const op of ops) {
    if (op.process === 'monitor' && op.f === 'status') {
      statusSamples++;
      const v = (op.value ?? {}) as { role?: unknown; term?: unknown };
      if (typeof v.term === 'number') terms.add(v.term);
      if (v.role !== 'leader' || typeof op.node !== 'string') continue;
      if (typeof v.term === 'number') termsWithLeader.add(v.term);
      if (last && (last.node !== op.node || last.term !== v.term)) changeTimes.push(op.time);
      last = { node: op.node, term: v.term };
    } else if (op.process === 'nemesis' && (op.f === 'restart' || op.f === 'resume') && op.type !== 'invoke') {
      const nodes = (op.value as { nodes?: unknown } | undefined)?.nodes;
      restarts += Array.isArray(nodes) ? nodes.length : 1;
    }
  }
  // Client ops in flight across a change: invoke before it, ok completion after it.
  const invokes = new Map<number | string, Op>();
  let opsAcrossLeaderChange = 0;
  for (const op of ops) {
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') invokes.set(op.process, op);
    else {
      const inv = invokes.get(op.process);
      invokes.delete(op.process);
      if (inv && op.type === 'ok' && changeTimes.some((t) => t > inv.time && t < op.time)) opsAcrossLeaderChange++;
    }
  }
  return {
    leaderChanges: changeTimes.length,
    terms: terms.size,
    electionsWithoutWinner: [...terms].filter((t) => !termsWithLeader.has(t)).length,
    restarts,
    opsAcrossLeaderChange,
    statusSamples,
  };
}

export function checkCoverageHistory(history: readonly Op[], options: Record<string, unknown> = {}): CheckResult {
  rejectUnknownOptions(options, 'coverage', ['min']);
  const min = (options.min ?? {}) as Record<string, unknown>;
  if (typeof min !== 'object' || min === null || Array.isArray(min)) throw new CheckerOptionError('coverage', 'min', 'must be an object like {leaderChanges: 3}');
  for (const [k, v] of Object.entries(min)) {
    if (!(COUNTS as readonly string[]).includes(k)) throw new CheckerOptionError('coverage', 'min', `names an unknown count "${k}"; known: ${COUNTS.join(', ')}`);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new CheckerOptionError('coverage', `min.${k}`, `must be a non-negative integer, got ${JSON.stringify(v)}`);
  }
  const c = coverageOf(history);
  const unmet = Object.entries(min as Record<string, number>).filter(([k, v]) => c[k as (typeof COUNTS)[number]] < v);
  const parts = [
    `${c.leaderChanges} leader change(s)`,
    `${c.terms} term(s)`,
    `${c.electionsWithoutWinner} without a leader seen`,
    `${c.restarts} restart(s)`,
    `${c.opsAcrossLeaderChange} op(s) ok across a leader change`,
  ];
  let summary = c.statusSamples === 0 ? 'no status samples (the system has no status endpoint): leader coverage unknown' : parts.join(', ');
  if (c.statusSamples > 0 && c.leaderChanges === 0) summary += '; election bugs not exercised (the leader never changed)';
  if (unmet.length) summary += `; below the required minimum: ${unmet.map(([k, v]) => `${k} ${c[k as (typeof COUNTS)[number]]} < ${v}`).join(', ')}`;
  return { checker: 'coverage', valid: unmet.length ? 'unknown' : true, summary, anomalies: [], details: { ...c, min } };
}
