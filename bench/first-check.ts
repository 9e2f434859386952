/**
 * `node dist/bench/first-check.js FAMILY K`: the first check of a fresh process, of one history of
 * an issue-15 family (`timedOutAppends` or `observedTimedOutAppends`, checkers/linearizability/
 * differential/generate.ts). bench/checker-families.ts runs it in a child process to show the
 * one-off cost its warm tables leave out: compiling the checker (the JIT warm-up). Prints
 * `{"valid", "ms"}`: the wall time of `checkOperations` alone (the imports and the pairing of the
 * operations come before it, as porcupine's driver parses its file outside its timer).
 */
import { checkOperations } from '../checkers/linearizability/check.js';
import { observedTimedOutAppends, timedOutAppends } from '../checkers/linearizability/differential/generate.js';
import { modelByName } from '../checkers/linearizability/models/index.js';
import { toOperations } from '../checkers/linearizability/operations.js';

const FAMILIES = { timedOutAppends, observedTimedOutAppends };

const [family, k] = process.argv.slice(2);
if (family !== 'timedOutAppends' && family !== 'observedTimedOutAppends') {
  console.error(`first-check: the family must be timedOutAppends or observedTimedOutAppends, got "${family ?? ''}"`);
  process.exit(3);
}
if (!/^\d+$/.test(k ?? '') || Number(k) < 1) {
  console.error(`first-check: k must be a positive integer, got "${k ?? ''}"`);
  process.exit(3);
}
const operations = toOperations(FAMILIES[family](Number(k)));
const model = modelByName('kv', null);
const started = performance.now();
const result = checkOperations(model, operations);
const ms = performance.now() - started;
console.log(JSON.stringify({ valid: result.valid, ms }));
