/**
 * Placeholder until the report module lands: writes a minimal report.html so a run folder is
 * complete. Replaced by the real renderer (issue: HTML anomaly reports).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function writeRunReport(runDir: string): Promise<string> {
  const file = join(runDir, 'report.html');
  await writeFile(file, '<!doctype html><meta charset="utf-8"><title>faultline run</title><p>report renderer not built yet</p>\n');
  return file;
}
