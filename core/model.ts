/**
 * The linearizability `Model` (shared/DESIGN.md), as in porcupine: a sequential specification
 * the checker searches against. Users can write their own and pass it to `checkLinearizability`.
 */

/** What a model sees of an operation's call: the history op's `f`, `key` and invoke `value`. */
export interface OpInput {
  f: string;
  key?: string;
  value: unknown;
}

/**
 * One operation of a history as the checker sees it: its call and its return. `output` is the
 * completion's value; it is `undefined` when the operation is indeterminate (an `info` completion
 * or none): such an operation may take effect at any point after its call, or never, and its
 * return value is unknown.
 */
export interface Operation<I = OpInput, O = unknown> {
  /** Position of this operation among the operations handed to the checker. */
  id: number;
  /** The client (Jepsen process) that ran it. */
  client: number;
  input: I;
  output: O | undefined;
  /** Order of the call and of the return among all events (any increasing numbers; ties mean
   *  concurrent). `ret` is Infinity for an indeterminate operation. */
  call: number;
  ret: number;
  indeterminate: boolean;
  /** History `index` of the invoke and of the completion (undefined when there is none). */
  invokeIndex: number;
  completeIndex?: number;
}

/**
 * A sequential specification.
 *
 * - `step(state, input, output)` says whether the operation, applied in `state`, could have
 *   returned `output`, and the state after it. `output` is `undefined` for an indeterminate
 *   operation: the model must then accept (return `[true, next]`) whatever the operation could
 *   have returned. A model whose next state is not determined by the state and the input (the
 *   output of an indeterminate operation would have told) can use a set of states as its state.
 * - `equal` and `hash` identify states for the checker's cache: `equal(a, b)` implies
 *   `hash(a) === hash(b)`; `hash` returns a 32-bit integer.
 * - `partition` splits a history into independent parts (P-compositionality: a history is
 *   linearizable iff every part is); by key for the models shipped here.
 * - `validate` (optional) returns a message when an input does not belong to this model
 *   (an unknown `f`, a malformed value); the checker then refuses the history.
 * - `reduce` (optional) drops operations that cannot change the verdict.
 * - `readOnly` (optional) names the operations that never change the state (a read): the search
 *   then linearizes such an operation as soon as its output fits, and tries nothing else there.
 * - `grows` and `reachable` (optional, together) let the search drop a configuration whose state
 *   has grown past what a later read saw (kv: appends, and a get whose string does not start
 *   with the current value).
 */
export interface Model<S = unknown, I = OpInput, O = unknown> {
  name: string;
  init(): S;
  step(state: S, input: I, output: O | undefined): readonly [boolean, S];
  equal(a: S, b: S): boolean;
  hash(state: S): number;
  partition?(operations: readonly Operation<I, O>[]): Operation<I, O>[][];
  describeOperation(input: I, output: O | undefined): string;
  describeState(state: S): string;
  validate?(input: I, output: O | undefined): string | undefined;
  /** Optional: the operations of one partition without those that cannot change the verdict
   *  (such as indeterminate writes of a value nothing observes); the search is then smaller. */
  reduce?(operations: readonly Operation<I, O>[]): Operation<I, O>[];
  /** Optional: true for an operation that changes no state, in any state: `step(s, input, out)`
   *  returns `s` itself or an equal state, whatever `s` and `out` (a read or a get). */
  readOnly?(input: I): boolean;
  /** Optional, with `reachable`: true for an operation that only grows the state (an append):
   *  the state after it is one `reachable` treats as grown from the state before, in any state. */
  grows?(input: I): boolean;
  /** Optional, with `grows`: false when the read-only operation (input, output) could not be ok
   *  in `state` nor in any state that operations that grow it lead to (a get's string that does
   *  not start with the current value). The search then drops a configuration in which only
   *  growing operations can still come before such an operation. */
  reachable?(state: S, input: I, output: O): boolean;
}
