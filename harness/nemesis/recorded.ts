/**
 * A run's recorded fault sequence as the plan of another run (`faultline run --faults FILE`,
 * `runCampaign(c, {faults: FILE})`): the `faults` of a run folder's plan.json, the faults an
 * adaptive run chose (at their times), run again as a fixed plan. FILE may be the run folder.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { PlannedFault } from '../../core/fault.js';
import { UserError } from '../../core/errors.js';
import { MAX_DURATION_MS } from '../campaign/duration.js';
import { MAX_PLANNED_FAULTS } from '../campaign/schema.js';
import type { FaultRegistry } from '../faults/registry.js';

const recordedFault = z.looseObject({
  id: z.number().int().min(0),
  at: z.number().min(0).max(MAX_DURATION_MS),
  duration: z.number().min(0).max(MAX_DURATION_MS),
  type: z.string(),
});
const recordedPlan = z.looseObject({ faults: z.array(recordedFault).max(MAX_PLANNED_FAULTS) });

/** The faults FILE (a plan.json, or a run folder holding one) recorded, checked against the
 *  campaign's fault registry; a problem is one line naming the file (UserError, exit 3). */
export function readRecordedFaults(path: string, faults: FaultRegistry, what = '--faults'): PlannedFault[] {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'plan.json') : path;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`${what} ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UserError(`${what} ${file}: not JSON (expected a run's plan.json)`);
  }
  const parsed = recordedPlan.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${what} ${file}: ${issue.path.join('.') || '(top)'}: ${issue.message} (expected a run's plan.json: {faults: [{id, at, duration, type, ...}]})`);
  }
  parsed.data.faults.forEach((f, i) => {
    if (!faults.get(f.type)) throw new UserError(`${what} ${file}: faults.${i}.type: unknown fault "${f.type}"; valid choices: ${faults.names.join(', ')}`);
  });
  return [...parsed.data.faults].sort((a, b) => a.at - b.at).map((f, id) => ({ ...f, id })) as PlannedFault[];
}
