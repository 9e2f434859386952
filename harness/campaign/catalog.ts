/** What `faultline list campaigns` prints: each campaign under campaigns/ with its description. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { findCampaignFile, listCampaignNames } from './find.js';

export function campaignCatalog(): { name: string; description: string }[] {
  return listCampaignNames().map((name) => {
    let description = '';
    try {
      const doc = parse(readFileSync(findCampaignFile(name).file, 'utf8')) as { description?: unknown } | null;
      description = typeof doc?.description === 'string' ? doc.description : '';
    } catch {
      description = '(not valid YAML)';
    }
    return { name, description };
  });
}
