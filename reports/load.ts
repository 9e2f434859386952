/**
 * Reads what a report needs from a run folder: results.json, history.jsonl, campaign.yaml,
 * plan.json and the list of node logs. Lenient: a run that died mid-way still gets a report.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Op, OpType } from '../checkers/history.js';
import type { CheckResult, Validity } from '../checkers/result.js';

/** results.json (harness/run/check.ts `RunResults`), read as data: every field may be missing. */
export interface RunResultsFile {
  campaign?: string;
  system?: string;
  seed?: number;
  runId?: string;
  startedAt?: string;
  durationMs?: number;
  valid?: Validity;
  results?: CheckResult[];
  expected?: { verdict: string; findings?: string[] };
  replay?: string;
  interrupted?: string;
}

export interface NodeLog {
  node: string;
  /** Relative to the run folder. */
  file: string;
  bytes: number;
}

export interface RunFolderContents {
  dir: string;
  results?: RunResultsFile;
  history: Op[];
  /** Lines of history.jsonl that were not ops (a torn last line, garbage). */
  badLines: number;
  campaignYaml?: string;
  logs: NodeLog[];
}

const OP_TYPES: readonly string[] = ['invoke', 'ok', 'fail', 'info'];

/** A run folder has a history.jsonl or a results.json (a run that died early may have only one). */
export function isRunFolder(dir: string): boolean {
  return existsSync(join(dir, 'history.jsonl')) || existsSync(join(dir, 'results.json'));
}

export function readRunFolder(dir: string): RunFolderContents {
  const historyFile = join(dir, 'history.jsonl');
  const { ops, bad } = existsSync(historyFile) ? parseHistoryLines(readFileSync(historyFile, 'utf8')) : { ops: [], bad: 0 };
  return {
    dir,
    results: readJson<RunResultsFile>(join(dir, 'results.json')),
    history: ops,
    badLines: bad,
    campaignYaml: readText(join(dir, 'campaign.yaml')),
    logs: listLogs(dir),
  };
}

/** history.jsonl, skipping lines that are not ops. */
export function parseHistoryLines(text: string): { ops: Op[]; bad: number } {
  const ops: Op[] = [];
  let bad = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      bad++;
      continue;
    }
    const op = asOp(v, ops.length);
    if (op) ops.push(op);
    else bad++;
  }
  return { ops, bad };
}

function asOp(v: unknown, position: number): Op | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const process = o['process'];
  if (typeof o['f'] !== 'string' || !OP_TYPES.includes(o['type'] as string)) return undefined;
  if (typeof process !== 'number' && process !== 'nemesis' && process !== 'monitor') return undefined;
  const op: Op = {
    index: typeof o['index'] === 'number' ? o['index'] : position,
    time: typeof o['time'] === 'number' && Number.isFinite(o['time']) ? o['time'] : 0,
    process,
    type: o['type'] as OpType,
    f: o['f'],
  };
  if (o['key'] !== undefined && o['key'] !== null) op.key = String(o['key']);
  if ('value' in o) op.value = o['value'];
  if (typeof o['node'] === 'string') op.node = o['node'];
  if (typeof o['error'] === 'string') op.error = o['error'];
  return op;
}

function listLogs(dir: string): NodeLog[] {
  const logDir = join(dir, 'logs');
  if (!existsSync(logDir)) return [];
  return readdirSync(logDir)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => ({ node: f.slice(0, -'.log'.length), file: `logs/${f}`, bytes: statSync(join(logDir, f)).size }));
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function readJson<T>(file: string): T | undefined {
  const text = readText(file);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
