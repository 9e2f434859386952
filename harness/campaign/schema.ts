/**
 * The campaign file (campaigns/*.yaml): what to run, against what, with which faults, checked how.
 * This schema checks shapes and fills defaults; `load.ts` then checks the names it refers to
 * (system, bugs, workload and its options, checkers) and reports every mistake with file and line.
 */
import { z } from 'zod';
import { partitionShapeNames, type PartitionShapeName } from '../network/partitions.js';
import { durationBetween, durationMs, MAX_DURATION_MS } from './duration.js';

const PARTITION_SHAPES = partitionShapeNames as readonly [PartitionShapeName, ...PartitionShapeName[]];

/** Which nodes a kill or pause hits. `leader` is read from the status monitor when the fault starts. */
export const TARGETS = ['one', 'minority', 'majority', 'all', 'leader', 'followers'] as const;
export type Target = (typeof TARGETS)[number];

export const LINK_SETS = ['all', 'clients', 'peers'] as const;

/** Which links a toxic fault acts on: a named set, or chosen links (their union): every link to or
 *  from the nodes `touching` names, the client links of `clients`, the directed peer links
 *  `peers` names as [from, to] pairs. */
const linkSet = z.union([
  z.enum(LINK_SETS),
  z
    .strictObject({
      touching: z.array(z.string()).min(1).optional(),
      clients: z.array(z.string()).min(1).optional(),
      peers: z.array(z.tuple([z.string(), z.string()])).min(1).optional(),
    })
    .refine((l) => l.touching !== undefined || l.clients !== undefined || l.peers !== undefined, { message: 'name links with touching, clients or peers' }),
], { error: 'expected peers, clients, all, or chosen links like {touching: [node], clients: [node], peers: [[from, to]]}' });
export type LinkSet = z.infer<typeof linkSet>;

const nodeList = z.array(z.string()).min(1);

const partitionFault = z.strictObject({
  type: z.literal('partition'),
  /** One of these is picked (seeded) each time the fault starts. */
  shapes: z.array(z.enum(PARTITION_SHAPES)).min(1).default(['halves']),
  mode: z.enum(['drop', 'reject', 'delay']).default('drop'),
});

const killFault = z.strictObject({
  type: z.literal('kill'),
  targets: z.enum(TARGETS).default('one'),
  nodes: nodeList.optional(),
});

const pauseFault = z.strictObject({
  type: z.literal('pause'),
  targets: z.enum(TARGETS).default('one'),
  nodes: nodeList.optional(),
});

/** Toxiproxy's attributes are 32-bit signed integers. */
const TOXIC_MAX = 2 ** 31 - 1;
const toxicInt = (min: number) => z.number().int().min(min).max(TOXIC_MAX);

const latencyFault = z.strictObject({
  type: z.literal('latency'),
  ms: toxicInt(0).default(100),
  jitter: toxicInt(0).default(0),
  links: linkSet.default('peers'),
});

const bandwidthFault = z.strictObject({
  type: z.literal('bandwidth'),
  /** KB/s. */
  rate: toxicInt(0).default(16),
  links: linkSet.default('peers'),
});

const resetPeerFault = z.strictObject({
  type: z.literal('reset-peer'),
  /** Milliseconds before each connection is reset (0 = at once). */
  timeout: toxicInt(0).default(0),
  links: linkSet.default('peers'),
});

const slicerFault = z.strictObject({
  type: z.literal('slicer'),
  /** Bytes per slice on average, +/- size_variation, delay microseconds between slices. */
  average_size: toxicInt(1).default(16),
  size_variation: toxicInt(0).default(8),
  delay: toxicInt(0).default(1000),
  links: linkSet.default('peers'),
});

export const FAULT_TYPES = ['partition', 'kill', 'pause', 'latency', 'bandwidth', 'reset-peer', 'slicer'] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

const faultSchemas = {
  partition: partitionFault,
  kill: killFault,
  pause: pauseFault,
  latency: latencyFault,
  bandwidth: bandwidthFault,
  'reset-peer': resetPeerFault,
  slicer: slicerFault,
} as const;

export type PartitionFaultSpec = z.infer<typeof partitionFault>;
export type KillFaultSpec = z.infer<typeof killFault>;
export type PauseFaultSpec = z.infer<typeof pauseFault>;
export type LatencyFaultSpec = z.infer<typeof latencyFault>;
export type BandwidthFaultSpec = z.infer<typeof bandwidthFault>;
export type ResetPeerFaultSpec = z.infer<typeof resetPeerFault>;
export type SlicerFaultSpec = z.infer<typeof slicerFault>;
export type FaultSpec =
  | PartitionFaultSpec
  | KillFaultSpec
  | PauseFaultSpec
  | LatencyFaultSpec
  | BandwidthFaultSpec
  | ResetPeerFaultSpec
  | SlicerFaultSpec;

/** Parses `{type: ..., ...}` with the schema its `type` names; an unknown type lists the valid ones. */
function taggedFault<Extra extends z.ZodRawShape>(extra: Extra) {
  const extraSchema = z.object(extra);
  return z.unknown().transform((raw, ctx) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      ctx.addIssue({ code: 'custom', message: `expected a fault like {type: partition}; fault types: ${FAULT_TYPES.join(', ')}` });
      return z.NEVER;
    }
    const record = raw as Record<string, unknown>;
    const type = record.type;
    if (typeof type !== 'string' || !(FAULT_TYPES as readonly string[]).includes(type)) {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: `unknown nemesis ${JSON.stringify(type)}; valid choices: ${FAULT_TYPES.join(', ')}`,
      });
      return z.NEVER;
    }
    const extraKeys = Object.keys(extra);
    const faultPart: Record<string, unknown> = {};
    const extraPart: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) (extraKeys.includes(k) ? extraPart : faultPart)[k] = v;
    const fault = faultSchemas[type as FaultType].safeParse(faultPart, { reportInput: true });
    const more = extraSchema.safeParse(extraPart, { reportInput: true });
    const fields = [...Object.keys(faultSchemas[type as FaultType].shape), ...extraKeys];
    for (const result of [fault, more]) {
      if (!result.success) {
        for (const issue of result.error.issues) {
          if (issue.code === 'unrecognized_keys') {
            for (const key of issue.keys) {
              const message =
                issue.path.length === 0
                  ? `unknown field "${key}" for a ${type} fault; valid fields: ${fields.join(', ')}`
                  : `unknown field "${key}"${issue.path.at(-1) === 'links' ? '; valid fields: touching, clients, peers' : ''}`;
              ctx.addIssue({ code: 'custom', path: [...issue.path, key], message });
            }
          } else {
            ctx.addIssue({ ...issue });
          }
        }
      }
    }
    if (!fault.success || !more.success) return z.NEVER;
    return { ...(fault.data as FaultSpec), ...(more.data as z.infer<typeof extraSchema>) };
  });
}

const scheduledFault = taggedFault({});
const timelineFault = taggedFault({ at: durationMs, duration: durationMs.optional() });

export type TimelineEntry = FaultSpec & { at: number; duration?: number };

/** The most faults one run may plan (timeline entries plus the drawn schedule). */
export const MAX_PLANNED_FAULTS = 10_000;

/** How many faults the drawn schedule starts before the time limit (0 when it draws none). */
export function scheduledFaultCount(nemesis: { interval: number; duration: number; start?: number | undefined; faults: readonly unknown[] }, timeLimitMs: number): number {
  if (nemesis.faults.length === 0) return 0;
  const first = nemesis.start ?? nemesis.interval;
  if (first >= timeLimitMs) return 0;
  const step = nemesis.interval + nemesis.duration;
  return step > 0 ? Math.ceil((timeLimitMs - first) / step) : Infinity;
}

const nemesisSchema = z
  .strictObject({
    /** Quiet time between one fault's end and the next one's start. */
    interval: durationMs.default(5000),
    /** How long each fault lasts. */
    duration: durationMs.default(3000),
    /** When the first fault starts. */
    start: durationMs.optional(),
    /** The faults to draw from (seeded). */
    faults: z.array(scheduledFault).default([]),
    /** Faults at fixed times (each entry starts at `at`), alone or on top of the drawn schedule. */
    timeline: z.array(timelineFault).max(MAX_PLANNED_FAULTS).optional(),
  })
  .refine((n) => n.faults.length === 0 || n.interval + n.duration > 0, {
    path: ['interval'],
    message: 'interval + duration must be more than 0 (the drawn schedule would start every fault at the same time)',
  });

const checkerEntry = z.union([
  z.string(),
  z.strictObject({ name: z.string(), options: z.record(z.string(), z.unknown()).default({}) }),
]);

/** The status monitor's period per node when neither the campaign nor FAULTLINE_MONITOR_MS sets one. */
export const DEFAULT_MONITOR_INTERVAL_MS = 200;
const MONITOR_INTERVAL_MIN_MS = 10;
const MONITOR_INTERVAL_MAX_MS = 10_000;

/** The most nodes a campaign may ask for (the descriptor's nodes.max may be lower). */
export const MAX_NODES = 1000;

/** The highest client rate (ops/s over all clients) a campaign may ask for. */
export const MAX_RATE = 100_000;

const envValue = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

export const campaignSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9/_-]*$/, 'lowercase letters, digits, -, _ and /').optional(),
  description: z.string().default(''),
  /** A system name (faultline list systems) or a path to a system.yaml, relative to the campaign file. */
  system: z.string().min(1),
  /** Node count; the descriptor's default when absent. */
  nodes: z.number().int().min(1).max(MAX_NODES, `must be at most ${MAX_NODES}`).optional(),
  settings: z
    .strictObject({
      /** Extra environment for every node (over the descriptor's settings). */
      env: z.record(z.string(), envValue).default({}),
      /** Seeded defects to switch on (faultline list bugs). */
      bugs: z.array(z.string()).default([]),
    })
    .default({ env: {}, bugs: [] }),
  workload: z.strictObject({
    /** A workload name (faultline list workloads), or a path to a .js/.mjs module exporting `workload`. */
    name: z.string().min(1),
    options: z.record(z.string(), z.unknown()).default({}),
  }),
  clients: z
    .strictObject({
      concurrency: z.number().int().min(1).max(1000).default(5),
      /** Target ops per second over all clients; 0 = as fast as they go. */
      rate: z.number().min(0).max(MAX_RATE).default(0),
      /** Past this an op completes as `info` (more than 0: a 0 timeout would fail every op unseen). */
      timeout: durationBetween({ positive: true }).default(2000),
    })
    .default({ concurrency: 5, rate: 0, timeout: 2000 }),
  /** Length of the main phase (clients + nemesis), at most 24 h. */
  time_limit: durationBetween({ positive: true }).default(30_000),
  /** The healed final phase: after every fault is healed, wait `settle`, then each client runs its final ops. */
  final: z
    .strictObject({
      enabled: z.boolean().default(true),
      settle: durationMs.default(1000),
      timeout: durationBetween({ positive: true }).default(10_000),
    })
    .default({ enabled: true, settle: 1000, timeout: 10_000 }),
  nemesis: nemesisSchema.default({ interval: 5000, duration: 3000, faults: [] }),
  /** The status monitor (systems whose descriptor has `status`). */
  monitor: z
    .strictObject({
      /** How often each node is asked for its status; shorter catches shorter-lived states (e.g. two leaders). */
      interval: durationMs.pipe(
        z
          .number()
          .min(MONITOR_INTERVAL_MIN_MS, `must be at least ${MONITOR_INTERVAL_MIN_MS}ms`)
          .max(MONITOR_INTERVAL_MAX_MS, `must be at most ${MONITOR_INTERVAL_MAX_MS / 1000}s`),
      ).default(DEFAULT_MONITOR_INTERVAL_MS),
    })
    .default({ interval: DEFAULT_MONITOR_INTERVAL_MS }),
  checkers: z.array(checkerEntry).default([]),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  /** What this campaign should find, for the detection matrix. */
  expected: z
    .strictObject({
      verdict: z.enum(['valid', 'invalid']),
      findings: z.array(z.string()).optional(),
    })
    .optional(),
}).superRefine((c, ctx) => {
  // A time limit out of range or a zero-length step is reported on its own field already.
  if (c.time_limit > MAX_DURATION_MS || (c.nemesis.faults.length > 0 && c.nemesis.interval + c.nemesis.duration <= 0)) return;
  const planned = scheduledFaultCount(c.nemesis, c.time_limit) + (c.nemesis.timeline?.length ?? 0);
  if (planned > MAX_PLANNED_FAULTS) {
    ctx.addIssue({
      code: 'custom',
      path: ['nemesis'],
      message: `the nemesis would plan ${planned} faults in time_limit; at most ${MAX_PLANNED_FAULTS}: lengthen nemesis.interval or nemesis.duration, or shorten time_limit`,
    });
  }
});

export type CampaignInput = z.input<typeof campaignSchema>;
export type CampaignFile = z.infer<typeof campaignSchema>;
export type NemesisSettings = CampaignFile['nemesis'];
export type CheckerEntry = z.infer<typeof checkerEntry>;
