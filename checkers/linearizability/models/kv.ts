import { keyLabel, showValue, valueEqual, valuePerKey, ValueSet, type Model, type OpInput, type Operation } from '../model.js';

/**
 * A key-value map, checked key by key: `get` returns the value (null, or "", when the key is
 * absent), `put` sets `value`, `append` appends `value` to the string (an absent key counts as
 * ""), `delete` makes the key absent. `read`/`write` are accepted as `get`/`put`.
 * The state of one key is its value, null when absent.
 */
export function kvModel(options: { initial?: unknown } = {}): Model<unknown, OpInput, unknown> {
  const initial = options.initial === undefined ? null : options.initial;
  const fs = ['get', 'put', 'append', 'delete', 'read', 'write'];
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
    validate(input) {
      if (!fs.includes(input.f)) return `model kv has no operation "${input.f}" (it knows get, put, append, delete)`;
      return undefined;
    },
  };
}

const isGet = (input: OpInput): boolean => input.f === 'get' || input.f === 'read';

/**
 * Drops indeterminate operations that cannot matter: gets (they change nothing), and, when the
 * key has no append, puts whose value no get returned and deletes when no get saw the key
 * absent (null or ""). Such a value, once in place, is overwritten before any definite get sees
 * it, so a linearization that uses the op still linearizes without it. An append builds on the
 * value before it, so with appends every put and delete stays.
 */
function reduceKv(operations: readonly Operation<OpInput, unknown>[]): Operation<OpInput, unknown>[] {
  const withAppend = operations.some((op) => op.input.f === 'append');
  const observed = new ValueSet();
  for (const op of operations) if (isGet(op.input) && !op.indeterminate && op.output !== undefined) observed.add(op.output);
  const seen = (v: unknown): boolean => observed.has(v) || (v === null && observed.has('')); // a get shows absent as "" too
  return operations.filter((op) => {
    if (!op.indeterminate) return true;
    if (isGet(op.input)) return false;
    if (withAppend) return true;
    switch (op.input.f) {
      case 'put':
      case 'write':
        return seen(op.input.value);
      case 'delete':
        return seen(null);
      default:
        return true;
    }
  });
}
