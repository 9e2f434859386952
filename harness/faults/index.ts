/** Every fault faultline ships, in the order `faultline list nemeses` shows them. */
import { bandwidth } from './bandwidth.js';
import { kill } from './kill.js';
import { latency } from './latency.js';
import { leaderAfterHeal } from './leader-after-heal.js';
import { partition } from './partition.js';
import { pause } from './pause.js';
import { powerLoss } from './power-loss.js';
import { FaultRegistry } from './registry.js';
import { resetPeer } from './reset-peer.js';
import { slicer } from './slicer.js';
import { staleCandidate } from './stale-candidate.js';

export const shippedFaults = new FaultRegistry([partition, kill, powerLoss, pause, latency, bandwidth, resetPeer, slicer, leaderAfterHeal, staleCandidate]);
