/**
 * Replica agreement at the end of a run. After the heal and the final phase the harness asks every
 * node for a digest of its committed state (the descriptor's `digest`) and records one monitor op
 * per node: `{"process": "monitor", "type": "info", "f": "digest", "node": "n2",
 * "value": {"kind": "log", "entries": [...]}}`, or the same with `error` when the node did not
 * answer or the system exposes no digest.
 *
 * - `log` (Raft): item i is the committed entry at index i+1. Two nodes disagree when, within the
 *   prefix both hold, some index has different entries (Raft's Log Matching: one committed entry
 *   per index). A shorter prefix is a node that is behind, not a disagreement.
 * - `map` (a replicated map): key -> the node's value for it (e.g. `{value, version}`). Two nodes
 *   disagree on a key whose values differ, or that one holds and the other does not (the
 *   harness collects until the digests agree or its time runs out, so replication lag is waited
 *   out).
 *
 * One `diverged` anomaly per pair of nodes, naming the first index or key that differs. The history
 * of a run never shows such a divergence when later writes overwrite it before any read sees it.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Op } from '../../core/op.js';
import { combineValidity, type CheckResult } from '../../core/result.js';
import { AnomalyList } from '../common/anomalies.js';
import { formatValue } from '../common/describe.js';
import { z } from 'zod';
import { checkerOptions, maxAnomalies } from '../common/options.js';

/** The `error` of a digest op when the system's descriptor names no digest. */
export const NO_DIGEST = 'the system exposes no digest';

/** `of` names the digest when a system has several (Raft: `log` and `stateMachine`). */
export type Digest = ({ kind: 'log'; entries: unknown[] } | { kind: 'map'; entries: Record<string, unknown> }) & { of?: string };

export interface Disagreement {
  a: string;
  b: string;
  /** `index 37` or `key "k3"`. */
  where: string;
  /** What each node holds there (`undefined`: nothing). */
  aHas: unknown;
  bHas: unknown;
}

/** A digest op's value, or undefined when it is not one. */
export function asDigest(value: unknown): Digest | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as { kind?: unknown; entries?: unknown; of?: unknown };
  const named = typeof v.of === 'string' ? { of: v.of } : {};
  if (v.kind === 'log' && Array.isArray(v.entries)) return { kind: 'log', entries: v.entries, ...named };
  if (v.kind === 'map' && v.entries && typeof v.entries === 'object' && !Array.isArray(v.entries)) {
    return { kind: 'map', entries: v.entries as Record<string, unknown>, ...named };
  }
  return undefined;
}

/** Where two digests first differ on what both hold, or undefined when they agree. */
export function firstDifference(a: Digest, b: Digest): { where: string; aHas: unknown; bHas: unknown } | undefined {
  if (a.kind === 'log' && b.kind === 'log') {
    const n = Math.min(a.entries.length, b.entries.length);
    for (let i = 0; i < n; i++) {
      if (!isDeepStrictEqual(a.entries[i], b.entries[i])) return { where: `index ${i + 1}`, aHas: a.entries[i], bHas: b.entries[i] };
    }
    return undefined;
  }
  if (a.kind === 'map' && b.kind === 'map') {
    const keys = [...new Set([...Object.keys(a.entries), ...Object.keys(b.entries)])].sort();
    for (const key of keys) {
      const [x, y] = [a.entries[key], b.entries[key]];
      if (!isDeepStrictEqual(x, y)) return { where: `key ${JSON.stringify(key)}`, aHas: x, bHas: y };
    }
    return undefined;
  }
  return { where: 'the kind of digest', aHas: a.kind, bHas: b.kind };
}

/** Every pair of nodes that disagree, in node order. */
export function disagreements(digests: ReadonlyMap<string, Digest>): Disagreement[] {
  const nodes = [...digests.keys()];
  const out: Disagreement[] = [];
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const [a, b] = [nodes[i]!, nodes[j]!];
      const d = firstDifference(digests.get(a)!, digests.get(b)!);
      if (d) out.push({ a, b, ...d });
    }
  }
  return out;
}

/** The `agreement` checker's options. */
export const agreementOptions = z.strictObject({ maxAnomalies });
export type AgreementCheckOptions = z.input<typeof agreementOptions>;

const has = (v: unknown): string => (v === undefined ? 'nothing' : formatValue(v));

export function checkAgreementHistory(history: readonly Op[], options: AgreementCheckOptions = {}): CheckResult {
  const limit = checkerOptions('agreement', agreementOptions, options).maxAnomalies;
  const ops = history.filter((o) => o.process === 'monitor' && o.f === 'digest' && o.node !== undefined);
  // The last digest op of each node counts (one round is recorded per run), per digest when the
  // system has several (each op names its digest in `value.of`).
  const groups = new Map<string, Map<string, Op>>();
  for (const op of ops) {
    const of = digestOf(op);
    const last = groups.get(of) ?? new Map<string, Op>();
    last.set(op.node!, op);
    groups.set(of, last);
  }
  const notChecked = (why: string, valid: CheckResult['valid']): CheckResult => ({
    checker: 'agreement',
    valid,
    summary: `not checked: ${why}`,
    anomalies: [],
    details: { checked: false },
  });
  if (groups.size === 0) return notChecked('no digest in the history (the run ended before its final phase, or is older than the agreement check)', 'unknown');
  if (ops.every((o) => o.error === NO_DIGEST)) return notChecked(NO_DIGEST, true);

  const found = new AnomalyList(limit);
  const judged = [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([of, last]) => judgeDigest(of, last, found));
  if (judged.length === 1) {
    const [only] = judged;
    return { checker: 'agreement', valid: only!.valid, summary: only!.summary, anomalies: found.list(), details: { ...only!.details, truncated: found.truncated() } };
  }
  return {
    checker: 'agreement',
    valid: combineValidity(judged.map((j) => j.valid)),
    summary: judged.map((j) => `${j.of}: ${j.summary}`).join('; '),
    anomalies: found.list(),
    details: { checked: judged.some((j) => j.details.checked), digests: Object.fromEntries(judged.map((j) => [j.of, j.details])), truncated: found.truncated() },
  };
}

/** Which digest an op is of (`value.of`; '' for a system with one digest). */
function digestOf(op: Op): string {
  const of = (op.value as { of?: unknown } | undefined)?.of;
  return typeof of === 'string' ? of : '';
}

interface Judged {
  of: string;
  valid: CheckResult['valid'];
  summary: string;
  details: { checked: boolean } & Record<string, unknown>;
}

/** One digest's last round: every pair of nodes that disagree is a `diverged` anomaly. */
function judgeDigest(of: string, last: ReadonlyMap<string, Op>, found: AnomalyList): Judged {
  const digests = new Map<string, Digest>();
  const missing: string[] = [];
  for (const [node, op] of [...last].sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))) {
    const d = op.error === undefined ? asDigest(op.value) : undefined;
    if (d) digests.set(node, d);
    else missing.push(`${node} (${op.error ?? 'not a digest'})`);
  }
  const opOf = (node: string): number => last.get(node)!.index;
  const what = of ? `committed state (${of})` : 'committed state';
  const before = found.count('diverged');
  for (const d of disagreements(digests)) {
    found.add({
      kind: 'diverged',
      explanation: `${d.a} and ${d.b} disagree on their ${what} at ${d.where}: ${d.a} has ${has(d.aHas)}, ${d.b} has ${has(d.bHas)}.`,
      ops: [opOf(d.a), opOf(d.b)],
    });
  }
  const sizes = Object.fromEntries([...digests].map(([n, d]) => [n, d.kind === 'log' ? d.entries.length : Object.keys(d.entries).length]));
  const kind = digests.values().next().value?.kind;
  const unit = kind === 'log' ? 'committed entries' : 'keys';
  const sizeText = [...digests].map(([n]) => `${n} ${sizes[n]}`).join(', ');
  const missingText = missing.length > 0 ? `; no digest from ${missing.join(', ')}` : '';
  const pairs = found.count('diverged') - before;
  const details = { checked: true, kind, sizes, missing };
  if (pairs > 0) return { of, valid: false, summary: `${pairs} pair(s) of nodes disagree (${unit}: ${sizeText})${missingText}`, details };
  if (digests.size < 2 && missing.length > 0) return { of, valid: 'unknown', summary: `not checked: fewer than two digests${missingText}`, details: { ...details, checked: false } };
  if (digests.size === 1) return { of, valid: true, summary: `one node, nothing to compare (${unit}: ${sizeText})`, details };
  return { of, valid: true, summary: `${digests.size} nodes agree on what they hold in common (${unit}: ${sizeText})${missingText}`, details };
}
