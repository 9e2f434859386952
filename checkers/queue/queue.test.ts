import { describe, expect, it } from 'vitest';
import { HistoryBuilder, type CallRef } from '../common/history-builder.js';
import { checkQueueHistory } from './index.js';

const task = (payload: string, id = `t-${payload}`) => ({ taskId: id, payload });

/** Enqueue (ok), dequeue, complete: the happy path of one task. */
function cycle(h: HistoryBuilder, payload: string, at: number, producer = 1, worker = 2): CallRef[] {
  return [
    h.call({ process: producer, f: 'enqueue', value: payload, start: at, end: at + 1, result: task(payload) }),
    h.call({ process: worker, f: 'dequeue', start: at + 2, end: at + 3, result: task(payload) }),
    h.call({ process: worker, f: 'complete', value: task(payload), start: at + 4, end: at + 5 }),
  ];
}

function finalPhase(h: HistoryBuilder, at: number, drained: string[], stats = { pending: 0, processing: 0, completed: 0, failed: 0 }): { drain: CallRef; stats: CallRef } {
  const drain = h.call({ process: 9, f: 'drain', start: at, end: at + 10, result: drained.map((p) => task(p)) });
  const s = h.call({ process: 9, f: 'stats', start: at + 11, end: at + 12, result: stats });
  return { drain, stats: s };
}

describe('queue checker', () => {
  it('passes a clean run: completed tasks, an empty dequeue, drained leftovers', () => {
    const h = new HistoryBuilder();
    cycle(h, 'a', 0);
    cycle(h, 'b', 10, 3, 4);
    h.call({ process: 1, f: 'enqueue', value: 'c', start: 20, end: 21, result: task('c') });
    h.call({ process: 5, f: 'dequeue', start: 1, end: 2, result: null });
    finalPhase(h, 100, ['c'], { pending: 0, processing: 0, completed: 3, failed: 0 });
    const r = checkQueueHistory(h.build());
    expect(r.valid).toBe(true);
    expect(r.anomalies).toEqual([]);
    expect(r.details).toMatchObject({ enqueued: 3, completed: 3, drained: 1, lost: 0, emptyDequeues: 1 });
    expect(r.summary).toContain('nothing lost');
  });

  it('finds a lost task: acknowledged, dequeued, never completed, not in the drain', () => {
    const h = new HistoryBuilder();
    cycle(h, 'a', 0);
    const enq = h.call({ process: 1, f: 'enqueue', value: 'lost-1', start: 10, end: 11, result: task('lost-1') });
    const deq = h.call({ process: 2, f: 'dequeue', start: 12, end: 13, result: task('lost-1') });
    const ab = h.call({ process: 2, f: 'abandon', value: task('lost-1'), start: 14, end: 15 });
    const { drain } = finalPhase(h, 100, []);
    const r = checkQueueHistory(h.build());
    expect(r.valid).toBe(false);
    expect(r.anomalies).toHaveLength(1);
    const [a] = r.anomalies;
    expect(a?.kind).toBe('lost');
    expect(a?.ops).toEqual([...enq.ops, ...deq.ops, ...ab.ops, ...drain.ops]);
    expect(a?.explanation).toContain('"lost-1"');
    expect(a?.explanation).toContain('process 1');
    expect(a?.explanation).toContain('abandoned');
    expect(r.summary).toContain('1 lost');
  });

  it('finds a task that was acknowledged but never dequeued at all (a producer restart)', () => {
    const h = new HistoryBuilder();
    const enq = h.call({ process: 1, f: 'enqueue', value: 'x', start: 0, end: 1, result: task('x') });
    h.nemesis('kill', 5, 6, { nodes: ['n1'] });
    h.nemesis('restart', 7, 8, { nodes: ['n1'] });
    const { drain } = finalPhase(h, 100, []);
    const r = checkQueueHistory(h.build());
    expect(r.anomalies.map((a) => a.kind)).toEqual(['lost']);
    expect(r.anomalies[0]?.ops).toEqual([...enq.ops, ...drain.ops]);
    expect(r.anomalies[0]?.explanation).toContain('never dequeued');
  });

  it('never counts an indeterminate enqueue (info) as lost, nor an info complete', () => {
    const h = new HistoryBuilder();
    h.call({ process: 1, f: 'enqueue', value: 'maybe', start: 0, end: 5, type: 'info', error: 'timeout' });
    h.call({ process: 3, f: 'enqueue', value: 'done?', start: 0, end: 1, result: task('done?') });
    h.call({ process: 4, f: 'dequeue', start: 2, end: 3, result: task('done?') });
    h.call({ process: 4, f: 'complete', value: task('done?'), start: 4, end: 9, type: 'info' });
    // An info enqueue that did happen and is then dequeued is not unexpected either.
    h.call({ process: 5, f: 'enqueue', value: 'happened', start: 0, end: 5, type: 'info' });
    finalPhase(h, 100, ['happened']);
    const r = checkQueueHistory(h.build());
    expect(r.valid).toBe(true);
    expect(r.anomalies).toEqual([]);
    expect(r.details).toMatchObject({ indeterminateEnqueues: 2, unconfirmedCompletions: 1, lost: 0 });
  });

  it('finds a task resurrected after its completion was acknowledged (dequeue or drain that began after the ack)', () => {
    const h = new HistoryBuilder();
    const [, , comp] = cycle(h, 'r', 0);
    const again = h.call({ process: 3, f: 'dequeue', start: 20, end: 21, result: task('r') });
    h.call({ process: 3, f: 'complete', value: task('r'), start: 22, end: 23 });
    const { drain } = finalPhase(h, 100, ['r']);
    const r = checkQueueHistory(h.build());
    expect(r.valid).toBe(false);
    const res = r.anomalies.filter((a) => a.kind === 'resurrected');
    expect(res).toHaveLength(1);
    expect(res[0]?.ops).toEqual([...comp!.ops, ...again.ops, ...drain.ops]);
    expect(res[0]?.explanation).toMatch(/never after/);
    expect(r.details).toMatchObject({ resurrected: 1 });
    expect(r.summary).toContain('1 resurrected after completion');
  });

  it('a redelivery that began before the completion ack is not a resurrection (at-least-once)', () => {
    const h = new HistoryBuilder();
    h.call({ process: 1, f: 'enqueue', value: 'e', start: 0, end: 1, result: task('e') });
    h.call({ process: 2, f: 'dequeue', start: 2, end: 3, result: task('e') });
    // the lease ran out while worker 2 worked: worker 3 got it before 2's completion was acknowledged
    h.call({ process: 3, f: 'dequeue', start: 8, end: 9, result: task('e') });
    h.call({ process: 2, f: 'complete', value: task('e'), start: 7, end: 10 });
    h.call({ process: 3, f: 'complete', value: task('e'), start: 11, end: 12, type: 'fail', error: 'lease lost' });
    finalPhase(h, 100, []);
    const r = checkQueueHistory(h.build());
    expect(r.valid).toBe(true);
    expect(r.anomalies.map((a) => a.kind)).toEqual(['duplicated']);
  });

  it('counts duplicates as allowed by default and invalid with allowDuplicates: false', () => {
    const h = new HistoryBuilder();
    const enq = h.call({ process: 1, f: 'enqueue', value: 'd', start: 0, end: 1, result: task('d') });
    const deq1 = h.call({ process: 2, f: 'dequeue', start: 2, end: 3, result: task('d') });
    const ab = h.call({ process: 2, f: 'abandon', value: task('d'), start: 4, end: 4 });
    const deq2 = h.call({ process: 3, f: 'dequeue', start: 40, end: 41, result: task('d') });
    const comp = h.call({ process: 3, f: 'complete', value: task('d'), start: 42, end: 43 });
    finalPhase(h, 100, []);
    const history = h.build();
    const r = checkQueueHistory(history);
    expect(r.valid).toBe(true);
    expect(r.anomalies.map((a) => a.kind)).toEqual(['duplicated']);
    expect(r.anomalies[0]?.ops).toEqual([...deq1.ops, ...ab.ops, ...deq2.ops, ...comp.ops]);
    expect(r.anomalies[0]?.explanation).toMatch(/Allowed.*dequeued 2 times/);
    expect(r.summary).toContain('1 duplicated (allowed)');
    expect(enq.ops).toHaveLength(2);
    const strict = checkQueueHistory(history, { allowDuplicates: false });
    expect(strict.valid).toBe(false);
    expect(strict.summary).not.toContain('(allowed)');
  });

  it('finds an unexpected payload: dequeued but never enqueued, or whose enqueue failed', () => {
    const h = new HistoryBuilder();
    const deq = h.call({ process: 2, f: 'dequeue', start: 2, end: 3, result: task('ghost') });
    const failedEnq = h.call({ process: 1, f: 'enqueue', value: 'nope', start: 0, end: 1, type: 'fail', error: '400' });
    const deq2 = h.call({ process: 3, f: 'dequeue', start: 4, end: 5, result: task('nope') });
    finalPhase(h, 100, []);
    const r = checkQueueHistory(h.build());
    expect(r.valid).toBe(false);
    const unexpected = r.anomalies.filter((a) => a.kind === 'unexpected');
    expect(unexpected).toHaveLength(2);
    const ghost = unexpected.find((a) => a.explanation.includes('"ghost"'));
    const nope = unexpected.find((a) => a.explanation.includes('"nope"'));
    expect(ghost?.ops).toEqual(deq.ops);
    expect(ghost?.explanation).toContain('no process ever enqueued it');
    expect(nope?.ops).toEqual([...failedEnq.ops, ...deq2.ops]);
    expect(nope?.explanation).toContain('enqueue failed');
  });

  it('finds tasks stuck in processing after the drain, using the stats taken after it', () => {
    const h = new HistoryBuilder();
    cycle(h, 'a', 0);
    h.call({ process: 9, f: 'stats', start: 50, end: 51, result: { pending: 0, processing: 0, completed: 1, failed: 0 } });
    const { drain, stats } = finalPhase(h, 100, [], { pending: 0, processing: 2, completed: 1, failed: 0 });
    const r = checkQueueHistory(h.build());
    expect(r.valid).toBe(false);
    expect(r.anomalies.map((a) => a.kind)).toEqual(['stuck']);
    expect(r.anomalies[0]?.ops).toEqual([...drain.ops, ...stats.ops]);
    expect(r.anomalies[0]?.explanation).toContain('2 task(s) processing');
    expect(r.details).toMatchObject({ stuck: 2 });
  });

  it('says unknown, not valid, when there is no drain to judge losses by', () => {
    const h = new HistoryBuilder();
    h.call({ process: 1, f: 'enqueue', value: 'a', start: 0, end: 1, result: task('a') });
    const r = checkQueueHistory(h.build());
    expect(r.valid).toBe('unknown');
    expect(r.summary).toContain('no final drain');
  });

  it('refuses a misspelt option', () => {
    expect(() => checkQueueHistory([], { allowDuplicate: true } as never)).toThrow('unknown option "allowDuplicate" for checker queue; valid options: allowDuplicates, maxAnomalies');
  });

  it('counts tasks from every process drain, also one cut short (info), and judges by the last drain', () => {
    const h = new HistoryBuilder();
    h.call({ process: 1, f: 'enqueue', value: 'a', start: 0, end: 1, result: task('a') });
    h.call({ process: 1, f: 'enqueue', value: 'b', start: 2, end: 3, result: task('b') });
    h.call({ process: 1, f: 'enqueue', value: 'c', start: 4, end: 5, result: task('c') });
    h.call({ process: 7, f: 'drain', start: 100, end: 120, result: [task('a')] });
    h.call({ process: 8, f: 'drain', start: 100, end: 130, type: 'info', result: [task('b')], error: 'drain aborted' });
    const last = h.call({ process: 9, f: 'drain', start: 100, end: 140, result: [] });
    h.call({ process: 9, f: 'stats', start: 141, end: 142, result: { pending: 0, processing: 0, completed: 2, failed: 0 } });
    const r = checkQueueHistory(h.build());
    expect(r.valid).toBe(false);
    expect(r.anomalies.map((a) => a.kind)).toEqual(['lost']);
    expect(r.anomalies[0]?.explanation).toContain('"c"');
    expect(r.anomalies[0]?.ops).toEqual(expect.arrayContaining(last.ops));
    expect(r.details).toMatchObject({ drained: 2, completed: 2, lost: 1 });
  });

  it('reports tasks left pending after the drain as undrained, not as lost', () => {
    const h = new HistoryBuilder();
    h.call({ process: 1, f: 'enqueue', value: 'a', start: 0, end: 1, result: task('a') });
    const { drain, stats } = finalPhase(h, 100, [], { pending: 1, processing: 0, completed: 0, failed: 0 });
    const r = checkQueueHistory(h.build());
    expect(r.valid).toBe(false);
    expect(r.anomalies.map((a) => a.kind)).toEqual(['undrained']);
    expect(r.anomalies[0]?.ops).toEqual([...drain.ops, ...stats.ops]);
    expect(r.anomalies[0]?.explanation).toContain('1 task(s) pending');
    expect(r.anomalies[0]?.explanation).toContain('"a"');
    expect(r.details).toMatchObject({ lost: 0, undrained: 1, notCompleted: ['a'] });
  });
});
