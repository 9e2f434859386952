/** The report's inline assets (CSS and browser JS), read once from reports/assets/. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// From reports/ (tsx, vitest) or dist/reports/ (the built CLI).
const assetDir = [join(here, 'assets'), join(here, '..', '..', 'reports', 'assets')].find((d) => existsSync(join(d, 'report.js')));

const cache = new Map<string, string>();

export function asset(name: 'report.js' | 'report.css' | 'compare.css'): string {
  let text = cache.get(name);
  if (text === undefined) {
    if (!assetDir) throw new Error(`faultline: the report assets are missing (looked for reports/assets/${name} near ${here})`);
    // A `</script` or `</style` inside an asset would end the element early; the assets have none.
    text = readFileSync(join(assetDir, name), 'utf8');
    cache.set(name, text);
  }
  return text;
}
