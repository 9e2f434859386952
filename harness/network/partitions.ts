/**
 * Partition shapes (Jepsen's nemesis partitioners), pure functions of the node ids and a seeded
 * Random. Each returns a grudge (who cannot hear from whom) and the components for describing it.
 */
import type { Random } from '../random.js';
import type { Grudge, NodeId } from './network.js';

export type PartitionShapeName =
  | 'halves'
  | 'majority-ring'
  | 'isolate-one'
  | 'isolate-leader'
  | 'bridge'
  | 'random-halves';

export interface PartitionPlan {
  shape: PartitionShapeName;
  grudge: Grudge;
  /** The groups of nodes that can hear each other (for majority-ring: each node's view,
   *  the node first). */
  components: NodeId[][];
  /** One line for logs and reports, e.g. "n1 n2 | n3 n4 n5". */
  description: string;
}

export interface ShapeOptions {
  /** Required by isolate-leader. */
  leader?: NodeId;
}

export const partitionShapeNames: readonly PartitionShapeName[] = [
  'halves',
  'majority-ring',
  'isolate-one',
  'isolate-leader',
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
  void shape;
  void nodes;
  void random;
  void options;
  throw new Error('planPartition: not implemented yet');
}
