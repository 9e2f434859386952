import { dropUnseenIndeterminate, keyLabel, showValue, valueEqual, valuePerKey, ValueSet, type Model, type OpInput, type Operation, type ValueEffect } from '../model.js';

/**
 * A key-value map, checked key by key: `get` returns the value (null, or "", when the key is
 * absent), `put` sets `value`, `append` appends `value` to the string (an absent key counts as
 * ""), `delete` makes the key absent. `read`/`write` are accepted as `get`/`put`, and `add` (a
 * set element: its own key written once) as `put`.
 * The state of one key is its value, null when absent.
 */
export function kvModel(options: { initial?: unknown } = {}): Model<unknown, OpInput, unknown> {
  const initial = options.initial === undefined ? null : options.initial;
  const fs = ['get', 'put', 'append', 'delete', 'read', 'write', 'add'];
  return {
    name: 'kv',
    init: () => initial,
    step(state, input, output) {
      switch (input.f) {
        case 'get':
        case 'read':
          return [output === undefined || valueEqual(output, state) || (state === null && output === ''), state];
        case 'put':
        case 'write':
        case 'add':
          return [true, input.value];
        case 'append':
          return [true, (state === null ? '' : String(state)) + String(input.value)];
        case 'delete':
          return [true, null];
        default:
          return [false, state];
      }
    },
    ...valuePerKey,
    describeOperation(input, output) {
      const key = keyLabel(input);
      switch (input.f) {
        case 'get':
        case 'read':
          return `get${key} -> ${showValue(output)}`;
        case 'delete':
          return `delete${key}`;
        default:
          return `${input.f}${key} ${showValue(input.value)}`;
      }
    },
    reduce: reduceKv,
    readOnly: isGet,
    // appends grow the value; a state can grow into what a get saw only if it is its prefix
    grows: (input) => input.f === 'append',
    reachable(state, input, output) {
      if (output === undefined || !isGet(input)) return true;
      // a string fits a state it starts with (its own, and null as ""); anything else only its own
      if (typeof output === 'string') return output.startsWith(typeof state === 'string' ? state : state === null ? '' : String(state));
      return valueEqual(output, state);
    },
    validate(input) {
      if (!fs.includes(input.f)) return `model kv has no operation "${input.f}" (it knows get, put, append, delete)`;
      return undefined;
    },
  };
}

const isGet = (input: OpInput): boolean => input.f === 'get' || input.f === 'read';

/**
 * Drops what cannot matter (see dropUnseenIndeterminate). The value a get returns is the last
 * put's value (or absent: null or "") followed by the text of every append since, so:
 * - an indeterminate append shows only in a get whose string contains its text;
 * - an indeterminate put of v shows only in a get that returned v, or, on a key with appends,
 *   a string that starts with String(v);
 * - an indeterminate delete shows in a get of null or "", and on a key with appends in any string.
 */
function reduceKv(operations: readonly Operation<OpInput, unknown>[]): Operation<OpInput, unknown>[] {
  const observed = new ValueSet();
  const strings: string[] = [];
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i]!;
    if (!isGet(op.input) || op.indeterminate || op.output === undefined) continue;
    observed.add(op.output);
    if (typeof op.output === 'string') strings.push(op.output);
  }
  const appends = operations.some((op) => op.input.f === 'append');
  return dropUnseenIndeterminate(operations, kvEffect, (e) => {
    if ('appends' in e) return e.appends === '' || strings.some((s) => s.includes(e.appends));
    if (observed.has(e.sets) || (e.sets === null && observed.has(''))) return true;
    if (!appends) return false;
    return e.sets === null || strings.some((s) => s.startsWith(String(e.sets)));
  });
}

function kvEffect(input: OpInput): ValueEffect {
  if (isGet(input)) return 'read';
  if (input.f === 'put' || input.f === 'write' || input.f === 'add') return { sets: input.value };
  if (input.f === 'delete') return { sets: null };
  if (input.f === 'append') return { appends: String(input.value) };
  return 'other';
}
