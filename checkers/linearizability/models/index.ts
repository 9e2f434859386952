import type { Model, OpInput } from '../model.js';
import { kvModel } from './kv.js';
import { registerModel } from './register.js';

export { kvModel } from './kv.js';
export { registerModel } from './register.js';

export const MODEL_NAMES = ['register', 'cas-register', 'kv'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export function isModelName(name: string): name is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(name);
}

/** A shipped model by name; `initial` is the value every key starts with (default null: absent). */
export function modelByName(name: ModelName, initial?: unknown): Model<unknown, OpInput, unknown> {
  switch (name) {
    case 'register':
      return registerModel({ initial });
    case 'cas-register':
      return registerModel({ initial, cas: true });
    case 'kv':
      return kvModel({ initial });
  }
}

/** The shipped model a history's operations suggest: kv for get/put/append, cas-register when
 *  there is a cas, register otherwise. */
export function guessModelName(fs: Iterable<string>): ModelName {
  let cas = false;
  for (const f of fs) {
    if (f === 'get' || f === 'put' || f === 'append') return 'kv';
    if (f === 'cas') cas = true;
  }
  return cas ? 'cas-register' : 'register';
}
