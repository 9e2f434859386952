/**
 * Reads what a report needs from a run folder: results.json, history.jsonl, campaign.yaml,
 * plan.json and the list of node logs. Lenient: a run that died mid-way still gets a report.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { COVERAGE_COUNTS } from '../core/coverage.js';
import { parseJsonExact } from '../core/json.js';
import type { FaultStyle } from '../core/fault.js';
import type { Op } from '../core/op.js';
import { readHistoryJsonl } from '../core/history.js';
import { UserError } from '../core/errors.js';

const validity = z.union([z.literal(true), z.literal(false), z.literal('unknown')]);

/** results.json (harness/run/check.ts `RunResults`), checked field by field: every field may be
 *  missing, none may have the wrong type (a wrong-typed file is "unreadable", not half-read). */
const runResultsSchema = z.looseObject({
  campaign: z.string().optional(),
  system: z.string().optional(),
  seed: z.number().optional(),
  runId: z.string().optional(),
  startedAt: z.string().optional(),
  durationMs: z.number().optional(),
  valid: validity.optional(),
  results: z
    .array(
      z.looseObject({
        checker: z.string(),
        valid: validity,
        summary: z.string(),
        anomalies: z.array(z.looseObject({ kind: z.string(), explanation: z.string(), ops: z.array(z.number()), key: z.string().optional() })),
        details: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .optional(),
  expected: z
    .looseObject({ verdict: z.enum(['valid', 'invalid']), findings: z.array(z.string()).optional(), coverage: z.partialRecord(z.enum(COVERAGE_COUNTS), z.number()).optional() })
    .optional(),
  coverage: z.looseObject({ ...Object.fromEntries(COVERAGE_COUNTS.map((k) => [k, z.number()])), statusSamples: z.number() }).optional(),
  replay: z.string().optional(),
  interrupted: z.string().optional(),
});

export type RunResultsFile = z.infer<typeof runResultsSchema>;

export interface NodeLog {
  node: string;
  /** Relative to the run folder. */
  file: string;
  bytes: number;
}

export interface RunFolderContents {
  dir: string;
  results?: RunResultsFile;
  /** Why results.json could not be used (not JSON, a field of the wrong type), when it exists. */
  resultsProblem?: string;
  history: Op[];
  /** Lines of history.jsonl that were not ops (a torn last line, garbage). */
  badLines: number;
  campaignYaml?: string;
  logs: NodeLog[];
  /** How each kind of fault is drawn, as the run's fault registry said (plan.json). */
  faultStyles: Record<string, FaultStyle>;
}

const faultStyle = z.object({ fill: z.string(), bar: z.string(), legend: z.string() });
const planFile = z.looseObject({ faultStyles: z.record(z.string(), faultStyle).optional() });

/** The fault styles plan.json recorded (none for a run from before they were recorded). */
function readFaultStyles(dir: string): Record<string, FaultStyle> {
  const checked = planFile.safeParse(readJson<unknown>(join(dir, 'plan.json')));
  return (checked.success && checked.data.faultStyles) || {};
}

/** A run folder has a history.jsonl or a results.json (a run that died early may have only one). */
export function isRunFolder(dir: string): boolean {
  return existsSync(join(dir, 'history.jsonl')) || existsSync(join(dir, 'results.json'));
}

/** Throws UserError (one line, exit 3) when history.jsonl exists but cannot be read at all. */
export function readRunFolder(dir: string): RunFolderContents {
  const historyFile = join(dir, 'history.jsonl');
  let history;
  try {
    history = readHistoryJsonl(historyFile, { bad: 'skip' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (typeof code !== 'string') throw err;
    throw new UserError(`${historyFile}: cannot be read (${code === 'EISDIR' ? 'it is a directory' : code})`);
  }
  const { ops, skipped } = history;
  const { results, problem } = readRunResults(dir);
  return {
    dir,
    ...(results ? { results } : {}),
    ...(problem ? { resultsProblem: problem } : {}),
    history: ops,
    badLines: skipped,
    campaignYaml: readText(join(dir, 'campaign.yaml')),
    logs: listLogs(dir),
    faultStyles: readFaultStyles(dir),
  };
}

/** A run folder's results.json: absent (neither field), usable (`results`), or not (`problem`). */
export function readRunResults(dir: string): { results?: RunResultsFile; problem?: string } {
  const file = join(dir, 'results.json');
  if (!existsSync(file)) return {};
  const parsed = readJson<unknown>(file);
  if (parsed === undefined) return { problem: 'results.json is not JSON' };
  const checked = runResultsSchema.safeParse(parsed);
  if (checked.success) return { results: checked.data };
  const issue = checked.error.issues[0]!;
  return { problem: `results.json: ${issue.path.join('.') || '(top)'}: ${issue.message}` };
}

/** The node logs; a `logs` that is not a folder, or a log that vanished, is left out. */
function listLogs(dir: string): NodeLog[] {
  const logDir = join(dir, 'logs');
  let names: string[];
  try {
    names = readdirSync(logDir);
  } catch {
    return [];
  }
  const logs: NodeLog[] = [];
  for (const f of names.filter((n) => n.endsWith('.log')).sort()) {
    try {
      logs.push({ node: f.slice(0, -'.log'.length), file: `logs/${f}`, bytes: statSync(join(logDir, f)).size });
    } catch {
      // a dangling link: nothing to link to
    }
  }
  return logs;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** A JSON file's value (integers exact), or undefined when it is missing or not JSON. */
export function readJson<T>(file: string): T | undefined {
  const text = readText(file);
  if (text === undefined) return undefined;
  try {
    return parseJsonExact(text) as T;
  } catch {
    return undefined;
  }
}
