import { describe, expect, it } from 'vitest';
import { HistoryBuilder } from '../common/history-builder.js';
import { checkAgreementHistory, NO_DIGEST } from './index.js';

function withDigests(digests: Record<string, unknown>): ReturnType<HistoryBuilder['build']> {
  const h = new HistoryBuilder();
  h.call({ process: 0, f: 'write', key: 'k1', value: 1, start: 0, end: 5 });
  let at = 100;
  for (const [node, value] of Object.entries(digests)) {
    if (typeof value === 'string') h.single({ process: 'monitor', type: 'info', f: 'digest', node, error: value, at: at++ });
    else h.single({ process: 'monitor', type: 'info', f: 'digest', node, value, at: at++ });
  }
  return h.build();
}

const log = (...entries: unknown[]): unknown => ({ kind: 'log', entries });
const map = (entries: Record<string, unknown>): unknown => ({ kind: 'map', entries });

describe('agreement checker', () => {
  it('logs that agree on their common prefix are valid; a shorter prefix is a node behind', () => {
    const r = checkAgreementHistory(withDigests({ n1: log([1, 'a'], [1, 'b'], [2, 'c']), n2: log([1, 'a'], [1, 'b']), n3: log([1, 'a'], [1, 'b'], [2, 'c']) }));
    expect(r.valid).toBe(true);
    expect(r.summary).toBe('3 nodes agree on what they hold in common (committed entries: n1 3, n2 2, n3 3)');
  });

  it('names the first committed index two nodes disagree on, once per pair, with both digest ops', () => {
    const h = withDigests({
      n1: log([1, 'a'], [1, 'b'], [2, 'c'], [2, 'd']),
      n2: log([1, 'a'], [1, 'b'], [3, 'x'], [3, 'y']),
      n3: log([1, 'a'], [1, 'b'], [2, 'c']),
    });
    const r = checkAgreementHistory(h);
    expect(r.valid).toBe(false);
    expect(r.anomalies.map((a) => a.explanation)).toEqual([
      'n1 and n2 disagree on their committed state at index 3: n1 has [2,"c"], n2 has [3,"x"].',
      'n2 and n3 disagree on their committed state at index 3: n2 has [3,"x"], n3 has [2,"c"].',
    ]);
    const digestOps = h.filter((o) => o.f === 'digest').map((o) => o.index);
    expect(r.anomalies[0]!.ops).toEqual([digestOps[0], digestOps[1]]);
    expect(r.summary).toMatch(/^2 pair\(s\) of nodes disagree/);
  });

  it('maps: a key whose value differs, or that one node lacks, is a disagreement; field order does not matter', () => {
    const same = checkAgreementHistory(withDigests({ a: map({ k: { value: 1, version: '2.3' } }), b: map({ k: { version: '2.3', value: 1 } }) }));
    expect(same.valid).toBe(true);
    const differ = checkAgreementHistory(withDigests({ a: map({ k1: 1, k2: { value: 5, version: '2.4' } }), b: map({ k1: 1, k2: { value: 4, version: '2.3' } }) }));
    expect(differ.anomalies.map((a) => a.explanation)).toEqual(['a and b disagree on their committed state at key "k2": a has {"value":5,"version":"2.4"}, b has {"value":4,"version":"2.3"}.']);
    const lacks = checkAgreementHistory(withDigests({ a: map({ k1: 1, k2: 2 }), b: map({ k1: 1 }) }));
    expect(lacks.anomalies[0]!.explanation).toBe('a and b disagree on their committed state at key "k2": a has 2, b has nothing.');
  });

  it('several digests (value.of): each is compared on its own, a disagreement names its digest, the worst verdict wins', () => {
    const h = new HistoryBuilder();
    h.call({ process: 0, f: 'write', key: 'k1', value: 1, start: 0, end: 5 });
    let at = 100;
    const digest = (node: string, value: unknown): void => void h.single({ process: 'monitor', type: 'info', f: 'digest', node, value, at: at++ });
    // the logs agree; the state machines do not (n2 applied a write that was never committed)
    for (const node of ['n1', 'n2']) digest(node, { kind: 'log', entries: [[1, 'a'], [1, 'b']], of: 'log' });
    digest('n1', { kind: 'map', entries: { k: 1 }, of: 'stateMachine' });
    digest('n2', { kind: 'map', entries: { k: 1, lost: 7 }, of: 'stateMachine' });
    const r = checkAgreementHistory(h.build());
    expect(r.valid).toBe(false);
    expect(r.anomalies.map((a) => a.explanation)).toEqual(['n1 and n2 disagree on their committed state (stateMachine) at key "lost": n1 has nothing, n2 has 7.']);
    expect(r.summary).toBe('log: 2 nodes agree on what they hold in common (committed entries: n1 2, n2 2); stateMachine: 1 pair(s) of nodes disagree (keys: n1 1, n2 2)');
    expect(r.details).toMatchObject({ checked: true, digests: { log: { kind: 'log' }, stateMachine: { kind: 'map' } } });
  });

  it('says "not checked" when the system exposes no digest, and unknown when no digest was recorded', () => {
    const none = checkAgreementHistory(withDigests({ n1: NO_DIGEST, n2: NO_DIGEST }));
    expect(none).toMatchObject({ valid: true, summary: 'not checked: the system exposes no digest', details: { checked: false } });
    const missing = checkAgreementHistory(withDigests({}));
    expect(missing.valid).toBe('unknown');
    expect(missing.summary).toMatch(/^not checked: no digest in the history/);
  });

  it('compares the nodes that answered and names those that did not', () => {
    const r = checkAgreementHistory(withDigests({ n1: log(1, 1), n2: 'ECONNREFUSED', n3: log(1, 2) }));
    expect(r.valid).toBe(false);
    expect(r.summary).toContain('no digest from n2 (ECONNREFUSED)');
    expect(checkAgreementHistory(withDigests({ n1: log(1), n2: 'ECONNREFUSED' })).valid).toBe('unknown');
  });

  it('refuses unknown options', () => {
    // @ts-expect-error an option the checker does not have
    expect(() => checkAgreementHistory([], { nodes: 3 })).toThrow(/unknown option "nodes" for checker agreement; valid options: maxAnomalies/);
  });
});
