/** Finds the run folders (and comparisons) under a directory, for `faultline serve`'s index. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Validity } from '../core/result.js';
import { z } from 'zod';
import { readJson, readRunResults } from './load.js';
import { anomalyCounts } from './page.js';

export interface RunSummary {
  /** Path under the served directory, with `/`. */
  path: string;
  campaign: string;
  startedAt: string;
  valid: Validity | undefined;
  /** Anomaly kinds and how many of each the checkers kept. */
  anomalies: [string, number][];
  hasReport: boolean;
  /** `run` or `compare`. */
  kind: 'run' | 'compare';
  /** For a comparison: how many settings ran and how many found anomalies. */
  note?: string;
  /** Why the run's results.json (or compare.json) could not be used: the row says "unreadable". */
  unreadable?: string;
}

const validity = z.union([z.literal(true), z.literal(false), z.literal('unknown')]);
const compareSchema = z.looseObject({
  campaign: z.string().optional(),
  startedAt: z.string().optional(),
  valid: validity.optional(),
  rows: z.array(z.looseObject({ valid: validity.optional() })).optional(),
});

const MAX_DEPTH = 10;

export function listRuns(root: string): RunSummary[] {
  const out: RunSummary[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const names = new Set(entries.map((e) => e.name));
    const path = relative(root, dir).split(sep).join('/');
    if (names.has('history.jsonl') || names.has('results.json')) {
      const { results: r, problem } = readRunResults(dir);
      out.push({
        path,
        campaign: r?.campaign ?? path,
        startedAt: r?.startedAt ?? mtime(dir),
        valid: r?.valid,
        anomalies: anomalyCounts(r?.results ?? []),
        hasReport: names.has('report.html'),
        kind: 'run',
        ...(problem && { unreadable: problem }),
      });
    }
    if (names.has('compare.json')) {
      const parsed = compareSchema.safeParse(readJson<unknown>(join(dir, 'compare.json')));
      const c = parsed.success ? parsed.data : undefined;
      const rows = c?.rows ?? [];
      out.push({
        path,
        campaign: c?.campaign ?? path,
        startedAt: c?.startedAt ?? mtime(dir),
        valid: c?.valid,
        anomalies: [],
        hasReport: names.has('compare.html'),
        kind: 'compare',
        note: `${rows.length} setting(s), ${rows.filter((r) => r.valid === false).length} with anomalies`,
        ...(!parsed.success && { unreadable: 'compare.json is not JSON or has fields of the wrong type' }),
      });
    }
    if (depth >= MAX_DEPTH) return;
    // `latest` links point at folders listed anyway.
    for (const e of entries) if (e.isDirectory() && !['logs', 'data', 'node_modules'].includes(e.name)) walk(join(dir, e.name), depth + 1);
  };
  if (existsSync(root)) walk(root, 0);
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.path.localeCompare(b.path));
}

function mtime(dir: string): string {
  try {
    return statSync(dir).mtime.toISOString();
  } catch {
    return '';
  }
}
