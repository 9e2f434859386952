import type { Command } from 'commander';
import { listSystems } from '../descriptor.js';
import { workloads } from '../../workloads/index.js';
import { checkers } from '../../checkers/index.js';
import { campaignCatalog } from '../campaign/catalog.js';
import { shippedFaults } from '../faults/index.js';
import { nemesisCatalog } from '../nemesis/catalog.js';
import { UserError } from '../../core/errors.js';
import { fieldsAt } from '../../core/schema-fields.js';

type Lister = () => { name: string; description: string }[];

/** Each kind of thing `faultline list` knows, one line per item. */
const listers: Record<string, Lister> = {
  systems: () => listSystems().map((s) => ({ name: s.name, description: s.description })),
  bugs: () =>
    listSystems().flatMap((s) => s.bugs.map((b) => ({ name: `${s.name}/${b.name}`, description: b.description }))),
  workloads: () => Object.values(workloads).map((w) => ({ name: w.name, description: w.description })),
  checkers: () =>
    Object.values(checkers).map((c) => {
      const options = fieldsAt(c.options, []);
      return { name: c.name, description: `${c.description}${options.length ? ` options: ${options.join(', ')}` : ''}` };
    }),
  campaigns: campaignCatalog,
  nemeses: () => nemesisCatalog(shippedFaults),
};

/** What `faultline list <kind>` prints, one item a line. */
export function listItems(kind: string): { name: string; description: string }[] {
  const lister = Object.hasOwn(listers, kind) ? listers[kind] : undefined;
  if (!lister) throw new UserError(`unknown kind "${kind}" for list; choose one of: ${Object.keys(listers).join(', ')}`);
  return lister();
}

export function registerList(program: Command): void {
  program
    .command('list')
    .description(`list what faultline knows: ${Object.keys(listers).join('|')}`)
    .argument('<kind>', Object.keys(listers).join('|'))
    .action((kind: string) => {
      const items = listItems(kind);
      const width = Math.max(0, ...items.map((i) => i.name.length));
      for (const item of items) process.stdout.write(`${item.name.padEnd(width)}  ${item.description}\n`);
    });
}
