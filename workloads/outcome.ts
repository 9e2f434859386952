/** Turning transport errors into history outcomes: not sent is `fail`, possibly sent is `info`. */
import type { OpOutcome } from '../core/workload.js';
import type { HttpResult } from './http.js';

export function transportOutcome(result: Extract<HttpResult, { kind: 'error' }>, node: string): OpOutcome {
  return { type: result.sent ? 'info' : 'fail', node, error: result.error };
}
