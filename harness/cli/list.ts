import type { Command } from 'commander';
import { CATALOG_KINDS, listCatalog } from '../catalog.js';

export function registerList(program: Command): void {
  program
    .command('list')
    .description(`list what faultline knows: ${CATALOG_KINDS.join('|')}`)
    .argument('<kind>', CATALOG_KINDS.join('|'))
    .action((kind: string) => {
      const items = listCatalog(kind);
      const width = Math.max(0, ...items.map((i) => i.name.length));
      for (const item of items) process.stdout.write(`${item.name.padEnd(width)}  ${item.description}\n`);
    });
}
