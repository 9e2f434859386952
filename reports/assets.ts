/**
 * The report's inline assets (CSS and browser JS), read once from reports/assets/. The script is
 * one file per thing it draws (reports/assets/report/, type-checked with `// @ts-check` by
 * reports/assets/tsconfig.json), joined in one function scope: still one self-contained page.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// From reports/ (tsx, vitest) or dist/reports/ (the built CLI).
const assetDir = [join(here, 'assets'), join(here, '..', '..', 'reports', 'assets')].find((d) => existsSync(join(d, 'report.css')));

const cache = new Map<string, string>();

/** The report script's parts, in order: each uses what the ones before it set up (data.js the
 *  page data and helpers, axis.js the shared time axis, ...); main.js draws. */
export const REPORT_SCRIPT_PARTS = [
  'data.js',
  'axis.js',
  'timeline.js',
  'charts.js',
  'interactions.js',
  'selection.js',
  'legend.js',
  'anomalies.js',
  'linearization.js',
  'tables.js',
  'main.js',
] as const;

export function asset(name: 'report.js' | 'report.css' | 'compare.css'): string {
  let text = cache.get(name);
  if (text === undefined) {
    if (!assetDir) throw new Error(`faultline: the report assets are missing (looked for reports/assets/${name} near ${here})`);
    // A `</script` or `</style` inside an asset would end the element early; the assets have none.
    text =
      name === 'report.js'
        ? `(function () {\n'use strict';\n${REPORT_SCRIPT_PARTS.map((part) => readFileSync(join(assetDir, 'report', part), 'utf8')).join('\n')}})();\n`
        : readFileSync(join(assetDir, name), 'utf8');
    cache.set(name, text);
  }
  return text;
}
