/** What the faults that act on links share: the `links` option, its description, its node names. */
import { z } from 'zod';
import type { FaultProblem, LinkSelection } from '../../core/fault.js';

export const LINK_SETS = ['all', 'clients', 'peers'] as const;

/** Which links a toxic fault acts on: a named set, or chosen links (their union): every link to or
 *  from the nodes `touching` names, the client links of `clients`, the directed peer links
 *  `peers` names as [from, to] pairs. */
export const linkSet = z.union([
  z.enum(LINK_SETS),
  z
    .strictObject({
      touching: z.array(z.string()).min(1).optional(),
      clients: z.array(z.string()).min(1).optional(),
      peers: z.array(z.tuple([z.string(), z.string()])).min(1).optional(),
    })
    .refine((l) => l.touching !== undefined || l.clients !== undefined || l.peers !== undefined, { message: 'name links with touching, clients or peers' }),
], { error: 'expected peers, clients, all, or chosen links like {touching: [node], clients: [node], peers: [[from, to]]}' });
export type LinkSet = z.infer<typeof linkSet> & LinkSelection;

/** Toxiproxy's attributes are 32-bit signed integers. */
export const TOXIC_MAX = 2 ** 31 - 1;
export const toxicInt = (min: number) => z.number().int().min(min).max(TOXIC_MAX);

/** `peers links`, or the chosen links: `links touching n1; peer links n1->n2`. */
export function describeLinks(links: LinkSet): string {
  if (typeof links === 'string') return `${links} links`;
  const parts: string[] = [];
  if (links.touching) parts.push(`links touching ${links.touching.join(' ')}`);
  if (links.clients) parts.push(`client links of ${links.clients.join(' ')}`);
  if (links.peers) parts.push(`peer links ${links.peers.map(([from, to]) => `${from}->${to}`).join(' ')}`);
  return parts.join('; ');
}

/** `peers`, or the chosen links as describeLinks says them (the nemesis's event lines). */
export function linksShort(links: LinkSet): string {
  return typeof links === 'string' ? links : describeLinks(links);
}

/** Every node name `links` uses that the campaign does not have. */
export function checkLinkNodes(links: LinkSet, nodes: readonly string[]): FaultProblem[] {
  if (typeof links !== 'object') return [];
  return [
    ...unknownNodes(links.touching, nodes, ['links', 'touching']),
    ...unknownNodes(links.clients, nodes, ['links', 'clients']),
    ...(links.peers ?? []).flatMap((pair, k) => unknownNodes(pair, nodes, ['links', 'peers', k])),
  ];
}

/** Every name of `list` that is not one of `nodes`. */
export function unknownNodes(list: readonly string[] | undefined, nodes: readonly string[], path: (string | number)[]): FaultProblem[] {
  return (list ?? []).flatMap((n, i) => (nodes.includes(n) ? [] : [{ path: [...path, i], message: `unknown node "${n}"; this campaign's nodes: ${nodes.join(', ')}` }]));
}
