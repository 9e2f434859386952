import { z } from 'zod';

export const queueOptions = z
  .object({
    /** Processes alternate roles: of each `producers + workers` consecutive process ids, the first
     *  `producers` enqueue and the rest act as workers. */
    producers: z.number().int().min(0).default(1),
    workers: z.number().int().min(0).default(1),
    /** The chance a worker "crashes" after a dequeue: it never completes the task (`abandon`). */
    abandonProbability: z.number().min(0).max(1).default(0.1),
    /** The task `type` sent with each enqueue. */
    taskType: z.string().min(1).default('email'),
    drain: z
      .object({
        /** How long the final drain keeps waiting for leased tasks to come back before it gives up. */
        timeoutMs: z.number().int().min(0).default(8_000),
        /** Pause between polls while the queue still has tasks in `processing`. */
        pollMs: z.number().int().min(1).default(200),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((o) => o.producers + o.workers > 0, { message: 'producers + workers must be positive', path: ['workers'] });

export type QueueOptions = z.infer<typeof queueOptions>;

export interface QueueTask {
  taskId: string;
  payload: string;
}

export function isQueueTask(v: unknown): v is QueueTask {
  return (
    !!v && typeof v === 'object' && typeof (v as QueueTask).taskId === 'string' && typeof (v as QueueTask).payload === 'string'
  );
}
