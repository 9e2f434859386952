/** Option schemas more than one checker takes (each checker's own options are a zod strict object in its module). */
import { z } from 'zod';

export { checkerOptions, CheckerOptionError } from '../../core/checker.js';

/** Most anomalies kept per kind (all are counted); default 100. */
export const maxAnomalies = z.number().int().min(1).optional();

/** A list of checks chosen from `names` (default: all of them). */
export function checkList<const T extends readonly [string, ...string[]]>(names: T) {
  return z.array(z.enum(names)).optional();
}
