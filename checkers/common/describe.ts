/** Words for explanations: ops, calls and times as a person reads them. */
import type { Call } from './calls.js';
import { stringifyJson } from '../../core/json.js';

/** `1.234s` from nanoseconds since the run started. */
export function formatTime(ns: number): string {
  if (!Number.isFinite(ns)) return ns > 0 ? 'never' : '-inf';
  return `${(ns / 1e9).toFixed(3)}s`;
}

/** A JSON value, short enough for one sentence. */
export function formatValue(value: unknown, max = 80): string {
  const text = value === undefined ? 'nothing' : (stringifyJson(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `process 3 write k1 5 [0.120s..0.180s, ok] (ops #12, #15)`. */
export function describeCall(call: Call, what?: string): string {
  const words = what ?? `${call.f}${call.key !== undefined ? ` ${call.key}` : ''}${call.input !== undefined ? ` ${formatValue(call.input)}` : ''}`;
  const span = call.completion
    ? `${formatTime(call.start)}..${formatTime(call.end)}, ${call.status}`
    : `from ${formatTime(call.start)}, no completion`;
  const ops = call.completion ? `ops #${call.invoke.index}, #${call.completion.index}` : `op #${call.invoke.index}`;
  return `process ${call.process} ${words} [${span}] (${ops})`;
}

/** Sorted, de-duplicated op indexes for an anomaly. */
export function opIndexes(...groups: (number | readonly number[])[]): number[] {
  const all = new Set<number>();
  for (const g of groups) {
    if (typeof g === 'number') all.add(g);
    else for (const i of g) all.add(i);
  }
  return [...all].sort((a, b) => a - b);
}

/** `3 lost, 1 stuck` from counts, skipping zeros; `none` when all are zero. */
export function formatCounts(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  return parts.length ? parts.join(', ') : 'none';
}
