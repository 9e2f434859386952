/** The terminal table of a comparison: one row per read level and W/R setting. */
import type { Validity } from '../../core/result.js';
import type { CompareRow } from './compare.js';

const dash = '–';

export function formatPercent(share: number | null): string {
  return share === null ? dash : `${(share * 100).toFixed(1)}%`;
}

export function formatCount(n: number | null): string {
  return n === null ? dash : String(n);
}

export function formatLinearizable(v: Validity | null): string {
  return v === null ? dash : v === true ? 'yes' : v === false ? 'NO' : 'unknown';
}

function ms(v: number | null): string {
  return v === null ? dash : v < 10 ? v.toFixed(2) : v.toFixed(1);
}

export const COLUMNS = ['setting', 'ok', 'fail', 'info', 'avail. in faults', 'stale reads', 'RYW viol.', 'monotonic viol.', 'linearizable', 'read p50/p99 ms', 'write p50/p99 ms'] as const;

export function compareCells(row: CompareRow): string[] {
  const m = row.metrics;
  return [
    row.variant.label,
    formatCount(m.ok),
    formatCount(m.fail),
    formatCount(m.info),
    formatPercent(m.availabilityInFaults),
    formatCount(m.staleReads),
    formatCount(m.readYourWrites),
    formatCount(m.monotonicReads),
    formatLinearizable(m.linearizable),
    `${ms(m.readP50)} / ${ms(m.readP99)}`,
    `${ms(m.writeP50)} / ${ms(m.writeP99)}`,
  ];
}

export function formatCompareTable(rows: readonly CompareRow[]): string {
  const table = [[...COLUMNS], ...rows.map(compareCells)];
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(table[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)].join('\n');
}

/** What `faultline compare` prints after the runs: the table, whether every setting ran to its
 *  end, where compare.html is and how to run it again. */
export function formatComparison(c: { campaign: string; seed: number; rows: readonly CompareRow[]; complete: boolean; report: string; replay: string }): string {
  return [
    `${c.campaign}, seed ${c.seed}, same fault schedule for every run:`,
    formatCompareTable(c.rows),
    ...(c.complete ? [] : ['interrupted: not every setting ran to its end']),
    `comparison: ${c.report}`,
    `replay: ${c.replay}`,
  ].join('\n');
}
