export type { Model, OpInput, Operation } from './model.js';
export { hashString, hashValue, partitionByKey, showValue, valueEqual } from './model.js';
export { guessModelName, isModelName, kvModel, modelByName, MODEL_NAMES, registerModel, type ModelName } from './models/index.js';
export { HistoryError, toOperations } from './operations.js';
export { checkLinearizability, checkOperations, describeUnknown, type LinearizabilityOptions, type LinearizabilityResult } from './check.js';
export { DEFAULT_LIMITS, limitsForMemory, type SearchLimits } from './search.js';
export type { PartitionWitness, WitnessOp } from './witness.js';
export { checkLinearizableHistory, DEFAULT_RUN_TIME_LIMIT_MS, linearizableOptions, type LinearizableCheckOptions } from './adapter.js';
export { MAX_THREADS } from './pool.js';
