/**
 * The checker's library: what `faultline check` and the public API use. The campaign checker
 * (`checkLinearizableHistory` and its zod options schema) is in ./adapter.js, imported by the
 * checker registry only: zod costs a fresh process about 100 ms to load, more than a check.
 */
export type { Model, OpInput, Operation } from './model.js';
export { hashString, hashValue, partitionByKey, showValue, valueEqual } from './model.js';
export { guessModelName, isModelName, kvModel, modelByName, MODEL_NAMES, registerModel, type ModelName } from './models/index.js';
export { HistoryError, toOperations } from './operations.js';
export { checkLinearizability, checkOperations, describeUnknown, type LinearizabilityOptions, type LinearizabilityResult } from './check.js';
export { DEFAULT_LIMITS, limitsForMemory, type SearchLimits } from './search.js';
export type { PartitionWitness, WitnessOp } from './witness.js';
export { MAX_THREADS } from './pool.js';
