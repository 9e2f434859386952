/**
 * The campaign file (campaigns/*.yaml): what to run, against what, with which faults, checked how.
 * This schema checks shapes and fills defaults; `load.ts` then checks the names it refers to
 * (system, bugs, workload and its options, checkers) and reports every mistake with file and line.
 */
import { z } from 'zod';
import { COVERAGE_COUNTS, type CoverageCount } from '../../core/coverage.js';
import type { FaultSpec } from '../../core/fault.js';
import { shippedFaults } from '../faults/index.js';
import type { FaultRegistry } from '../faults/registry.js';
import { durationBetween, durationMs, MAX_DURATION_MS } from './duration.js';

/** Parses `{type: ..., ...}` with the options schema of the fault its `type` names (from the
 *  registry); an unknown type lists the valid ones. */
function taggedFault<Out extends FaultSpec>(faults: FaultRegistry, extra: z.ZodRawShape) {
  const extraSchema = z.object(extra);
  return z.unknown().transform((raw, ctx) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      ctx.addIssue({ code: 'custom', message: `expected a fault like {type: partition}; fault types: ${faults.names.join(', ')}` });
      return z.NEVER;
    }
    const record = raw as Record<string, unknown>;
    const type = record.type;
    const fault = typeof type === 'string' ? faults.get(type) : undefined;
    if (typeof type !== 'string' || !fault) {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: `unknown nemesis ${JSON.stringify(type)}; valid choices: ${faults.names.join(', ')}`,
      });
      return z.NEVER;
    }
    const extraKeys = Object.keys(extra);
    const faultPart: Record<string, unknown> = {};
    const extraPart: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) if (k !== 'type') (extraKeys.includes(k) ? extraPart : faultPart)[k] = v;
    const options = fault.options.safeParse(faultPart, { reportInput: true });
    const more = extraSchema.safeParse(extraPart, { reportInput: true });
    const fields = ['type', ...objectFields(fault.options), ...extraKeys];
    for (const result of [options, more]) {
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
    if (!options.success || !more.success) return z.NEVER;
    return { type, ...(options.data as Record<string, unknown>), ...more.data } as Out;
  });
}

/** The field names of an object schema (a fault's options). */
function objectFields(schema: z.ZodType): string[] {
  const shape = (schema._zod.def as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

export type TimelineEntry = FaultSpec & { at: number; duration?: number };

/** The most faults one run may plan (timeline entries plus the drawn schedule). */
export const MAX_PLANNED_FAULTS = 10_000;

/** Faults in quick succession: a slot of the drawn schedule holds `count` faults of `duration`
 *  each, `gap` apart (drawn from the seed), instead of one. */
export interface BurstSettings {
  chance: number;
  count: number;
  duration?: number | undefined;
  gap: { min: number; max: number };
}

/** The most faults the drawn schedule starts before the time limit (0 when it draws none): exact
 *  without bursts, an upper bound with them (every slot a burst, every gap the shortest). */
export function scheduledFaultCount(
  nemesis: { interval: number; duration: number; start?: number | undefined; faults: readonly unknown[]; burst?: BurstSettings | undefined },
  timeLimitMs: number,
): number {
  if (nemesis.faults.length === 0) return 0;
  const first = nemesis.start ?? nemesis.interval;
  if (first >= timeLimitMs) return 0;
  const { burst } = nemesis;
  const burstSlot = burst ? burst.count * (burst.duration ?? nemesis.duration) + (burst.count - 1) * burst.gap.min : 0;
  const slot = !burst ? nemesis.duration : burst.chance >= 1 ? burstSlot : Math.min(nemesis.duration, burstSlot);
  const step = nemesis.interval + slot;
  return step > 0 ? Math.ceil((timeLimitMs - first) / step) * (burst ? burst.count : 1) : Infinity;
}

const burstSchema = z
  .strictObject({
    /** The chance (seeded) that a slot of the schedule is a burst rather than one fault. */
    chance: z.number().min(0).max(1).default(1),
    /** Faults in a burst. */
    count: z.number().int().min(2).max(100).default(3),
    /** How long each fault of a burst lasts (default: nemesis.duration). */
    duration: durationBetween({ positive: true }).optional(),
    /** Time between one fault's end and the next one's start, drawn from the seed in [min, max]. */
    gap: z
      .strictObject({ min: durationMs.default(100), max: durationMs.default(900) })
      .refine((g) => g.min <= g.max, { message: 'gap.min must be at most gap.max' })
      .default({ min: 100, max: 900 }),
  });

const nemesisSchema = (faults: FaultRegistry) => z
  .strictObject({
    /** Quiet time between one fault's end and the next one's start. */
    interval: durationMs.default(5000),
    /** How long each fault lasts. */
    duration: durationMs.default(3000),
    /** When the first fault starts. */
    start: durationMs.optional(),
    /** The faults to draw from (seeded). */
    faults: z.array(taggedFault<FaultSpec>(faults, {})).default([]),
    /** `scheduled`: each slot's fault is drawn from the seed before the run. `adaptive`: chosen
     *  when the slot starts, preferring the kinds and targets that brought new coverage so far
     *  (harness/nemesis/adaptive.ts); the run records what it chose, and its replay runs that. */
    mode: z.enum(['scheduled', 'adaptive']).optional(),
    /** adaptive: the chance that a slot takes a fault kind at random rather than the best so far (default 0.25). */
    explore: z.number().min(0).max(1).optional(),
    /** Slots of the drawn schedule that hold several faults in quick succession. */
    burst: burstSchema.optional(),
    /** Faults at fixed times (each entry starts at `at`), alone or on top of the drawn schedule. */
    timeline: z.array(taggedFault<TimelineEntry>(faults, { at: durationMs, duration: durationMs.optional() })).max(MAX_PLANNED_FAULTS).optional(),
  })
  .refine((n) => n.faults.length === 0 || n.interval + n.duration > 0, {
    path: ['interval'],
    message: 'interval + duration must be more than 0 (the drawn schedule would start every fault at the same time)',
  });

/** `expected.coverage`: a minimum per count, each a whole number; the field names come from core/coverage.ts. */
const coverageMinimums = z.strictObject(
  Object.fromEntries(COVERAGE_COUNTS.map((k) => [k, z.number().int().min(0).max(1_000_000).optional()])) as Record<CoverageCount, z.ZodOptional<z.ZodNumber>>,
);

/** In a campaign's checkers: the workload's default checkers. */
export const DEFAULT_CHECKERS = 'defaults';

const checkerEntry = z.union([
  z.string(),
  z.strictObject({ name: z.string(), options: z.record(z.string(), z.unknown()).default({}) }),
]);

/** The status monitor's period per node when neither the campaign nor FAULTLINE_MONITOR_MS sets one. */
export const DEFAULT_MONITOR_INTERVAL_MS = 200;
const MONITOR_INTERVAL_MIN_MS = 10;
const MONITOR_INTERVAL_MAX_MS = 10_000;
/** After each nemesis action the monitor asks this often, for `watch.duration` (elections are short). */
export const DEFAULT_WATCH = { interval: 10, duration: 2000 } as const;

/** The most nodes a campaign may ask for (the descriptor's nodes.max may be lower). */
export const MAX_NODES = 1000;

/** The highest client rate (ops/s over all clients) a campaign may ask for. */
export const MAX_RATE = 100_000;

const envValue = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

/** The campaign schema whose nemesis knows the faults of `faults`. */
function buildCampaignSchema(faults: FaultRegistry) {
  return z.strictObject({
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
  nemesis: nemesisSchema(faults).default({ interval: 5000, duration: 3000, faults: [] }),
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
      /** After each nemesis action (a fault starts or ends), ask every `interval` for `duration`: the
       *  elections a fault sets off are over in tens of milliseconds, and two leaders of one term
       *  may each hold office for less than that. `duration: 0` turns it off. */
      watch: z
        .strictObject({
          interval: durationMs.pipe(z.number().min(1, 'must be at least 1ms').max(MONITOR_INTERVAL_MAX_MS, `must be at most ${MONITOR_INTERVAL_MAX_MS / 1000}s`)).default(DEFAULT_WATCH.interval),
          duration: durationMs.pipe(z.number().max(60_000, 'must be at most 60s')).default(DEFAULT_WATCH.duration),
        })
        .default({ ...DEFAULT_WATCH }),
    })
    .default({ interval: DEFAULT_MONITOR_INTERVAL_MS, watch: { ...DEFAULT_WATCH } }),
  /** The checkers (faultline list checkers); absent: the workload's default checkers. The entry
   *  `defaults` stands for those defaults, to add to them. None at all is refused (load.ts). */
  checkers: z.array(checkerEntry).optional(),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  /** What this campaign should find, for the detection matrix. */
  expected: z
    .strictObject({
      verdict: z.enum(['valid', 'invalid']),
      findings: z.array(z.string()).optional(),
      /** Minimum coverage counts (results.json `coverage`): a run short of one does not meet the
       *  expectation, whatever its verdict ("election bugs not exercised: 0 leader change(s), expected >= 3"). */
      coverage: coverageMinimums.optional(),
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
}

export type CampaignSchema = ReturnType<typeof buildCampaignSchema>;

const schemas = new WeakMap<FaultRegistry, CampaignSchema>();

/** The campaign schema for a fault registry (the shipped faults plus a campaign's own). */
export function campaignSchemaFor(faults: FaultRegistry): CampaignSchema {
  let schema = schemas.get(faults);
  if (!schema) schemas.set(faults, (schema = buildCampaignSchema(faults)));
  return schema;
}

/** The campaign schema with the shipped faults. */
export const campaignSchema: CampaignSchema = campaignSchemaFor(shippedFaults);

export type CampaignInput = z.input<typeof campaignSchema>;
export type CampaignFile = z.infer<typeof campaignSchema>;
export type NemesisSettings = CampaignFile['nemesis'];
export type CheckerEntry = z.infer<typeof checkerEntry>;
