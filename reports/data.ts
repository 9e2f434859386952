/**
 * The data a report page draws, built from a run folder: client calls in compact columns (a
 * 100k-op history stays a few MB of JSON and draws from typed arrays), fault windows, node
 * roles from the status monitor, and the checkers' results (large details trimmed).
 */
import type { FaultStyle } from '../core/fault.js';
import type { Op } from '../core/op.js';
import type { CheckResult } from '../core/result.js';
import { pairCalls } from '../checkers/common/calls.js';
import { faultWindows } from '../checkers/common/faults.js';
import { stringifyJson } from '../core/json.js';
import type { NodeLog, RunFolderContents, RunResultsFile } from './load.js';

/** Call outcome codes in `CallColumns.type`. */
export const OUTCOMES = ['ok', 'fail', 'info', 'pending'] as const;

/** One entry per client call (invoke + completion), in invoke order. Times in microseconds. */
export interface CallColumns {
  lane: number[];
  process: number[];
  start: number[];
  /** -1 while pending. */
  end: number[];
  /** Index into OUTCOMES. */
  type: number[];
  /** Index into `strings`. */
  f: number[];
  /** Index into `strings`, -1 for none. */
  key: number[];
  /** The invoke's value and the completion's value as short JSON text; null for none. */
  input: (string | null)[];
  output: (string | null)[];
  /** Index into `strings`, -1 for none. */
  node: number[];
  error: number[];
  /** History indexes of the invoke and of the completion (-1 for none). */
  inv: number[];
  cmp: number[];
}

export interface ReportFault {
  kind: string;
  node?: string;
  /** µs; end null when never ended. */
  start: number;
  end: number | null;
  /** What the nemesis said (the partition's description, the nodes...). */
  label: string;
  ops: number[];
}

/** A node's role over time from the status monitor: a run of equal answers. */
export interface RoleSpan {
  node: string;
  /** `leader`, `follower`, `candidate`, `down` (the node did not answer), ... */
  role: string;
  term: string;
  start: number;
  end: number;
}

export interface ReportData {
  meta: RunResultsFile & { dir: string; badLines: number; historyOps: number; resultsProblem?: string };
  results: CheckResult[];
  strings: string[];
  calls: CallColumns;
  /** Each lane's label (the processes it holds). */
  lanes: string[];
  faults: ReportFault[];
  /** How each kind of fault is drawn (the run's fault registry); other kinds are grey. */
  faultStyles: Record<string, FaultStyle>;
  /** The other nemesis ops (failed faults, unpaired ones), as history ops. */
  nemesisOps: { index: number; time: number; f: string; type: string; label: string }[];
  roles: RoleSpan[];
  nodes: string[];
  /** Non-client ops that anomalies point at (status samples, nemesis ops), to mark them when highlighted. */
  markers: { index: number; time: number; node?: string; what: string }[];
  /** Last time in the history, µs. */
  endTime: number;
  logs: NodeLog[];
  campaignYaml: string;
}

/** Longest JSON text kept of one value; longer ones are cut (the full value is in history.jsonl). */
const VALUE_CHARS = 160;
/** Witness prefixes longer than this keep their tail only. */
const PREFIX_KEEP = 60;
/** A checker's details larger than this (as JSON) are left out of the page. */
const DETAILS_CHARS = 300_000;

export function buildReportData(run: RunFolderContents): ReportData {
  const { history } = run;
  const strings: string[] = [];
  const stringIds = new Map<string, number>();
  const intern = (s: string | undefined): number => {
    if (s === undefined) return -1;
    let id = stringIds.get(s);
    if (id === undefined) {
      id = strings.length;
      strings.push(s);
      stringIds.set(s, id);
    }
    return id;
  };
  const us = (ns: number): number => Math.round(ns / 1000);

  const { calls } = pairCalls(history);
  const endNs = history.reduce((m, op) => Math.max(m, op.time), 0);
  const lanes = assignLanes(calls.map((c) => ({ process: c.process, start: c.start, end: Number.isFinite(c.end) ? c.end : endNs })));
  const cols: CallColumns = { lane: [], process: [], start: [], end: [], type: [], f: [], key: [], input: [], output: [], node: [], error: [], inv: [], cmp: [] };
  calls.forEach((c, i) => {
    cols.lane.push(lanes.laneOf[i]!);
    cols.process.push(c.process);
    cols.start.push(us(c.start));
    cols.end.push(Number.isFinite(c.end) ? us(c.end) : -1);
    cols.type.push(OUTCOMES.indexOf(c.status));
    cols.f.push(intern(c.f));
    cols.key.push(intern(c.key));
    cols.input.push(shortJson(c.input));
    cols.output.push(c.completion && 'value' in c.completion ? shortJson(c.output) : null);
    cols.node.push(intern(c.completion?.node ?? c.invoke.node));
    cols.error.push(intern(c.completion?.error));
    cols.inv.push(c.invoke.index);
    cols.cmp.push(c.completion ? c.completion.index : -1);
  });

  const faults: ReportFault[] = faultWindows(history).map((w) => ({
    kind: w.kind,
    ...(w.node !== undefined && { node: w.node }),
    start: us(w.start),
    end: Number.isFinite(w.end) ? us(w.end) : null,
    label: faultLabel(history, w.ops[0]),
    ops: w.ops,
  }));
  // Ticks for nemesis ops that are not part of a window: failed faults, errors, unknown kinds.
  const windowed = /^(start-|stop-)|^(kill|restart|pause|resume)$/;
  const nemesisOps = history
    .filter((op) => op.process === 'nemesis' && op.type !== 'invoke' && (op.type === 'fail' || op.error !== undefined || !windowed.test(op.f)))
    .map((op) => ({ index: op.index, time: us(op.time), f: op.f, type: op.type, label: describeNemesis(op) }));

  const { roles, nodes } = roleSpans(history, us);
  const referenced = new Set((run.results?.results ?? []).flatMap((r) => (r.anomalies ?? []).flatMap((a) => (Array.isArray(a.ops) ? a.ops : []))));
  const markers = history
    .filter((op) => typeof op.process !== 'number' && referenced.has(op.index))
    .map((op) => ({ index: op.index, time: us(op.time), ...(op.node !== undefined && { node: op.node }), what: `${op.process} ${op.f}${op.value !== undefined ? ` ${shortJson(op.value)}` : ''}${op.error ? ` (error: ${op.error})` : ''}` }));
  return {
    meta: { ...(run.results ?? {}), results: undefined, dir: run.dir, badLines: run.badLines, historyOps: history.length, ...(run.resultsProblem && { resultsProblem: run.resultsProblem }) } as ReportData['meta'],
    results: (run.results?.results ?? []).map(trimResult),
    strings,
    calls: cols,
    lanes: lanes.labels,
    faults,
    faultStyles: run.faultStyles,
    nemesisOps,
    roles,
    nodes,
    markers,
    endTime: us(endNs),
    logs: run.logs,
    campaignYaml: run.campaignYaml ?? '',
  };
}

/** Puts each call on a lane: a process keeps its lane, a fresh process takes a lane freed before it started. */
export function assignLanes(calls: readonly { process: number; start: number; end: number }[]): { laneOf: number[]; labels: string[] } {
  const span = new Map<number, { start: number; end: number }>();
  for (const c of calls) {
    const s = span.get(c.process);
    if (s) s.end = Math.max(s.end, c.end);
    else span.set(c.process, { start: c.start, end: c.end });
  }
  const laneEnds: number[] = [];
  const members: number[][] = [];
  const laneOfProcess = new Map<number, number>();
  for (const [process, s] of [...span].sort((a, b) => a[1].start - b[1].start || a[0] - b[0])) {
    let lane = laneEnds.findIndex((end) => end < s.start);
    if (lane < 0) {
      lane = laneEnds.length;
      laneEnds.push(s.end);
      members.push([]);
    } else laneEnds[lane] = s.end;
    members[lane]!.push(process);
    laneOfProcess.set(process, lane);
  }
  const labels = members.map((ps) => (ps.length <= 3 ? ps.map((p) => `p${p}`).join(' ') : `p${ps[0]} p${ps[1]} … p${ps[ps.length - 1]} (${ps.length})`));
  return { laneOf: calls.map((c) => laneOfProcess.get(c.process)!), labels };
}

function shortJson(value: unknown): string | null {
  if (value === undefined) return null;
  let text: string;
  try {
    text = stringifyJson(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS - 1)}…` : text;
}

function faultLabel(history: readonly Op[], index: number | undefined): string {
  const op = index === undefined ? undefined : history.find((o) => o.index === index);
  if (!op) return '';
  // The completion says more (the partition's components) than the invoke.
  const completion = history.find((o) => o.process === 'nemesis' && o.index > op.index && o.type !== 'invoke' && o.f === op.f);
  return describeNemesis(completion ?? op);
}

function describeNemesis(op: Op): string {
  const v = op.value as Record<string, unknown> | null | undefined;
  const parts: string[] = [op.f];
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    if (typeof v['description'] === 'string') parts.push(v['description']);
    else if (typeof v['shape'] === 'string') parts.push(v['shape']);
    if (Array.isArray(v['nodes'])) parts.push(v['nodes'].map(String).join(' '));
    if (typeof v['ms'] === 'number') parts.push(`${v['ms']} ms`);
  } else if (v !== undefined && v !== null) parts.push(shortJson(v) ?? '');
  if (op.error) parts.push(`(error: ${op.error})`);
  return parts.join(' ');
}

function roleSpans(history: readonly Op[], us: (ns: number) => number): { roles: RoleSpan[]; nodes: string[] } {
  const open = new Map<string, RoleSpan>();
  const roles: RoleSpan[] = [];
  const nodes: string[] = [];
  for (const op of history) {
    if (op.process !== 'monitor' || op.f !== 'status' || op.node === undefined) continue;
    if (!nodes.includes(op.node)) nodes.push(op.node);
    const v = op.value as { role?: unknown; term?: unknown } | undefined;
    const role = op.error !== undefined ? 'down' : typeof v?.role === 'string' ? v.role : 'unknown';
    const term = v?.term === undefined || v.term === null ? '' : String(v.term);
    const t = us(op.time);
    const cur = open.get(op.node);
    if (cur && cur.role === role && cur.term === term) {
      cur.end = t;
      continue;
    }
    if (cur) cur.end = t;
    const span: RoleSpan = { node: op.node, role, term, start: t, end: t };
    open.set(op.node, span);
    roles.push(span);
  }
  return { roles, nodes: nodes.sort() };
}

/** Keeps a result's size bounded: the witness prefix's tail, no huge details. */
function trimResult(r: CheckResult): CheckResult {
  if (!r.details) return r;
  const details: Record<string, unknown> = { ...r.details };
  if (Array.isArray(details['witness'])) {
    details['witness'] = (details['witness'] as Record<string, unknown>[]).map((w) => {
      const prefix = Array.isArray(w['longestPrefix']) ? (w['longestPrefix'] as unknown[]) : [];
      if (prefix.length <= PREFIX_KEEP) return w;
      return { ...w, longestPrefix: prefix.slice(-PREFIX_KEEP), prefixOmitted: prefix.length - PREFIX_KEEP };
    });
  }
  let size: number;
  try {
    size = stringifyJson(details)!.length;
  } catch {
    return { ...r, details: { omitted: 'details could not be serialized' } };
  }
  if (size > DETAILS_CHARS) {
    const kept: Record<string, unknown> = { omitted: `details too large for the page (${size} characters); see results.json` };
    if (details['witness']) kept['witness'] = details['witness'];
    return { ...r, details: kept };
  }
  return { ...r, details };
}
