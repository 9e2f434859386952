/** The key-value state machine the log drives: the course's SET and DELETE commands, NOOP for a new leader. */

export type Command =
  | { type: 'SET'; key: string; value: unknown }
  | { type: 'DELETE'; key: string }
  | { type: 'NOOP' };

export const NOOP_COMMAND = JSON.stringify({ type: 'NOOP' });

/** Parses a command string; anything unreadable counts as a no-op (a node never crashes on a log entry). */
export function parseCommand(command: string): Command {
  try {
    const c = JSON.parse(command) as Record<string, unknown> | null;
    if (c && typeof c === 'object' && typeof c.key === 'string') {
      if (c.type === 'SET') return { type: 'SET', key: c.key, value: c.value ?? null };
      if (c.type === 'DELETE') return { type: 'DELETE', key: c.key };
    }
  } catch {
    // fall through
  }
  return { type: 'NOOP' };
}

export class KvStateMachine {
  private readonly data = new Map<string, unknown>();

  apply(command: string): void {
    const c = parseCommand(command);
    if (c.type === 'SET') this.data.set(c.key, c.value);
    else if (c.type === 'DELETE') this.data.delete(c.key);
  }

  has(key: string): boolean {
    return this.data.has(key);
  }

  get(key: string): unknown {
    return this.data.get(key);
  }

  snapshot(): Record<string, unknown> {
    return Object.fromEntries(this.data);
  }
}
