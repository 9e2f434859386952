import { dropUnseenIndeterminate, keyLabel, showValue, valueEqual, valuePerKey, ValueSet, type Model, type OpInput, type Operation, type ValueEffect } from '../model.js';

/**
 * A register per key (ops without a key share one register): `read` returns the value, or null
 * when absent; `write` sets `value`; `delete` makes it absent (null). With `cas: true` also
 * `cas` with value `[expected, new]` (or `{expected, new}`): an ok completion means the cas
 * applied, an ok completion with value `false` means it ran and its compare failed.
 * The state is the value, null when absent.
 */
export function registerModel(options: { initial?: unknown; cas?: boolean } = {}): Model<unknown, OpInput, unknown> {
  const initial = options.initial === undefined ? null : options.initial;
  const withCas = options.cas === true;
  const fs = withCas ? ['read', 'write', 'delete', 'cas'] : ['read', 'write', 'delete'];
  return {
    name: withCas ? 'cas-register' : 'register',
    init: () => initial,
    step(state, input, output) {
      switch (input.f) {
        case 'read':
          return [output === undefined || valueEqual(output, state), state];
        case 'write':
          return [true, input.value];
        case 'delete':
          return [true, null];
        case 'cas': {
          const [expected, next] = casArgs(input.value);
          const matches = valueEqual(state, expected);
          if (output === undefined) return [true, matches ? next : state];
          if (output === false) return [!matches, state];
          return [matches, next];
        }
        default:
          return [false, state];
      }
    },
    ...valuePerKey,
    describeOperation(input, output) {
      const key = keyLabel(input);
      switch (input.f) {
        case 'read':
          return `read${key} -> ${showValue(output)}`;
        case 'write':
          return `write${key} ${showValue(input.value)}`;
        case 'delete':
          return `delete${key}`;
        case 'cas': {
          const [expected, next] = casArgs(input.value);
          const result = output === undefined ? ' -> ?' : output === false ? ' -> false' : ' -> ok';
          return `cas${key}(${showValue(expected)}, ${showValue(next)})${result}`;
        }
        default:
          return `${input.f}${key} ${showValue(input.value)}`;
      }
    },
    reduce: reduceRegister,
    readOnly: (input) => input.f === 'read',
    validate(input) {
      if (!fs.includes(input.f)) return `model ${withCas ? 'cas-register' : 'register'} has no operation "${input.f}" (it knows ${fs.join(', ')})`;
      if (input.f === 'cas' && !isCasValue(input.value)) return `cas value must be [expected, new], got ${showValue(input.value)}`;
      return undefined;
    },
  };
}

function isCasValue(v: unknown): boolean {
  if (Array.isArray(v)) return v.length === 2;
  return typeof v === 'object' && v !== null && 'expected' in v && 'new' in v;
}

function casArgs(v: unknown): [unknown, unknown] {
  if (Array.isArray(v)) return [v[0], v[1]];
  const o = v as { expected: unknown; new: unknown };
  return [o.expected, o.new];
}

/** Drops what cannot matter (see dropUnseenIndeterminate); the values a cas expects count as seen. */
function reduceRegister(operations: readonly Operation<OpInput, unknown>[]): Operation<OpInput, unknown>[] {
  const observed = new ValueSet();
  let casReturnedFalse = false;
  for (const op of operations) {
    if (op.input.f === 'read' && !op.indeterminate && op.output !== undefined) observed.add(op.output);
    else if (op.input.f === 'cas') {
      observed.add(casArgs(op.input.value)[0]);
      if (!op.indeterminate && op.output === false) casReturnedFalse = true;
    }
  }
  // a cas that returned false saw "not its expected value": then any write may be what it saw
  return dropUnseenIndeterminate(operations, registerEffect, (e) => casReturnedFalse || ('sets' in e && observed.has(e.sets)));
}

function registerEffect(input: OpInput): ValueEffect {
  switch (input.f) {
    case 'read':
      return 'read';
    case 'write':
      return { sets: input.value };
    case 'delete':
      return { sets: null };
    case 'cas':
      return { sets: casArgs(input.value)[1] };
    default:
      return 'other';
  }
}
