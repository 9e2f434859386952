import { describe, expect, it } from 'vitest';
import { MUTANTS, activeMutant, mutantList } from './mutants.js';

describe('mutant catalogue', () => {
  it('has at least 30 mutants over the four systems, each with a one-line mistake', () => {
    const list = mutantList();
    expect(list.length).toBeGreaterThanOrEqual(30);
    expect(new Set(list.map((m) => m.info.system))).toEqual(new Set(['queue', 'store', 'chat', 'raft']));
    for (const { name, info } of list) {
      expect(name.startsWith(`${info.system}-`), name).toBe(true);
      expect(info.mistake.length).toBeGreaterThan(20);
      expect(info.mistake).not.toContain('\n');
    }
    expect(list.filter((m) => m.info.needs === 'power-loss').length).toBeGreaterThanOrEqual(2);
  });

  it('reads FAULTLINE_MUTANT: none, a known name, or an error naming the variable', () => {
    expect(activeMutant({})).toBeUndefined();
    expect(activeMutant({ FAULTLINE_MUTANT: ' ' })).toBeUndefined();
    expect(activeMutant({ FAULTLINE_MUTANT: 'raft-double-vote' })).toBe('raft-double-vote');
    expect(() => activeMutant({ FAULTLINE_MUTANT: 'raft-nope' })).toThrow(/unknown mutant "raft-nope" in FAULTLINE_MUTANT/);
    expect(() => activeMutant({ FAULTLINE_MUTANT: 'toString' })).toThrow(/unknown mutant/);
  });

  it('no mutant is a course defect (BUGS)', async () => {
    const { QUEUE_BUGS } = await import('../queue/producer.js');
    const { CHAT_BUGS } = await import('../chat/server.js');
    const bugs: string[] = [...QUEUE_BUGS, ...CHAT_BUGS];
    for (const name of Object.keys(MUTANTS)) expect(bugs).not.toContain(name.replace(/^[a-z]+-/, ''));
  });
});
