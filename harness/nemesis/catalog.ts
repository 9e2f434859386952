/** What `faultline list nemeses` prints: every fault of the registry, and every partition shape. */
import { PARTITION_SHAPE_DESCRIPTIONS } from '../faults/partition.js';
import type { FaultRegistry } from '../faults/registry.js';
import { partitionShapeNames } from '../network/partitions.js';

export function nemesisCatalog(faults: FaultRegistry): { name: string; description: string }[] {
  return [
    ...faults.catalog(),
    ...partitionShapeNames.map((shape) => ({ name: `partition/${shape}`, description: PARTITION_SHAPE_DESCRIPTIONS[shape] })),
  ];
}
