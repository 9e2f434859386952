/**
 * The checker registry: every checker faultline knows, by the name campaigns use.
 * Checkers are pure: a history (and options from the campaign) in, a verdict out.
 */
import type { Checker } from '../core/checker.js';
import { checkAgreementHistory, agreementOptions } from './agreement/index.js';
import { checkConsistencyHistory, consistencyOptions } from './consistency/index.js';
import { checkCoverageHistory, coverageOptions } from './coverage/index.js';
import { checkInvariantsHistory, invariantsOptions } from './invariants/index.js';
import { checkLinearizableHistory, linearizableOptions } from './linearizability/adapter.js';
import { checkOrderingHistory, orderingOptions } from './ordering/index.js';
import { checkPerfHistory, perfOptions } from './perf/index.js';
import { checkQueueHistory, queueOptions } from './queue/index.js';
import { checkSetHistory, setOptions } from './set/index.js';

export { CheckerOptionError } from '../core/checker.js';

const all: Checker[] = [
  {
    name: 'linearizable',
    description: 'Linearizability per key against a model (register, cas-register, kv), porcupine-style, with the smallest failing window as witness.',
    options: linearizableOptions,
    check: checkLinearizableHistory,
  },
  {
    name: 'queue',
    description: 'Task queue (total-queue, at-least-once): lost acknowledged tasks, unexpected tasks, tasks stuck in processing; duplicates counted.',
    options: queueOptions,
    check: checkQueueHistory,
  },
  {
    name: 'ordering',
    description: 'Chat rooms: one total order for all clients, unique gap-free sequences, every acknowledged message delivered, no duplicates, per-sender FIFO.',
    options: orderingOptions,
    check: checkOrderingHistory,
  },
  {
    name: 'consistency',
    description: 'Registers: stale reads (real-time), read-your-writes and monotonic-reads per client session; only definite violations.',
    options: consistencyOptions,
    check: checkConsistencyHistory,
  },
  {
    name: 'invariants',
    description: 'Cluster status polled during the run: at most one leader per term.',
    options: invariantsOptions,
    check: checkInvariantsHistory,
  },
  {
    name: 'set',
    description: 'Jepsen\'s set: elements added once (add ops) and read back on every node in the final phase; an acknowledged element absent is lost, a failed one present is unexpected.',
    options: setOptions,
    check: checkSetHistory,
  },
  {
    name: 'agreement',
    description: 'Replica agreement after the heal: every node\'s digest of its committed state (Raft log prefix, store map); names the first index or key two nodes disagree on.',
    options: agreementOptions,
    check: checkAgreementHistory,
  },
  {
    name: 'coverage',
    description: 'What the run put the system through, from the status monitor and the nemesis: leader changes, terms, elections without a winner, restarts, nodes rejoined after falling behind, ops ok across a leader change (minimums: the campaign\'s expected.coverage).',
    options: coverageOptions,
    check: checkCoverageHistory,
  },
  {
    name: 'perf',
    description: 'Latency quantiles per op type, throughput per second, availability inside and outside fault windows; fails only on given thresholds.',
    options: perfOptions,
    check: checkPerfHistory,
  },
];

export const checkers: Readonly<Record<string, Checker>> = Object.fromEntries(all.map((c) => [c.name, c]));
