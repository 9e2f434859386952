/**
 * HTML reports. `writeRunReport(runDir)` writes <runDir>/report.html from the run folder's files
 * alone (the engine calls it after every run; `faultline report` calls it again).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaultStyle } from '../core/fault.js';
import { buildReportData } from './data.js';
import { readRunFolder } from './load.js';
export { isRunFolder } from './load.js';
import { renderRunPage } from './page.js';

export interface ReportOptions {
  /** How each kind of fault is drawn (a fault registry's styles) where the run's plan.json does not say. */
  faultStyles?: Readonly<Record<string, FaultStyle>>;
}

export async function writeRunReport(runDir: string, options: ReportOptions = {}): Promise<string> {
  const file = join(runDir, 'report.html');
  await writeFile(file, renderRunReport(runDir, options));
  return file;
}

/** The report page of a run folder, as HTML text. */
export function renderRunReport(runDir: string, options: ReportOptions = {}): string {
  const run = readRunFolder(runDir);
  return renderRunPage(buildReportData({ ...run, faultStyles: { ...options.faultStyles, ...run.faultStyles } }));
}
