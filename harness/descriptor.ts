/**
 * The system descriptor: everything the harness knows about a system under test. One YAML file
 * per system (`systems/<name>/system.yaml`); a user points faultline at their own descriptor to
 * test their own implementation of a course API. Nothing else about a system is hard-coded in
 * the harness.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';

const bugSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  description: z.string(),
});

const digestSchema = z.object({
  path: z.string().startsWith('/'),
  /** `log`: an array, item i the committed entry at index i+1 (any JSON: a term, `[term, hash]`);
   *  `map`: an object, key -> the node's value for it (any JSON: `{value, version}`). */
  kind: z.enum(['log', 'map']),
  /** Dot path of the array or object in the JSON answer (default: the whole answer). */
  field: z.string().optional(),
});
export type DigestSpec = z.infer<typeof digestSchema>;

export const descriptorSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  description: z.string(),
  /** The API family the workloads speak: `store`, `raft`, `queue`, `chat`. */
  api: z.enum(['store', 'raft', 'queue', 'chat']),
  nodes: z.object({
    default: z.number().int().min(1),
    min: z.number().int().min(1).default(1),
    max: z.number().int().min(1).default(9),
    /** Node ids: `{n}` is replaced by 1, 2, 3... (`node{n}`, `node-{n}`). An id names files
     *  (logs/<id>.log, data/<id>/), proxies and containers: letters, digits, - and _ only. */
    idFormat: z
      .string()
      .includes('{n}', { error: 'must contain {n} (node{n}, node-{n})' })
      .regex(/^[A-Za-z0-9_-]*(\{n\}[A-Za-z0-9_-]*)+$/, {
        error: 'may hold only letters, digits, - and _ around {n} (an id names files in the run folder, proxies and containers)',
      }),
  }),
  /** The port a node listens on in a container; the process runtime picks a free one per node. */
  port: z.number().int().min(1).max(65535),
  /** Client protocol, for building the client URL of a node. */
  protocol: z.enum(['http', 'ws']).default('http'),
  process: z.object({
    /** argv; relative paths are resolved against the project root. */
    command: z.array(z.string()).min(1),
    /** Working directory of the node process, relative to the descriptor's folder (default: the project root). */
    cwd: z.string().min(1).optional(),
  }),
  container: z.object({
    /** Dockerfile path relative to the project root; the build context is the project root. */
    dockerfile: z.string(),
    command: z.array(z.string()).min(1).optional(),
  }),
  /** Names of the environment variables a node reads. */
  env: z.object({
    id: z.string(),
    port: z.string(),
    peers: z.string(),
    /** How one peer is written: `{id}`, `{host}`, `{port}` are replaced. */
    peerFormat: z.string(),
    peerSeparator: z.string().default(','),
    dataDir: z.string().optional(),
    bugs: z.string().optional(),
    /** Gets the node's own client-facing URL (its client proxy), for leader hints. */
    advertise: z.string().optional(),
  }),
  /** Environment every node gets unless the campaign overrides it (short timers for tests). */
  settings: z.record(z.string(), z.string()).default({}),
  /** GET this path; a 2xx answer means the node is up. */
  health: z.object({ path: z.string().startsWith('/') }),
  /** How to read a node's view of the cluster, for the invariants checker. Optional. */
  status: z
    .object({
      path: z.string().startsWith('/'),
      /** Dot paths into the JSON answer. */
      role: z.string(),
      term: z.string().optional(),
      leader: z.string().optional(),
      /** How far the node's state has come: a number or a dotted version ("3.17") that grows as the
       *  cluster commits (Raft's commit index, a store's revision). The coverage counts use it to
       *  see a node fall behind the cluster and catch up (rejoinsAfterBehind). */
      progress: z.string().optional(),
      /** The value of `role` that means leader. */
      leaderRole: z.string().default('leader'),
    })
    .optional(),
  /** Where a node tells its committed state, for the end-of-run agreement check: one digest or a
   *  list (e.g. Raft's committed log and its applied state machine). Optional: without it the
   *  `agreement` checker says "not checked: the system exposes no digest". */
  digest: z
    .union([
      digestSchema,
      z
        .array(digestSchema)
        .min(1)
        .max(8)
        .refine((list) => new Set(list.map(digestName)).size === list.length, { message: 'two digests of one name (their field, else their path): findings could not tell them apart' }),
    ])
    .optional(),
  bugs: z.array(bugSchema).default([]),
});

export type SystemDescriptor = z.infer<typeof descriptorSchema>;
export type BugDescriptor = z.infer<typeof bugSchema>;

/** The project root (where package.json is), found from this file in src or dist. */
export const projectRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('faultline: cannot find the project root');
    dir = parent;
  }
  return dir;
})();

export const systemsDir = join(projectRoot, 'systems');

export class DescriptorError extends Error {}

export function loadDescriptor(file: string): SystemDescriptor {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DescriptorError(`${file}: ${(err as Error).message}`);
  }
  const parsed = descriptorSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new DescriptorError(`${file}: invalid system descriptor: ${issues.join('; ')}`);
  }
  const cwd = parsed.data.process.cwd;
  if (cwd !== undefined) parsed.data.process.cwd = resolve(dirname(file), cwd);
  return parsed.data;
}

/** The shipped systems, by name. */
export function listSystems(): SystemDescriptor[] {
  if (!existsSync(systemsDir)) return [];
  return readdirSync(systemsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(systemsDir, d.name, 'system.yaml')))
    .map((d) => loadDescriptor(join(systemsDir, d.name, 'system.yaml')))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A shipped system by name, or a descriptor file by path. */
export function findSystem(nameOrPath: string): SystemDescriptor {
  if (nameOrPath.endsWith('.yaml') || nameOrPath.endsWith('.yml')) return loadDescriptor(resolve(nameOrPath));
  const file = join(systemsDir, nameOrPath, 'system.yaml');
  if (!existsSync(file)) {
    const known = listSystems().map((s) => s.name);
    throw new DescriptorError(`unknown system "${nameOrPath}"; known systems: ${known.join(', ') || '(none)'}`);
  }
  return loadDescriptor(file);
}

export function nodeIds(descriptor: SystemDescriptor, count: number): string[] {
  return Array.from({ length: count }, (_, i) => descriptor.nodes.idFormat.replaceAll('{n}', String(i + 1)));
}

export function formatPeers(
  descriptor: SystemDescriptor,
  peers: readonly { id: string; host: string; port: number }[],
): string {
  return peers
    .map((p) =>
      descriptor.env.peerFormat
        .replaceAll('{id}', p.id)
        .replaceAll('{host}', p.host)
        .replaceAll('{port}', String(p.port)),
    )
    .join(descriptor.env.peerSeparator);
}

/** Reads a dot path (`config.role`) out of a JSON answer. */
export function readPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** The descriptor's digests as a list (none, one, or several). */
export function digestSpecs(system: Pick<SystemDescriptor, 'digest'>): DigestSpec[] {
  const d = system.digest;
  return d === undefined ? [] : Array.isArray(d) ? d : [d];
}

/** What a digest is called in the history and in findings: its field, else its path. */
export function digestName(spec: DigestSpec): string {
  return spec.field ?? spec.path;
}
