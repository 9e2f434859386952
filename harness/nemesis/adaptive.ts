/**
 * The coverage-guided nemesis (`nemesis.mode: adaptive`), after Mallory's feedback loop (CCS
 * 2023): the drawn schedule's slots keep their times (start, interval, duration, bursts), but what
 * each slot does is chosen when it starts, from the campaign's `faults`, preferring the fault kinds
 * and targets that brought new coverage so far in this run.
 *
 * - Coverage is counted live by the one counter (checkers/coverage/count.ts) over every op the
 *   history records. A slot's reward is what the counts gained from its start to the next slot's
 *   start, novelty-weighted: the n-th leader change (term, election without a winner, restart,
 *   rejoin) is worth 1/sqrt(n), so rarer situations pay more and repeats pay less.
 * - Choice: with chance `explore`, a fault kind at random; otherwise the kind with the best mean
 *   reward (a kind not tried yet first). Then a few candidate targets of that kind are planned by
 *   the fault's own module and the one whose target (its description, e.g. "kill n2") has the best
 *   mean reward is taken (exploring: the first).
 * - Seeded: every draw comes from the run's `nemesis-adaptive` stream; the same feedback gives
 *   the same choices. The feedback depends on timing, so the chosen faults are recorded in the run
 *   folder (plan.json, rewritten at each choice) and a replay runs them as a fixed plan
 *   (`faultline run --faults <run folder>/plan.json`), the same faults at the same times.
 */
import { writeFileSync } from 'node:fs';
import { COVERAGE_COUNTS, type Coverage, type CoverageCount } from '../../core/coverage.js';
import type { FaultSpec, PlannedFault } from '../../core/fault.js';
import type { Op } from '../../core/op.js';
import type { Random } from '../../core/random.js';
import { CoverageCounter } from '../../checkers/coverage/count.js';
import type { NemesisSettings } from '../campaign/schema.js';
import type { FaultRegistry } from '../faults/registry.js';
import { planFaults } from './plan.js';

/** The counts a slot is rewarded for (ops across a leader change follow from leader changes and the client rate). */
const REWARDED: readonly CoverageCount[] = COVERAGE_COUNTS.filter((k) => k !== 'opsAcrossLeaderChange');

/** `nemesis.explore` when the campaign does not say. */
export const DEFAULT_EXPLORE = 0.25;

/** Candidate targets planned per choice. */
const CANDIDATES = 4;

/** One choice, as plan.json records it. */
export interface AdaptiveDecision {
  /** The slot's fault id in the plan. */
  id: number;
  /** The campaign's `faults` entry the choice came from (its index). */
  entry: number;
  /** What it hit ("kill n2", "partition n1 | n2 n3"). */
  target: string;
  explored: boolean;
  /** Novelty-weighted coverage gained until the next slot started (undefined until then). */
  reward?: number;
  /** The counts that rose, and by how much. */
  gained?: Partial<Record<CoverageCount, number>>;
}

export interface AdaptiveOptions {
  /** The campaign's `faults`, the choices. */
  specs: readonly FaultSpec[];
  nodes: readonly string[];
  faults: FaultRegistry;
  /** The run's `nemesis-adaptive` stream. */
  random: Random;
  /** Chance of a random fault kind rather than the best so far. */
  explore: number;
  /** Where the chosen faults are written (the run's plan.json); none: kept in memory only. */
  file?: string;
  /** More fields for that file (the seed, the fault styles). */
  header?: Record<string, unknown>;
}

interface Tally {
  tries: number;
  total: number;
}

export class AdaptiveChooser {
  private readonly counter = new CoverageCounter();
  private readonly kinds: Tally[];
  private readonly targets = new Map<string, Tally>();
  /** The plan as it stands: fixed entries plus each slot once chosen, by id. */
  private readonly chosen = new Map<number, PlannedFault>();
  readonly decisions: AdaptiveDecision[] = [];
  private open: { decision: AdaptiveDecision; before: Coverage } | undefined;

  constructor(private readonly options: AdaptiveOptions) {
    this.kinds = options.specs.map(() => ({ tries: 0, total: 0 }));
  }

  /** Every op the history records (in time order). */
  observe(op: Op): void {
    this.counter.add(op);
  }

  /** The coverage counted so far. */
  coverage(): Coverage {
    return this.counter.counts();
  }

  /** Faults of the plan that are not chosen (the timeline's): recorded as they are. */
  fixed(fault: PlannedFault): void {
    this.chosen.set(fault.id, fault);
    this.write();
  }

  /** Chooses what the slot `slot` (its time and duration kept) does; credits the slot before it. */
  choose(slot: PlannedFault): PlannedFault {
    this.credit();
    const { specs, random, explore, faults, nodes } = this.options;
    const explored = random.chance(explore);
    const entry = explored ? random.int(specs.length) : this.bestKind();
    const spec = specs[entry]!;
    const { type, at: _at, duration: _duration, ...options } = spec;
    const fault = faults.require(type);
    const candidates = Array.from({ length: CANDIDATES }, (_, i) => {
      const own = fault.plan(options, { nodes, random, index: slot.id * CANDIDATES + i });
      return { own, target: fault.describe(own) };
    });
    const pick = explored ? candidates[0]! : this.bestTarget(entry, candidates);
    const planned: PlannedFault = { id: slot.id, at: slot.at, duration: slot.duration, type, ...pick.own };
    const decision: AdaptiveDecision = { id: slot.id, entry, target: pick.target, explored };
    this.decisions.push(decision);
    this.open = { decision, before: this.counter.counts() };
    this.chosen.set(slot.id, planned);
    this.write();
    return planned;
  }

  /** Credits the last slot (the run's main phase is over). */
  finish(): void {
    this.credit();
    this.write();
  }

  /** The faults of the run so far, in the order they start. */
  plan(): PlannedFault[] {
    return [...this.chosen.values()].sort((a, b) => a.at - b.at || a.id - b.id);
  }

  private credit(): void {
    if (!this.open) return;
    const { decision, before } = this.open;
    this.open = undefined;
    const now = this.counter.counts();
    let reward = 0;
    const gained: Partial<Record<CoverageCount, number>> = {};
    for (const k of REWARDED) {
      for (let n = before[k] + 1; n <= now[k]; n++) reward += 1 / Math.sqrt(n);
      if (now[k] > before[k]) gained[k] = now[k] - before[k];
    }
    decision.reward = Math.round(reward * 1000) / 1000;
    decision.gained = gained;
    const kind = this.kinds[decision.entry]!;
    kind.tries++;
    kind.total += reward;
    const key = `${decision.entry}:${decision.target}`;
    const target = this.targets.get(key) ?? { tries: 0, total: 0 };
    target.tries++;
    target.total += reward;
    this.targets.set(key, target);
  }

  /** A kind never tried first, else the best mean reward; ties drawn at random. */
  private bestKind(): number {
    const scores = this.kinds.map((k) => (k.tries === 0 ? Infinity : k.total / k.tries));
    const top = Math.max(...scores);
    return this.options.random.pick(scores.flatMap((s, i) => (s === top ? [i] : [])));
  }

  /** The candidate whose target paid best so far; an untried target counts as its kind's mean. */
  private bestTarget<T extends { target: string }>(entry: number, candidates: readonly T[]): T {
    const kind = this.kinds[entry]!;
    const neutral = kind.tries === 0 ? 0 : kind.total / kind.tries;
    let best = candidates[0]!;
    let bestScore = -Infinity;
    for (const c of candidates) {
      const t = this.targets.get(`${entry}:${c.target}`);
      const score = t ? t.total / t.tries : neutral;
      if (score > bestScore) {
        best = c;
        bestScore = score;
      }
    }
    return best;
  }

  private write(): void {
    if (!this.options.file) return;
    const record: AdaptiveRecord = { ...this.options.header, mode: 'adaptive', faults: this.plan(), decisions: this.decisions, coverage: this.counter.counts() };
    writeFileSync(this.options.file, JSON.stringify(record, null, 2) + '\n');
  }
}

/** The adaptive mode's plan: the timeline's faults as planned, and the drawn schedule's slots
 *  (times, durations, bursts from the seed; their faults a placeholder until `choose`). */
export function planAdaptive(nemesis: NemesisSettings, nodes: readonly string[], timeLimitMs: number, random: Random, faults: FaultRegistry): { plan: PlannedFault[]; slots: ReadonlySet<number> } {
  const fixed = planFaults({ ...nemesis, faults: [] }, nodes, timeLimitMs, random, faults).map((f) => ({ fault: f, slot: false }));
  const drawn = planFaults({ ...nemesis, timeline: undefined }, nodes, timeLimitMs, random, faults).map((f) => ({ fault: f, slot: true }));
  const all = [...fixed, ...drawn].sort((a, b) => a.fault.at - b.fault.at);
  const slots = new Set<number>();
  const plan = all.map(({ fault, slot }, id) => {
    if (slot) slots.add(id);
    return { ...fault, id };
  });
  return { plan, slots };
}

/** plan.json of an adaptive run: the faults an adaptive run ran (what a replay runs), and why each was chosen. */
export interface AdaptiveRecord {
  mode: 'adaptive';
  seed?: number;
  /** The fixed faults and every slot chosen so far: what `--faults` replays. */
  faults: PlannedFault[];
  decisions: AdaptiveDecision[];
  coverage: Coverage;
}
