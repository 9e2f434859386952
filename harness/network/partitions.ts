/**
 * Partition shapes (Jepsen's nemesis partitioners), pure functions of the node ids and a seeded
 * Random. Each returns a grudge (who cannot hear from whom) and the components for describing it.
 */
import type { Random } from '../../core/random.js';
import type { Grudge, NodeId } from './network.js';

export type PartitionShapeName =
  | 'halves'
  | 'majorities-ring'
  | 'majority-ring'
  | 'isolate-one'
  | 'isolate-leader'
  | 'isolate-follower'
  | 'bridge'
  | 'random-halves';

export interface PartitionPlan {
  shape: PartitionShapeName;
  grudge: Grudge;
  /** The groups of nodes that can hear each other (for majorities-ring: each node's view,
   *  the node first). */
  components: NodeId[][];
  /** One line for logs and reports, e.g. "n1 n2 | n3 n4 n5". */
  description: string;
}

export interface ShapeOptions {
  /** Required by isolate-leader; isolate-follower picks among the other nodes (among all when
   *  no leader is known). */
  leader?: NodeId;
}

export const partitionShapeNames: readonly PartitionShapeName[] = [
  'halves',
  'majorities-ring',
  'majority-ring',
  'isolate-one',
  'isolate-leader',
  'isolate-follower',
  'bridge',
  'random-halves',
];

/** Plans a partition of `shape` over `nodes`. Throws on too few nodes or a missing leader. */
export function planPartition(
  shape: PartitionShapeName,
  nodes: readonly NodeId[],
  random: Random,
  options: ShapeOptions = {},
): PartitionPlan {
  const need = shape === 'bridge' || shape === 'majorities-ring' || shape === 'majority-ring' ? 3 : 2;
  if (new Set(nodes).size !== nodes.length) throw new Error(`partition ${shape}: node ids repeat: ${nodes.join(', ')}`);
  if (nodes.length < need) throw new Error(`partition ${shape} needs at least ${need} nodes, got ${nodes.length}`);
  switch (shape) {
    case 'halves':
      return split(shape, bisect(nodes));
    case 'random-halves':
      return split(shape, bisect(random.shuffle(nodes)));
    case 'isolate-one': {
      const one = random.pick(nodes);
      return split(shape, [[one], nodes.filter((n) => n !== one)]);
    }
    case 'isolate-leader': {
      const leader = options.leader;
      if (leader === undefined) throw new Error('partition isolate-leader needs the leader (none known)');
      if (!nodes.includes(leader)) throw new Error(`partition isolate-leader: leader "${leader}" is not one of ${nodes.join(', ')}`);
      return split(shape, [[leader], nodes.filter((n) => n !== leader)]);
    }
    case 'isolate-follower': {
      const others = nodes.filter((n) => n !== options.leader);
      const one = random.pick(others.length > 0 ? others : nodes);
      return split(shape, [[one], nodes.filter((n) => n !== one)]);
    }
    case 'bridge':
      return bridge(random.shuffle(nodes));
    case 'majorities-ring':
    case 'majority-ring':
      return majorityRing(shape, random.shuffle(nodes));
  }
}

/** Splits into a first half of ceil(n/2) nodes and the rest. */
function bisect(nodes: readonly NodeId[]): NodeId[][] {
  const cut = Math.ceil(nodes.length / 2);
  return [nodes.slice(0, cut), nodes.slice(cut)];
}

/** Every node cannot hear from any node outside its own component. */
export function completeGrudge(components: readonly (readonly NodeId[])[]): Grudge {
  const grudge: Grudge = {};
  for (const comp of components) {
    const others = components.filter((c) => c !== comp).flat();
    for (const n of comp) if (others.length > 0) grudge[n] = [...others];
  }
  return grudge;
}

function split(shape: PartitionShapeName, components: NodeId[][]): PartitionPlan {
  return { shape, grudge: completeGrudge(components), components, description: components.map((c) => c.join(' ')).join(' | ') };
}

/** Two halves that cannot hear each other, and one node of the second that hears both. */
function bridge(nodes: readonly NodeId[]): PartitionPlan {
  const [a, b] = bisect(nodes) as [NodeId[], NodeId[]];
  const node = b[0]!;
  const rest = b.slice(1);
  const grudge = completeGrudge([a, rest]);
  return {
    shape: 'bridge',
    grudge,
    components: [[...a, node], [node, ...rest]],
    description: `${a.join(' ')} <- ${node} -> ${rest.join(' ')}`,
  };
}

/**
 * Nodes on a ring; each sees the majority window centred on it and nothing else, so every node
 * sees a majority and no two see the same one (Jepsen's majorities-ring; `majority-ring` is the
 * name campaigns used before, kept as an alias).
 */
function majorityRing(shape: 'majorities-ring' | 'majority-ring', ring: readonly NodeId[]): PartitionPlan {
  const n = ring.length;
  const m = Math.floor(n / 2) + 1;
  const grudge: Grudge = {};
  const components: NodeId[][] = [];
  for (let start = 0; start < n; start++) {
    const window = Array.from({ length: m }, (_, k) => ring[(start + k) % n]!);
    const centre = window[Math.floor(m / 2)]!;
    grudge[centre] = ring.filter((x) => !window.includes(x));
    components.push([centre, ...window.filter((x) => x !== centre)]);
  }
  const description = components.map(([c, ...rest]) => `${c} sees ${rest.join(' ')}`).join('; ');
  return { shape, grudge, components, description };
}
