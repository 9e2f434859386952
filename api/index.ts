/**
 * faultline's public API (`import ... from 'faultline'`): define a campaign in code, run it, check
 * a history against a model, and the contracts a user's own workload, checker or model implements.
 * Everything here is the engine the CLI uses; nothing is a second implementation.
 */
export { defineCampaign, type CampaignDefinition, type CampaignFields, type CheckerEntry, type FaultEntry } from './campaign.js';
export { formatRunResult, runCampaign, type RunAnomaly, type RunOptions, type RunResult } from './run.js';
export { checkRun, CATALOG_KINDS, listCatalog, planCampaign, writeReport, type CampaignPlan, type CatalogItem, type CatalogKind } from './folders.js';
export { compareCampaign, formatCompareResult, type CompareOptions, type CompareResult } from './compare.js';
export type { CompareRow, Quorum } from '../harness/compare/compare.js';
export type { ReadLevel } from '../workloads/register/options.js';

// Errors a caller may catch: a campaign with mistakes (every one listed), and bad input generally.
export { CampaignError } from '../harness/campaign/load.js';
export { EXIT, UserError } from '../core/errors.js';

// Linearizability, porcupine-style: check a history against a model (shipped or your own).
export {
  checkLinearizability as checkHistory,
  HistoryError,
  kvModel,
  modelByName,
  MODEL_NAMES,
  registerModel,
  type LinearizabilityOptions as CheckHistoryOptions,
  type LinearizabilityResult as CheckHistoryResult,
  type Model,
  type ModelName,
  type Operation,
  type OpInput,
  type PartitionWitness,
} from '../checkers/linearizability/index.js';
export { readHistory, type ReadHistoryOptions } from './history.js';
export { ParseError } from '../core/errors.js';
export type { HistoryFormat } from '../checkers/import/index.js';

// faultline's embedded Toxiproxy-compatible server (`faultline proxy`), for your own tests: the
// Toxiproxy v2 HTTP API and its TCP proxies, in this process.
export { startEmbeddedToxiproxy as startToxiproxy, type EmbeddedToxiproxy, type EmbeddedToxiproxyOptions } from '../harness/proxy/server.js';

// Your own workload and checker, typed (a campaign takes them as values, or a YAML campaign by module path).
export { defineWorkload } from '../core/workload.js';
export { defineChecker, NO_OPTIONS, type CheckerDefinition } from '../core/checker.js';
export { composeCheckers, type CheckerPart, type ComposedCheckerDefinition } from '../checkers/compose.js';
export { defineFault } from '../core/fault.js';

// The contracts.
export type { Op, OpType, ProcessId } from '../core/op.js';
export type { Anomaly, CheckResult, Validity } from '../core/result.js';
export type { Checker } from '../core/checker.js';
export type { ActiveFault, AnyFault, Fault, FaultContext, FaultPlanContext, FaultStyle, PlannedFault } from '../core/fault.js';
export type { ClientContext, NodeEndpoint, OpCall, OpGenerator, OpOutcome, Workload, WorkloadClient } from '../core/workload.js';
export type { Random } from '../core/random.js';
export type { Runtime, NodeState } from '../harness/runtime/runtime.js';
export type { RuntimeName } from '../harness/runtime/index.js';
export type { SystemDescriptor } from '../harness/descriptor.js';
export type { Expected } from '../harness/run/verdict.js';
export type { Coverage, CoverageCount, CoverageMinimums } from '../core/coverage.js';
