/**
 * `faultline check FILE...`: checks history files for linearizability. Reads the files, picks
 * the format, prints a verdict per file; the exit code is the worst verdict (0 linearizable,
 * 1 not linearizable, 2 unknown, 3 bad input or usage).
 */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { FORMATS, ParseError, parseEdnValue, readHistoryFile, type HistoryFormat } from '../../checkers/import/index.js';
import {
  checkLinearizability,
  describeUnknown,
  HistoryError,
  limitsForMemory,
  isModelName,
  MAX_THREADS,
  MODEL_NAMES,
  type LinearizabilityResult,
  type ModelName,
  type PartitionWitness,
} from '../../checkers/linearizability/index.js';
import { combineValidity, type Validity } from '../../core/result.js';
import { stringifyJson, parseJsonExact } from '../../core/json.js';
import { EXIT, fileSystemProblem, UserError } from '../../core/errors.js';
import { terminalLines } from './terminal.js';

export interface CheckCommandOptions {
  format?: string;
  model?: string;
  initial?: string;
  timeLimit?: string;
  memoryLimit?: string;
  threads?: string;
  json?: boolean;
}

interface Settings {
  format?: HistoryFormat;
  model?: ModelName;
  initial?: unknown;
  timeLimitMs?: number;
  memoryLimitBytes?: number;
  threads?: number;
  json: boolean;
}

/** What one file came to: a verdict, or an error (exit 3). */
interface FileVerdict {
  file: string;
  format: HistoryFormat;
  result: LinearizabilityResult;
}
interface FileError {
  file: string;
  error: string;
  line?: number;
  /** A bug of faultline's, not of the input (exit 4). */
  internal?: true;
}
type FileOutcome = FileVerdict | FileError;

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('check history files for linearizability (faultline history.jsonl, Jepsen/knossos EDN, Jepsen logs)')
    .argument('<files...>', 'history files')
    .option('--format <format>', `${FORMATS.join('|')} (default: guessed from the content)`)
    .option('--model <model>', `${MODEL_NAMES.join('|')} (default: kv for get/put/append, cas-register when there is a cas, register otherwise)`)
    .option('--initial <value>', 'initial value of every register or key, JSON or EDN (default: nil, absent)')
    .option('--time-limit <seconds>', 'time budget per file; when it runs out the verdict is "unknown"')
    .option('--threads <n>', 'threads that may search (default: the cores); a check still undecided after 50 ms spreads its keys and search orders over worker threads')
    .option('--memory-limit <MiB>', 'memory budget of the search cache per key (default 512); past it the verdict is "unknown"')
    .option('--json', 'print one JSON object per file, one per line')
    .addHelpText(
      'after',
      '\nExit status: 0 all linearizable, 1 some not linearizable, 2 some unknown, 3 bad input or usage, 4 internal error (the worst wins).',
    )
    .action(async (files: string[], options: CheckCommandOptions) => {
      process.exitCode = await runCheck(files, options);
    });
}

/** Checks every file, prints as it goes, and returns the exit code. Each file gets its own
 *  verdict or error line: one bad file never hides the others. */
export async function runCheck(files: readonly string[], options: CheckCommandOptions): Promise<number> {
  const settings = parseSettings(options);
  const verdicts: Validity[] = [];
  let error: 'input' | 'internal' | undefined;
  for (const file of files) {
    const outcome = await checkTarget(file, settings);
    if ('error' in outcome) {
      printError(outcome, settings.json);
      if (error !== 'internal') error = outcome.internal ? 'internal' : 'input';
    } else if ('valid' in outcome) verdicts.push(outcome.valid);
    else {
      print(outcome, settings.json);
      verdicts.push(outcome.result.valid);
    }
  }
  return exitCode(verdicts, error);
}

/** The worst wins: an internal error (4), bad input (3), then a verdict of false (1), then
 *  "unknown" (2), as `combineValidity`. */
export function exitCode(verdicts: Iterable<Validity>, error?: 'input' | 'internal'): number {
  if (error === 'internal') return EXIT.internal;
  if (error) return EXIT.error;
  const v = combineValidity(verdicts);
  return v === true ? EXIT.valid : v === false ? EXIT.invalid : EXIT.unknown;
}

function parseSettings(options: CheckCommandOptions): Settings {
  const settings: Settings = { json: options.json === true };
  if (options.format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(options.format)) {
      throw new UserError(`--format must be one of ${FORMATS.join(', ')}, got "${options.format}"`);
    }
    settings.format = options.format as HistoryFormat;
  }
  if (options.model !== undefined) {
    if (!isModelName(options.model)) throw new UserError(`--model must be one of ${MODEL_NAMES.join(', ')}, got "${options.model}"`);
    settings.model = options.model;
  }
  if (options.threads !== undefined) {
    const n = Number(options.threads);
    if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) throw new UserError(`--threads must be a whole number from 1 to ${MAX_THREADS}, got "${options.threads}"`);
    settings.threads = n;
  }
  if (options.initial !== undefined) settings.initial = parseInitial(options.initial);
  if (options.timeLimit !== undefined) {
    const seconds = Number(options.timeLimit);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new UserError(`--time-limit must be a positive number of seconds, got "${options.timeLimit}"`);
    }
    settings.timeLimitMs = seconds * 1000;
  }
  if (options.memoryLimit !== undefined) {
    const mib = Number(options.memoryLimit);
    if (!Number.isFinite(mib) || mib < 1) {
      throw new UserError(`--memory-limit must be a number of MiB, at least 1, got "${options.memoryLimit}"`);
    }
    settings.memoryLimitBytes = Math.round(mib * 1024 * 1024);
  }
  return settings;
}

/** `--initial 0`, `--initial '"x"'`, `--initial nil`, `--initial '[1 2]'`; a bare word is a string. */
function parseInitial(text: string): unknown {
  if (text.trim() === '') return '';
  try {
    return parseJsonExact(text);
  } catch {
    // not JSON: try EDN
  }
  try {
    return parseEdnValue(text).value;
  } catch {
    // not EDN either
  }
  return text;
}

/** One file or run folder: its verdict, or the one-line error that stands for it. */
async function checkTarget(path: string, settings: Settings): Promise<FileOutcome | { file: string; valid: Validity }> {
  try {
    if (isDirectory(path)) {
      // imported only for run folders: the engine's modules (yaml, zod, reports) cost startup time
      const { isRunFolder, recheckRunCommand } = await import('../run/recheck.js');
      if (!isRunFolder(path)) return { file: path, error: 'is a directory but not a run folder (one has campaign.yaml and history.jsonl)' };
      return { file: path, valid: await recheckRunCommand(path, settings.json) };
    }
    return await checkFile(path, settings);
  } catch (err) {
    if (err instanceof ParseError) return { file: path, line: err.line, error: err.message };
    if (err instanceof UserError) return { file: path, error: err.message };
    const problem = fileSystemProblem(err);
    if (problem !== undefined) return { file: path, error: problem };
    // never a stack trace for one file, and the other files are still checked
    return { file: path, error: `internal error: ${(err as Error)?.message ?? String(err)}`, internal: true };
  }
}

async function checkFile(file: string, settings: Settings): Promise<FileOutcome> {
  const imported = readHistoryFile(file, settings.format);
  try {
    const result = await checkLinearizability(imported.ops, {
      ...(settings.model !== undefined ? { model: settings.model } : {}),
      initial: settings.initial,
      ...(settings.timeLimitMs !== undefined ? { timeLimitMs: settings.timeLimitMs } : {}),
      ...(settings.memoryLimitBytes !== undefined ? { limits: limitsForMemory(settings.memoryLimitBytes) } : {}),
      ...(settings.threads !== undefined ? { threads: settings.threads } : {}),
    });
    return { file, format: imported.format, result };
  } catch (err) {
    if (err instanceof HistoryError) {
      const position = imported.ops.findIndex((o) => o.index === err.index);
      const line = position >= 0 ? imported.lines[position] : undefined;
      return { file, error: err.message, ...(line !== undefined ? { line } : {}) };
    }
    throw err;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function printError(outcome: FileError, json: boolean): void {
  const where = outcome.line !== undefined ? `${outcome.file}:${outcome.line}` : outcome.file;
  process.stderr.write(terminalLines([`faultline: ${where}: ${outcome.error}`]));
  if (json) {
    process.stdout.write(stringifyJson({ file: outcome.file, error: outcome.error, ...(outcome.line !== undefined ? { line: outcome.line } : {}) }) + '\n');
  }
}

const HINTS = { time: 'try a larger --time-limit', memory: 'try a larger --memory-limit' };

function print(outcome: FileVerdict, json: boolean): void {
  const r = outcome.result;
  if (json) {
    process.stdout.write(
      stringifyJson({
        file: outcome.file,
        valid: r.valid,
        format: outcome.format,
        model: r.model,
        operations: r.operations,
        partitions: r.partitions,
        unknownPartitions: r.unknownPartitions,
        ...(r.unknownReason ? { unknownReason: r.unknownReason, unknownExplanation: describeUnknown(r, HINTS) } : {}),
        elapsedMs: Math.round(r.elapsedMs * 10) / 10,
        budget: r.budget,
        steps: r.steps,
        peakCacheBytes: r.peakCacheBytes,
        threads: r.threads,
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
        witness: r.failures,
      }) + '\n',
    );
    return;
  }
  const verdict = r.valid === true ? 'linearizable' : r.valid === false ? 'NOT linearizable' : 'unknown';
  const keys = `${r.partitions} ${r.partitions === 1 ? 'key' : 'keys'}`;
  const lines = [`${outcome.file}: ${verdict} (${r.model}, ${r.operations} ops, ${keys}, ${Math.round(r.elapsedMs)} ms)`];
  for (const w of r.failures) lines.push(...describeWitness(w));
  if (r.valid === 'unknown') lines.push(`  ${describeUnknown(r, HINTS)}${r.unknownReason === 'nothing-completed' ? '' : `; peak memory of the process ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`}`);
  process.stdout.write(terminalLines(lines));
}

function describeWitness(w: PartitionWitness): string[] {
  const shown = w.longestPrefix.slice(-6);
  const skipped = w.prefixLength - shown.length;
  const prefix = shown.map((p) => `${clip(p.op.description)} => ${clip(p.stateAfter)}`).join('; ');
  const lines = [`  ${clip(w.explanation, 600)}`];
  lines.push(
    `    longest linearizable prefix (${w.prefixLength} ops): ${skipped > 0 ? '...; ' : ''}${prefix || '(empty)'}`,
  );
  lines.push(`    states possible before it: ${w.statesBefore.map((x) => clip(x)).join(', ')}`);
  if (w.concurrent.length > 0) {
    const some = w.concurrent.slice(0, 8).map((o) => `${clip(o.description)} [${o.invokeIndex}]`);
    lines.push(`    concurrent: ${some.join(', ')}${w.concurrent.length > 8 ? `, ... (${w.concurrent.length})` : ''}`);
  }
  return lines;
}

/** Long values (kv strings) shortened for the terminal; --json keeps them whole. */
function clip(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max / 2 - 2)}...${text.slice(-(max / 2 - 1))}`;
}
