import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../core/op.js';
import * as source from './index.js';

/** A register history over `keys` keys, run sequentially then stretched: linearizable. */
function history(keys: number, perKey: number): Op[] {
  const events: { t: number; op: Omit<Op, 'index' | 'time'> }[] = [];
  let p = 0;
  for (let k = 0; k < keys; k++) {
    let value: number | null = null;
    for (let i = 0; i < perKey; i++) {
      const t = i * 10;
      const write = i % 2 === 0;
      const key = `k${k}`;
      if (write) value = k * 100_000 + i;
      events.push({ t: t - 3, op: { process: p, type: 'invoke', f: write ? 'write' : 'read', key, value: write ? value : null } });
      events.push({ t: t + 3, op: { process: p, type: 'ok', f: write ? 'write' : 'read', key, value } });
      p++;
    }
  }
  events.sort((a, b) => a.t - b.t);
  return events.map((e, index) => ({ ...e.op, index, time: e.t }) as Op);
}

const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/checkers/linearizability/index.js');

describe('parallel search (a worker thread)', () => {
  it('falls back to this thread when the worker cannot start (here: TypeScript sources)', async () => {
    const r = await source.checkLinearizability(history(3, 40), { model: 'register', parallel: true });
    expect(r.valid).toBe(true);
    expect(r.partitions).toBe(3);
    expect(r.threads).toBe(1);
  });

  it.skipIf(!existsSync(DIST))('gives the same verdicts and witness as one thread (compiled dist/)', async () => {
    const dist = (await import(pathToFileURL(DIST).href)) as typeof source;
    const good = history(4, 400);
    const bad = good.map((o) => (o.key === 'k2' && o.type === 'ok' && o.f === 'read' && o.time === 3193 ? { ...o, value: 7 } : o));
    expect(bad.some((o) => o.value === 7)).toBe(true);
    for (const h of [good, bad]) {
      const one = await dist.checkLinearizability(h, { model: 'register' });
      const two = await dist.checkLinearizability(h, { model: 'register', parallel: true });
      expect(two.valid).toBe(one.valid);
      expect(two.failures).toEqual(one.failures);
      expect(two.steps).toBe(one.steps);
      expect(two.threads).toBe(2);
      expect(one.threads).toBe(1);
    }
    const r = await dist.checkLinearizability(bad, { model: 'register', parallel: true });
    expect(r.valid).toBe(false);
    expect(r.failures.map((w) => w.key)).toEqual(['k2']);
  });
});
