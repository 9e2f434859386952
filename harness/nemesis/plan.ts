/**
 * The fault schedule of a run, worked out from the campaign and the seed before the run starts:
 * when each fault starts, how long it lasts, and (where it does not depend on the cluster's
 * state) which nodes and links it hits: each fault's module plans its own part. Same campaign +
 * same seed = same schedule.
 */
import type { FaultSpec, PlannedFault } from '../../core/fault.js';
import type { Random } from '../../core/random.js';
import { MAX_PLANNED_FAULTS, scheduledFaultCount, type NemesisSettings } from '../campaign/schema.js';
import type { FaultRegistry } from '../faults/registry.js';

export type { PlannedFault } from '../../core/fault.js';

export function planFaults(nemesis: NemesisSettings, nodes: readonly string[], timeLimitMs: number, random: Random, faults: FaultRegistry): PlannedFault[] {
  // The campaign schema refuses these; a plan built some other way must not loop or grow unbounded either.
  const planned = scheduledFaultCount(nemesis, timeLimitMs) + (nemesis.timeline?.length ?? 0);
  if (planned > MAX_PLANNED_FAULTS) throw new RangeError(`the nemesis would plan ${planned} faults; at most ${MAX_PLANNED_FAULTS}`);
  const rng = random.fork('nemesis-plan');
  const out: PlannedFault[] = [];
  const concretize = (spec: FaultSpec, at: number, duration: number): PlannedFault => {
    const { type, at: _at, duration: _duration, ...options } = spec;
    const own = faults.require(type).plan(options, { nodes, random: rng, index: out.length });
    return { id: out.length, at, duration, type, ...own };
  };
  const timeline = [...(nemesis.timeline ?? [])].sort((a, b) => a.at - b.at);
  for (const entry of timeline) {
    if (entry.at < timeLimitMs) out.push(concretize(entry, entry.at, entry.duration ?? nemesis.duration));
  }
  const { burst } = nemesis;
  // Bursts draw from a stream of their own: a schedule without them plans as it always did.
  const burstRng = burst && random.fork('nemesis-burst');
  if (nemesis.faults.length > 0) {
    for (let t = nemesis.start ?? nemesis.interval; t < timeLimitMs; ) {
      if (!burst || !burstRng?.chance(burst.chance)) {
        out.push(concretize(rng.pick(nemesis.faults), t, nemesis.duration));
        t += nemesis.duration + nemesis.interval;
        continue;
      }
      // A burst: `count` faults, each a sub-second gap (drawn) after the previous one ended.
      const each = burst.duration ?? nemesis.duration;
      let at = t;
      for (let k = 0; k < burst.count && at < timeLimitMs; k++) {
        out.push(concretize(rng.pick(nemesis.faults), at, each));
        at += each + (k < burst.count - 1 ? burstRng.between(burst.gap.min, burst.gap.max) : 0);
      }
      t = at + nemesis.interval;
    }
  }
  // A timeline and a drawn schedule may overlap (a fault of the timeline in force throughout,
  // say, while the schedule draws others): the faults are numbered in the order they start.
  return out.sort((a, b) => a.at - b.at).map((fault, id) => ({ ...fault, id }));
}

/** One line per fault, for logs and the plan comparison. */
export function describeFault(f: PlannedFault, faults: FaultRegistry): string {
  const when = `${(f.at / 1000).toFixed(2)}s+${(f.duration / 1000).toFixed(2)}s`;
  return `${when} ${faults.require(f.type).describe(f)}`;
}
