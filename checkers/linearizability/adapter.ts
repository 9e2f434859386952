import { z } from 'zod';
import type { Op } from '../../core/op.js';
import type { Anomaly, CheckResult } from '../../core/result.js';
import { checkLinearizability, describeUnknown, type LinearizabilityResult } from './check.js';
import type { Model, OpInput } from './model.js';
import { MODEL_NAMES } from './models/index.js';
import { HistoryError } from './operations.js';
import { limitsForMemory } from './search.js';
import { checkerOptions } from '../../core/checker.js';
import { MAX_THREADS } from './pool.js';

/** The `linearizable` checker's options (campaign `checkers: [{name: linearizable, options}]`). */
export const linearizableOptions = z.strictObject({
  /** register, cas-register or kv, or a Model (from code); default: guessed from the ops. */
  model: z
    .union([z.enum(MODEL_NAMES), z.custom<Model<unknown, OpInput, unknown>>((v) => typeof v === 'object' && v !== null)], { error: `expected ${MODEL_NAMES.join(', ')} or a Model` })
    .optional(),
  /** The initial value of every register or key. */
  initial: z.unknown().optional(),
  /** The time budget, milliseconds (default DEFAULT_RUN_TIME_LIMIT_MS). */
  timeLimitMs: z.number().positive().optional(),
  /** The time budget, seconds. */
  timeLimit: z.number().positive().optional(),
  /** The memory budget of the search's cache per key, MiB (default 512). */
  memoryLimitMb: z.number().positive().optional(),
  /** Threads that may search, this one included (default: the cores; 1 keeps the search on one
   *  thread), as `faultline check --threads`. */
  threads: z.number().int().min(1).max(MAX_THREADS).optional(),
});

/** The `linearizable` checker's options as a campaign or a caller gives them. */
export type LinearizableCheckOptions = z.input<typeof linearizableOptions>;

/** The time budget of the `linearizable` checker in a run when the campaign sets none: 60 s. */
export const DEFAULT_RUN_TIME_LIMIT_MS = 60_000;

/**
 * The linearizability checker in the shared `CheckResult` shape (registry name `linearizable`).
 * Its options are read through `linearizableOptions` alone (a bad one throws
 * `CheckerOptionError`): `model` ('register' | 'cas-register' | 'kv' or a `Model`; default: guessed
 * from the ops), `initial` (the initial value), `timeLimitMs` (or `timeLimit` in seconds; default
 * `DEFAULT_RUN_TIME_LIMIT_MS`, so a run never stays in the search for ever: past the budget the
 * verdict is "unknown", never a guess), `memoryLimitMb` (the cache's budget per key, default 512),
 * `threads` (default: the cores). The `faultline check` CLI calls `checkLinearizability`
 * itself and keeps its own (unlimited unless --time-limit) behaviour.
 * A malformed history gives `valid: "unknown"` with an anomaly saying what is wrong.
 */
export async function checkLinearizableHistory(history: readonly Op[], given: LinearizableCheckOptions = {}): Promise<CheckResult> {
  const options = checkerOptions('linearizable', linearizableOptions, given);
  const timeLimitMs = options.timeLimitMs ?? (options.timeLimit !== undefined ? options.timeLimit * 1000 : DEFAULT_RUN_TIME_LIMIT_MS);
  let result: LinearizabilityResult;
  try {
    result = await checkLinearizability(history, {
      ...(options.model !== undefined ? { model: options.model } : {}),
      initial: options.initial,
      timeLimitMs,
      ...(options.memoryLimitMb !== undefined ? { limits: limitsForMemory(options.memoryLimitMb * 1024 * 1024) } : {}),
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
    });
  } catch (err) {
    if (err instanceof HistoryError) {
      return problem(`the history cannot be checked: ${err.message}`, err.index >= 0 ? [err.index] : []);
    }
    throw err;
  }
  const anomalies: Anomaly[] = result.failures.map((w) => ({
    kind: 'not-linearizable',
    explanation: w.explanation,
    ops: involvedIndexes(w),
    ...(w.key !== undefined ? { key: w.key } : {}),
  }));
  const summary =
    result.valid === true
      ? `linearizable (${result.operations} ops, ${result.partitions} ${result.partitions === 1 ? 'key' : 'keys'}, model ${result.model})`
      : result.valid === false
        ? `NOT linearizable: ${result.failures.length} of ${result.partitions} ${result.partitions === 1 ? 'key' : 'keys'} fail (model ${result.model})`
        : `${result.unknownReason === 'nothing-completed' ? 'not checked' : 'unknown'}: ${describeUnknown(result, { time: 'raise timeLimitMs in the checker options', memory: 'raise memoryLimitMb in the checker options' })}`;
  return {
    checker: 'linearizable',
    valid: result.valid,
    summary,
    anomalies,
    details: {
      model: result.model,
      operations: result.operations,
      partitions: result.partitions,
      unknownPartitions: result.unknownPartitions,
      elapsedMs: Math.round(result.elapsedMs),
      threads: result.threads,
      witness: result.failures,
    },
  };
}

/** The stuck op and the ops concurrent with it, as history indexes. */
function involvedIndexes(w: LinearizabilityResult['failures'][number]): number[] {
  const out = new Set<number>();
  for (const o of [w.op, ...w.concurrent, ...w.longestPrefix.slice(-3).map((p) => p.op)]) {
    out.add(o.invokeIndex);
    if (o.completeIndex !== undefined) out.add(o.completeIndex);
  }
  return [...out].sort((a, b) => a - b);
}

function problem(message: string, ops: number[]): CheckResult {
  return {
    checker: 'linearizable',
    valid: 'unknown',
    summary: message,
    anomalies: [{ kind: 'unreadable-history', explanation: message, ops }],
  };
}
