/**
 * Re-checks a run folder from its files alone (campaign.yaml, history.jsonl, results.json):
 * runs the campaign's checkers again, rewrites results.json and the report. A run can be judged
 * again with newer checkers without running anything.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isRunFolder as isReportableFolder, writeRunReport } from '../../reports/index.js';
import { checkers as shippedCheckers } from '../../checkers/index.js';
import type { Checker } from '../../core/checker.js';
import { campaignSchemaFor, type CampaignFile } from '../campaign/schema.js';
import { importChecker } from '../campaign/checker-modules.js';
import { isPathRef } from '../campaign/find.js';
import { shippedFaults } from '../faults/index.js';
import { loadFaultModules } from '../faults/modules.js';
import type { FaultRegistry } from '../faults/registry.js';
import { CampaignSyntaxError, lineOf, readCampaignSource, type CampaignSource } from '../campaign/source.js';
import { UserError } from '../../core/errors.js';
import { stringifyJson } from '../../core/json.js';
import { terminalSafe } from '../cli/terminal.js';
import { checkRunFolder, type RunMeta, type RunResults } from './check.js';
import { RUN_FILES } from './folder.js';
import { formatVerdictTable } from './verdict.js';
import type { Validity } from '../../core/result.js';

export function isRunFolder(dir: string): boolean {
  return existsSync(join(dir, RUN_FILES.history)) && existsSync(join(dir, RUN_FILES.campaign));
}

export async function recheckRun(dir: string, registry?: Readonly<Record<string, Checker>>): Promise<RunResults> {
  if (!isRunFolder(dir)) throw new UserError(`${dir} is not a run folder (it needs ${RUN_FILES.campaign} and ${RUN_FILES.history})`);
  const campaignFile = join(dir, RUN_FILES.campaign);
  const { spec, faults } = await readRunCampaign(campaignFile);
  const previous = readPrevious(join(dir, RUN_FILES.results));
  const meta: RunMeta = {
    campaign: previous?.campaign ?? spec.name ?? basename(dir),
    system: previous?.system ?? spec.system,
    seed: previous?.seed ?? spec.seed ?? 0,
    runId: previous?.runId ?? basename(dir),
    startedAt: previous?.startedAt ?? '',
    durationMs: previous?.durationMs ?? 0,
    replay: previous?.replay ?? `npx faultline run ${campaignFile}`,
    ...(spec.expected && { expected: spec.expected }),
    // a run writes results.json at its end, also when stopped early: without one it never ended
    ...(previous === undefined
      ? { interrupted: `no ${RUN_FILES.results}: the run did not end (killed outright?), its history may be partial` }
      : previous.interrupted && { interrupted: previous.interrupted }),
  };
  const checkers = (spec.checkers ?? []).map((c) => (typeof c === 'string' ? { name: c, options: {} } : c));
  const results = await checkRunFolder(dir, meta, checkers, { ...(registry ?? shippedCheckers), ...(await checkerModulesOf(checkers, dirname(campaignFile))) });
  await writeRunReport(dir, { faultStyles: faults.styles() });
  return results;
}

/** The checkers the campaign names by module path (absolute in a run's campaign.yaml). */
async function checkerModulesOf(checkers: readonly { name: string }[], baseDir: string): Promise<Record<string, Checker>> {
  const modules: Record<string, Checker> = {};
  for (const { name } of checkers) {
    if (!isPathRef(name) || Object.hasOwn(modules, name)) continue;
    const loaded = await importChecker(resolve(baseDir, name));
    if (typeof loaded === 'string') throw new UserError(loaded);
    modules[name] = loaded;
  }
  return modules;
}

/** The run's resolved campaign and its faults; a malformed one is one line with its file and line. */
async function readRunCampaign(file: string): Promise<{ spec: CampaignFile; faults: FaultRegistry }> {
  let source: CampaignSource;
  try {
    source = readCampaignSource(file);
  } catch (err) {
    if (err instanceof CampaignSyntaxError) {
      const first = err.problems[0];
      throw new UserError(`${file}${first?.line !== undefined ? `:${first.line}` : ''}: ${first?.message ?? err.message}`);
    }
    throw err;
  }
  let raw: unknown;
  try {
    raw = source.doc.toJS();
  } catch (err) {
    // an alias to no anchor (`nodes: *a`) parses, then fails here
    throw new UserError(`${file}: YAML error: ${(err as Error).message.split('\n')[0]}`);
  }
  const problems: string[] = [];
  const modules = await loadFaultModules(raw, dirname(file), (path, message) => problems.push(`${path.join('.')}: ${message}`));
  if (problems.length) throw new UserError(`${file}: ${problems.join('; ')}`);
  const faults = shippedFaults.withModules(modules);
  const parsed = campaignSchemaFor(faults).safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    const line = lineOf(source, first.path.filter((p): p is string | number => typeof p !== 'symbol'));
    const all = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
    throw new UserError(`${file}${line !== undefined ? `:${line}` : ''}: not a valid campaign: ${all}`);
  }
  return { spec: parsed.data, faults };
}

function readPrevious(file: string): Partial<RunResults> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Partial<RunResults>;
  } catch {
    return undefined;
  }
}

/** `faultline report <run folder>`: report.html again from the folder's files (no re-check);
 *  resolves to its path. Throws UserError for a folder that is not a run's. */
export async function rewriteReport(dir: string): Promise<string> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${dir}: no such run folder`);
  if (!isReportableFolder(dir)) throw new UserError(`${dir} is not a run folder (it has neither history.jsonl nor results.json)`);
  return writeRunReport(dir, { faultStyles: shippedFaults.styles() });
}

/** `faultline check <run folder>`: re-checks, prints the verdict table (or one JSON line), returns the verdict. */
export async function recheckRunCommand(dir: string, json: boolean): Promise<Validity> {
  const results = await recheckRun(dir);
  if (json) {
    process.stdout.write(stringifyJson({ file: dir, valid: results.valid, results: results.results }) + '\n');
  } else {
    // the table escapes what it quotes; the folder name and the replay line come from files too
    const table = formatVerdictTable(results.results, results.valid, results.expected, results.interrupted, results.coverage);
    process.stdout.write(`${terminalSafe(dir)}:\n${table}\nreplay: ${terminalSafe(results.replay)}\n`);
  }
  return results.valid;
}
