/**
 * A fault that acts on nodes (kill, pause): `targets` (or `nodes`) fixed at plan time where they
 * do not depend on the cluster; leader and followers read from the status monitor at start.
 */
import { z } from 'zod';
import type { Random } from '../../core/random.js';
import { defineFault, type FaultContext, type FaultRuntime, type FaultStyle, type Fault } from '../../core/fault.js';
import { unknownNodes } from './links.js';

/** Which nodes a kill or pause hits. `leader` is read from the status monitor when the fault starts. */
export const TARGETS = ['one', 'minority', 'majority', 'all', 'leader', 'followers'] as const;
export type Target = (typeof TARGETS)[number];

const nodeFaultOptions = z.strictObject({
  targets: z.enum(TARGETS).default('one'),
  nodes: z.array(z.string()).min(1).optional(),
});
export type NodeFaultOptions = z.infer<typeof nodeFaultOptions>;
export interface NodeFaultPlan {
  targets: Target;
  nodes?: string[];
}

/** Nodes for a target; undefined for `leader`/`followers`, which are read from the cluster when the fault starts. */
export function pickTargets(target: Target, nodes: readonly string[], rng: Random): string[] | undefined {
  const shuffled = rng.shuffle(nodes);
  const n = nodes.length;
  switch (target) {
    case 'one':
      return shuffled.slice(0, 1);
    case 'minority':
      return shuffled.slice(0, Math.max(1, Math.floor((n - 1) / 2)));
    case 'majority':
      return shuffled.slice(0, Math.floor(n / 2) + 1);
    case 'all':
      return [...nodes];
    case 'leader':
    case 'followers':
      return undefined;
  }
}

function targetsNow(fault: NodeFaultPlan, context: FaultContext): string[] {
  if (fault.nodes) return fault.nodes;
  const leader = context.leader();
  if (!leader) throw new Error('no leader known (the status monitor saw none)');
  if (fault.targets === 'leader') return [leader];
  const rest = context.nodes.filter((n) => n !== leader);
  return rest.length ? rest : (pickTargets('one', context.nodes, context.random) ?? []);
}

export interface NodeFaultDefinition {
  name: string;
  description: string;
  /** The op that ends it (restart, resume). */
  stop: string;
  /** `restart: false` when the run is torn down: a fault that says `keepOnTeardown` is not ended then. */
  keepOnTeardown?: boolean;
  apply(runtime: FaultRuntime, node: string): Promise<void>;
  undo(context: FaultContext, node: string): Promise<void>;
  style: FaultStyle;
  needs?: Fault['needs'];
}

export function nodeFault(def: NodeFaultDefinition): Fault<NodeFaultOptions, NodeFaultPlan> {
  const nodesText = (nodes: readonly string[]) => () => nodes.join(' ');
  return defineFault<NodeFaultOptions, NodeFaultPlan>({
    name: def.name,
    description: def.description,
    options: nodeFaultOptions,
    ops: { start: def.name, stop: def.stop },
    check: (options, nodes) => unknownNodes(options.nodes, nodes, ['nodes']),
    plan(options, { nodes, random }) {
      const chosen = options.nodes ?? pickTargets(options.targets, nodes, random);
      return { targets: options.targets, ...(chosen && { nodes: chosen }) };
    },
    describe: (planned) => `${def.name} ${planned.nodes ? planned.nodes.join(' ') : planned.targets}`,
    async start(fault, context) {
      let nodes: string[];
      try {
        nodes = targetsNow(fault, context);
      } catch (err) {
        await context.act(def.name, { targets: fault.targets }, undefined, () => Promise.reject(err), () => fault.targets);
        return undefined;
      }
      // Only the nodes really hit are brought back when the fault ends.
      const hit: string[] = [];
      await context.act(def.name, { nodes }, nodes[0], async () => {
        for (const n of nodes) {
          await def.apply(context.runtime, n);
          hit.push(n);
        }
      }, nodesText(nodes));
      if (hit.length === 0) return undefined;
      return {
        describe: `${def.name} ${hit.join(' ')}`,
        end: async ({ restart }) => {
          if (def.keepOnTeardown && !restart) return;
          await context.act(def.stop, { nodes: hit }, hit[0], async () => {
            const errors: string[] = [];
            for (const n of hit) {
              try {
                await def.undo(context, n);
              } catch (err) {
                errors.push(`${n}: ${(err as Error).message}`);
              }
            }
            if (errors.length) throw new Error(errors.join('; '));
          }, nodesText(hit));
        },
      };
    },
    style: def.style,
    ...(def.needs && { needs: def.needs }),
  });
}
