import { z } from 'zod';

export const readLevels = ['strong', 'eventual', 'read_your_writes'] as const;
export type ReadLevel = (typeof readLevels)[number];

export const registerOptions = z
  .object({
    /** How many keys (`k1`..`kN`); few keys make conflicts likely. */
    keys: z.number().int().min(1).max(1000).default(3),
    /** Relative weights of the op mix. */
    weights: z
      .object({
        read: z.number().min(0).default(2),
        write: z.number().min(0).default(2),
        delete: z.number().min(0).default(0.5),
        /** Jepsen's set: add a new element, a key of its own written once (`e1`, `e2`, ...), read
         *  back on every node in the final phase (the `set` checker). */
        add: z.number().min(0).default(0),
      })
      .strict()
      .prefault({})
      .refine((w) => w.read + w.write + w.delete + w.add > 0, 'at least one weight must be positive'),
    /** Store only: the `consistency` of reads. */
    readLevel: z.enum(readLevels).default('eventual'),
    /** Store only: a write answered 200 with `achievedQuorum: false` stands on the leader but may be
     *  lost on failover. `info` (the default) records it as unknown; `ok` takes the 200 at its word,
     *  as a course client does. */
    unconfirmedWrites: z.enum(['info', 'ok']).default('info'),
    /** Which API to speak; by default the system descriptor's `api`. */
    api: z.enum(['store', 'raft']).optional(),
    /** Send leader-only ops first to the leader the run's clients last saw (a shared cache);
     *  `false` sends every op to the client's home node first. */
    leaderCache: z.boolean().default(true),
    /** After a node failed to answer (refused, reset), ops that would go to it fail for this long
     *  without being sent (shared by the run's clients). 0 turns it off. */
    suspectMs: z.number().int().min(0).max(60_000).default(500),
    /** The share of ops sent first to a node drawn at random (seeded) instead of the cached
     *  leader or the home node: followers' redirects, a deposed leader that still answers. */
    randomNode: z.number().min(0).max(1).default(0),
    /** After a leader change (seen by the status monitor, or an op answered by another leader than
     *  the last one seen), this many of the next ops of every process are reads of the keys written
     *  last (reads right after a leader change); any value above 0 also probes the deposed leader
     *  (a write at the new leader, then a read of its key at the old one). */
    readsAfterLeaderChange: z.number().int().min(0).max(1000).default(0),
    /** Contention: `share` of the ops go to the first `keys` keys (hot keys). */
    hot: z
      .object({
        keys: z.number().int().min(1).default(1),
        share: z.number().min(0).max(1).default(0),
      })
      .strict()
      .prefault({}),
    /** How many leader redirects a request follows before it fails. */
    maxRedirects: z.number().int().min(0).max(10).default(3),
    /** What a read whose answer never came is recorded as. `fail` (the default, as in Jepsen) is
     *  sound because a read changes nothing, keeps the process, and spares the linearizability
     *  search an op that never ends; reads then time out a little before the harness's timeout. */
    readUnknownAs: z.enum(['fail', 'info']).default('fail'),
    /** Whether the final phase reads every key, and every element added, on every node (Jepsen's
     *  final reads): node-local where the API has such reads (the store's `eventual`), else through
     *  the node, which forwards to its leader (Raft). */
    finalReads: z.boolean().default(true),
  })
  .strict();

export type RegisterOptions = z.infer<typeof registerOptions>;

export function keyNames(options: Pick<RegisterOptions, 'keys'>): string[] {
  return Array.from({ length: options.keys }, (_, i) => `k${i + 1}`);
}

/** The key of set element `n` (the `add` op): written once, with the value `n`. */
export function elementKey(n: number): string {
  return `e${n}`;
}
