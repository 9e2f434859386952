/**
 * HTML reports. `writeRunReport(runDir)` writes <runDir>/report.html from the run folder's files
 * alone (the engine calls it after every run; `faultline report` calls it again).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildReportData } from './data.js';
import { readRunFolder } from './load.js';
export { isRunFolder } from './load.js';
import { renderRunPage } from './page.js';

export async function writeRunReport(runDir: string): Promise<string> {
  const file = join(runDir, 'report.html');
  await writeFile(file, renderRunReport(runDir));
  return file;
}

/** The report page of a run folder, as HTML text. */
export function renderRunReport(runDir: string): string {
  return renderRunPage(buildReportData(readRunFolder(runDir)));
}
