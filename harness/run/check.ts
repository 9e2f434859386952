/**
 * Checks a run folder from its files alone: reads history.jsonl, runs the campaign's checkers,
 * writes results.json and the report. Used at the end of `faultline run` and by
 * `faultline check <run folder>`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readHistoryJsonl } from '../../core/history.js';
import type { Op } from '../../core/op.js';
import { combineValidity, type CheckResult, type Validity } from '../../core/result.js';
import { runChecker, type Checker } from '../../core/checker.js';
import { stringifyJson } from '../../core/json.js';
import { RUN_FILES } from './folder.js';
import type { Coverage } from '../../core/coverage.js';
import { coverageOf } from '../../checkers/coverage/count.js';
import type { Expected } from './verdict.js';

export interface RunResults {
  campaign: string;
  system: string;
  seed: number;
  runId: string;
  startedAt: string;
  durationMs: number;
  valid: Validity;
  results: CheckResult[];
  expected?: Expected;
  /** What the run put the system through (checkers/coverage/count.ts), whatever the checkers. */
  coverage?: Coverage;
  /** The exact command that replays the run. */
  replay: string;
  /** Set when the run was stopped early (Ctrl-C, SIGTERM) or the harness failed mid-run. */
  interrupted?: string;
}

export type RunMeta = Omit<RunResults, 'valid' | 'results' | 'coverage'>;

export async function runCheckers(
  history: readonly Op[],
  checkers: readonly { name: string; options: Record<string, unknown> }[],
  registry: Readonly<Record<string, Checker>>,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const { name, options } of checkers) {
    const spec = registry[name];
    if (!spec) {
      results.push({ checker: name, valid: 'unknown', summary: `no checker named ${name}`, anomalies: [] });
      continue;
    }
    results.push(await runChecker(spec, history, options));
  }
  return results;
}

/** The verdict of a run: the worst checker's; a run stopped early is never valid (its history
 *  is partial), so "no anomalies so far" is `unknown`. */
export function runValidity(results: readonly CheckResult[], interrupted: string | undefined): Validity {
  const valid = combineValidity(results.map((r) => r.valid));
  return interrupted !== undefined && valid === true ? 'unknown' : valid;
}

export async function checkRunFolder(
  dir: string,
  meta: RunMeta,
  checkers: readonly { name: string; options: Record<string, unknown> }[],
  registry: Readonly<Record<string, Checker>>,
): Promise<RunResults> {
  const { ops: history, skipped } = readHistoryJsonl(join(dir, RUN_FILES.history), { tornTail: true });
  // A torn last line: the run was cut short while it wrote (killed outright); what it recorded is partial.
  const interrupted = meta.interrupted ?? (skipped > 0 ? `${RUN_FILES.history} ends in a torn line: the run was cut short` : undefined);
  const results = await runCheckers(history, checkers, registry);
  const out: RunResults = {
    ...meta,
    valid: runValidity(results, interrupted),
    results,
    coverage: coverageOf(history),
    ...(interrupted !== undefined && { interrupted }),
  };
  writeResults(dir, out);
  return out;
}

/** Writes a run folder's results.json. */
export function writeResults(dir: string, results: RunResults): void {
  writeFileSync(join(dir, RUN_FILES.results), stringifyJson(results, 2) + '\n');
}
