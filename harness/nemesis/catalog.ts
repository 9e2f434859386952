/** What `faultline list nemeses` prints: every fault a campaign can schedule, and every partition shape. */
import { partitionShapeNames, type PartitionShapeName } from '../network/partitions.js';
import { FAULT_TYPES, type FaultType } from '../campaign/schema.js';

const FAULTS: Record<FaultType, string> = {
  partition:
    'cut links between nodes (shapes: see partition/*); mode drop (bytes vanish, requests hang), reject (connections refused) or delay (bytes held, all delivered at the heal); ops start-partition/stop-partition',
  kill: 'SIGKILL nodes (targets: one, minority, majority, all, leader, followers, or nodes: [...]) and restart them after the duration; ops kill/restart',
  pause: 'SIGSTOP nodes (docker pause) and resume them after the duration; same targets as kill; ops pause/resume',
  latency: 'add latency with jitter (ms, jitter) on links (peers, clients, all, or {touching, clients, peers} to choose); ops start-latency/stop-latency',
  bandwidth: 'limit bandwidth (rate, KB/s) on links; ops start-bandwidth/stop-bandwidth',
  'reset-peer': 'reset connections (TCP RST) after timeout ms on links; ops start-reset-peer/stop-reset-peer',
  slicer: 'slice data into small packets (average_size, size_variation bytes, delay µs) on links; ops start-slicer/stop-slicer',
};

const SHAPES: Record<PartitionShapeName, string> = {
  halves: 'the nodes split into two halves, the first half the majority',
  'majority-ring': 'every node sees a majority, but each a different one (no two agree on it)',
  'isolate-one': 'one node cut off from all others',
  'isolate-leader': 'the current leader (from the status monitor) cut off from all others',
  bridge: 'two halves joined by one node that sees both',
  'random-halves': 'the nodes shuffled (seeded), then split into halves',
};

export function nemesisCatalog(): { name: string; description: string }[] {
  return [
    ...FAULT_TYPES.map((name) => ({ name, description: FAULTS[name] })),
    ...partitionShapeNames.map((shape) => ({ name: `partition/${shape}`, description: SHAPES[shape] })),
  ];
}
