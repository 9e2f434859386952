import { z } from 'zod';

export const chatOptions = z
  .object({
    /** How many rooms (`room-1`..`room-N`). */
    rooms: z.number().int().min(1).max(100).default(2),
    /** How many of the rooms each client joins (chosen by its process id); all by default. */
    roomsPerClient: z.number().int().min(1).optional(),
    /** Relative weights of the main-phase op mix (once a client has joined its rooms). */
    weights: z
      .object({
        publish: z.number().min(0).default(5),
        poll: z.number().min(0).default(2),
        reconnect: z.number().min(0).default(0.3),
        /** A history read from a recent boundary (`since` a few sequences back, a small `limit`),
         *  recorded with its answer, so a page or sequence boundary falls inside the data. */
        history: z.number().min(0).default(1),
        /** A deliberate resend of one of the process's recent publishes with the same `clientMsgId`
         *  (a client that lost track of which messages were acknowledged); only with `dedup`. */
        resend: z.number().min(0).default(0.5),
      })
      .strict()
      .prefault({})
      .refine((w) => w.publish + w.poll + w.reconnect + w.history + w.resend > 0, 'at least one weight must be positive'),
    /** The server de-duplicates by `clientMsgId` (faultline's chat extension): every publish carries
     *  one (its content), a publish left unknown (timeout, closed socket) is resent by the
     *  process's next op, and `weights.resend` resends on purpose. false: no `clientMsgId`, no
     *  resends (a course server without the extension). */
    dedup: z.boolean().default(true),
    /** How many times one message is resent after unknown outcomes (then the process gives it up and
     *  moves on; a later deliberate resend of it counts afresh). */
    maxRetries: z.number().int().min(0).max(100).default(3),
    /** Ask `{type: "history", room, since}` when a sequence gap shows up (the course client never does). */
    gapFill: z.boolean().default(true),
    /** Where the final catch-up asks history from: the first sequence this client is missing
     *  (`first-gap`, a careful client) or the highest it has seen (`last-seen`, the course client). */
    catchUpFrom: z.enum(['first-gap', 'last-seen']).default('first-gap'),
    /** How long `reconnect` stays offline between closing the socket and opening a new one. */
    reconnectPauseMs: z.number().int().min(0).max(60_000).default(0),
    /** A `history` op asks from up to this many sequences before the highest it has seen... */
    historyBack: z.number().int().min(0).max(1000).default(8),
    /** ...for at most this many messages (the limit is drawn from 1 to this). */
    historyLimit: z.number().int().min(1).max(1000).default(5),
  })
  .strict();

export type ChatOptions = z.infer<typeof chatOptions>;

export function roomNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `room-${i + 1}`);
}

/** The rooms a process joins: `roomsPerClient` consecutive rooms starting at `process % rooms`. */
export function roomsOf(options: ChatOptions, process: number): string[] {
  const all = roomNames(options.rooms);
  const k = Math.min(options.roomsPerClient ?? all.length, all.length);
  return Array.from({ length: k }, (_, i) => all[(process + i) % all.length]!);
}

/** One delivered message, as the `poll` op records it. */
export interface ChatFrame {
  room: string;
  id: string;
  sequence: number;
  content: string;
  user: string;
  /** `resend`: the answer to a resend of this client's own message (the server's stored copy, to
   *  the sender only, or a new message if the first never arrived): not a live delivery. */
  via: 'live' | 'history' | 'resend';
}
