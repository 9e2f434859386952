/**
 * What faultline knows, by kind (`faultline list <kind>`, and `listCatalog` from code): the
 * systems and their seeded bugs, workloads, checkers, campaigns and nemeses.
 */
import { listSystems } from './descriptor.js';
import { workloads } from '../workloads/index.js';
import { checkers } from '../checkers/index.js';
import { campaignCatalog } from './campaign/catalog.js';
import { shippedFaults } from './faults/index.js';
import { nemesisCatalog } from './nemesis/catalog.js';
import { UserError } from '../core/errors.js';
import { fieldsAt } from '../core/schema-fields.js';

export const CATALOG_KINDS = ['systems', 'bugs', 'workloads', 'checkers', 'campaigns', 'nemeses'] as const;
export type CatalogKind = (typeof CATALOG_KINDS)[number];

export interface CatalogItem {
  name: string;
  description: string;
}

/** Each kind of thing faultline knows, one item a line. */
const listers: Record<CatalogKind, () => CatalogItem[]> = {
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

/** The items of one kind; an unknown kind throws UserError naming the kinds. */
export function listCatalog(kind: string): CatalogItem[] {
  if (!(CATALOG_KINDS as readonly string[]).includes(kind)) throw new UserError(`unknown kind "${kind}" for list; choose one of: ${CATALOG_KINDS.join(', ')}`);
  return listers[kind as CatalogKind]();
}
