/** The producer's lease rule and journal, in process with a fake clock. */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Producer, type QueueBug } from './producer.js';

const open: Producer[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function producer(dir: string, clock: { now: number }, bugs: QueueBug[] = []): Producer {
  const p = new Producer({ dataDir: dir, leaseMs: 1000, maxRetries: 3, bugs: new Set(bugs), now: () => clock.now });
  open.push(p);
  return p;
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'faultline-producer-'));
  dirs.push(d);
  return d;
}

describe('Producer', () => {
  it('expires a lease exactly when LEASE_MS has passed', () => {
    const clock = { now: 1_000_000 };
    const p = producer(tempDir(), clock);
    const t = p.enqueue('email', 'x');
    const lease = p.dequeue('w1')!.lease!;
    clock.now += 999;
    expect(p.stats().processing).toBe(1);
    clock.now += 1;
    expect(p.complete(t.id, { leaseId: lease.id }, 'late')).toMatchObject({ kind: 'lease-lost' });
    expect(p.stats()).toEqual({ pending: 1, processing: 0, completed: 0, failed: 0 });
  });

  it('without a leaseId: refuses another worker, accepts the holder, refuses once settled', () => {
    const clock = { now: 0 };
    const p = producer(tempDir(), clock);
    const t = p.enqueue('email', 'x');
    p.dequeue('w1');
    expect(p.complete(t.id, { workerId: 'w2' }, 1)).toMatchObject({ kind: 'lease-lost', reason: 'task is leased to w1' });
    expect(p.complete(t.id, {}, 1)).toMatchObject({ kind: 'done', duplicate: false });
    expect(p.complete(t.id, {}, 1)).toMatchObject({ kind: 'lease-lost' });
    expect(p.fail('task-none', {}, 'e')).toEqual({ kind: 'not-found' });
  });

  it('replays its journal to the same state, also after a torn last line', () => {
    const clock = { now: 5_000 };
    const dir = tempDir();
    const p = producer(dir, clock);
    const ids = ['a', 'b', 'c', 'd', 'e'].map((x) => p.enqueue('email', x).id);
    const l1 = p.dequeue('w')!.lease!;
    p.complete(ids[0]!, { leaseId: l1.id }, 'r');
    const l2 = p.dequeue('w')!.lease!;
    p.fail(ids[1]!, { leaseId: l2.id }, 'e');
    p.dequeue('w'); // c: leased, then expires
    clock.now += 1000;
    p.dequeue('w'); // d (c went back to the end, after b)
    const before = JSON.stringify([...p['table'].snapshot()]);
    const stats = p.stats();
    p.close();
    appendFileSync(join(dir, 'queue.jsonl'), '{"e":"enqueue","task":{"id":"torn'); // a crash mid-write
    const again = producer(dir, clock);
    expect(again.stats()).toEqual(stats);
    expect(JSON.stringify([...again['table'].snapshot()])).toBe(before);
    expect(again.dequeue('w')!.id).toBe(ids[4]); // e, then b, then c
    expect(again.dequeue('w')!.id).toBe(ids[1]);
    expect(again.dequeue('w')!.id).toBe(ids[2]);
    // the journal was compacted into one snapshot per task plus what happened since
    const lines = readFileSync(join(dir, 'queue.jsonl'), 'utf8').trim().split('\n');
    expect(lines.filter((l) => l.includes('"snapshot"'))).toHaveLength(5);
    expect(lines).toHaveLength(8);
  });

  it('volatile keeps nothing; no-lease never expires', () => {
    const clock = { now: 0 };
    const dir = tempDir();
    const v = producer(dir, clock, ['volatile', 'no-lease']);
    v.enqueue('email', 'x');
    v.dequeue(undefined);
    clock.now += 1_000_000;
    expect(v.stats()).toEqual({ pending: 0, processing: 1, completed: 0, failed: 0 });
    v.close();
    expect(producer(dir, clock, ['volatile']).stats()).toEqual({ pending: 0, processing: 0, completed: 0, failed: 0 });
  });
});
