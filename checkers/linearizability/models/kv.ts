import { keyLabel, showValue, valueEqual, valuePerKey, type Model, type OpInput } from '../model.js';

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
    validate(input) {
      if (!fs.includes(input.f)) return `model kv has no operation "${input.f}" (it knows get, put, append, delete)`;
      return undefined;
    },
  };
}
