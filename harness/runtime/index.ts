/** Picks a runtime by name. The docker runtime lives in ./docker.ts (createDockerRuntime). */
import type { SystemDescriptor } from '../descriptor.js';
import { UserError } from '../../core/errors.js';
import { ProcessRuntime } from './process.js';
import type { Runtime } from './runtime.js';

export const RUNTIMES = ['process', 'docker'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

/** What every runtime is created with. */
export interface RuntimeOptions {
  system: SystemDescriptor;
  runId: string;
  /** logs/<node>.log (and data/ for the process runtime) go here. */
  runDir: string;
  /** Told the node pids whenever they change (process runtime; for the leftovers pid file). */
  onPids?: (pids: Record<string, number>) => void;
  /** Nodes keep a durability record of their data directory (a Node.js preload; see
   *  harness/durability), so loseUnsynced() can drop what they did not fsync: set when the run
   *  plans a fault that needs it (power-loss). */
  durability?: boolean;
  /** Progress lines of the runtime (docker: image builds, leftovers removed). */
  log?: (line: string) => void;
  /** Seed of the random choices of a Toxiproxy the runtime starts itself (docker: the proxy
   *  container's `-seed`), so a run replayed with --seed hits the same connections. */
  proxySeed?: number;
  /** docker runtime: use the nodes and Toxiproxy of an already-running compose project instead
   *  of making containers (`faultline run --attach compose/raft.yml`). */
  attach?: AttachOptions;
}

export interface AttachOptions {
  /** The compose file the project was started from. */
  file: string;
  /** The compose project name; default COMPOSE_PROJECT_NAME, the file's `name:`, or its folder's name. */
  project?: string;
}

const DOCKER_MODULE = './docker.js';

export async function createRuntime(name: string, options: RuntimeOptions): Promise<Runtime> {
  if (name === 'process') return new ProcessRuntime(options);
  if (name === 'docker') {
    let mod: { createDockerRuntime?: (o: RuntimeOptions) => Runtime | Promise<Runtime> };
    try {
      mod = (await import(DOCKER_MODULE)) as typeof mod;
    } catch (err) {
      throw new UserError(`the docker runtime is not available in this build: ${(err as Error).message}`);
    }
    if (!mod.createDockerRuntime) throw new UserError('the docker runtime is not available in this build');
    return mod.createDockerRuntime(options);
  }
  throw new UserError(`unknown runtime "${name}"; valid choices: ${RUNTIMES.join(', ')}`);
}
