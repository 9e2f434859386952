/**
 * The history contract (shared/DESIGN.md): one operation per line of history.jsonl.
 * Jepsen's model in JSON. Checkers, the harness, workloads and reports all use these types.
 */

export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

/** Client processes are numbers; the nemesis and the status monitor write ops under their names. */
export type ProcessId = number | 'nemesis' | 'monitor';

export interface Op {
  /** Position in the history, from 0, dense. */
  index: number;
  /** Nanoseconds since the run started (monotonic clock), integer. */
  time: number;
  process: ProcessId;
  type: OpType;
  /** The operation: read, write, cas, get, put, append, delete, enqueue, dequeue, publish, poll,
   *  or a nemesis fault (start-partition, stop-partition, kill, restart, pause, resume, ...). */
  f: string;
  key?: string;
  value?: unknown;
  /** The node the client talked to, or the node a fault hit. */
  node?: string;
  error?: string;
}

export function isClientOp(op: Op): op is Op & { process: number } {
  return typeof op.process === 'number';
}
