import { describe, expect, it } from 'vitest';
import { judgeMutant, mutantsMarkdown, scoreOf, type MutantEntry, type MutantRun } from './mutants-score.js';

const run = (mutant: string | undefined, campaign: string, seed: number, exitCode: number, extra: Partial<MutantRun> = {}): MutantRun => ({
  mutant,
  campaign,
  seed,
  exitCode,
  wallMs: 20_000,
  kinds: exitCode === 1 ? { lost: 1 } : {},
  note: '',
  ...extra,
});

const a: MutantEntry = { name: 'queue-a', info: { system: 'queue', mistake: 'a' } };
const b: MutantEntry = { name: 'queue-b', info: { system: 'queue', mistake: 'b', needs: 'power-loss' } };
const c: MutantEntry = { name: 'raft-c', info: { system: 'raft', mistake: 'c', invisible: 'changes nothing a client sees' } };
const d: MutantEntry = { name: 'raft-d', info: { system: 'raft', mistake: 'd' } };

describe('mutation score', () => {
  it('a mutant is killed by any run with findings (exit 1), not by exit 0, 2 (unknown) or 3 (error)', () => {
    expect(judgeMutant(a, [run('queue-a', 'queue-partitions', 1, 0), run('queue-a', 'queue-crashes', 1, 1, { firstEvidenceS: 4.2 })])).toMatchObject({
      status: 'killed',
      seedsKilled: 1,
      seedsRun: 1,
      killer: { campaign: 'queue-crashes', firstEvidenceS: 4.2 },
      kinds: ['lost'],
    });
    expect(judgeMutant(a, [run('queue-a', 'queue-partitions', 1, 2), run('queue-a', 'queue-crashes', 1, 0)]).status).toBe('missed');
    expect(judgeMutant(a, [run('queue-a', 'queue-partitions', 1, 3)]).status).toBe('error');
    // perf's availability floor alone is not a kill
    expect(judgeMutant(a, [run('queue-a', 'queue-mixed', 1, 1, { kinds: { unavailable: 1 } })]).status).toBe('missed');
    expect(judgeMutant(a, [run('queue-a', 'queue-mixed', 1, 1, { kinds: { unavailable: 1, lost: 2 } })])).toMatchObject({ status: 'killed', kinds: ['lost'] });
    // another mutant's kill does not count
    expect(judgeMutant(d, [run('raft-x', 'raft-mixed', 1, 1)]).status).toBe('not run');
  });

  it('counts the seeds in which it was found', () => {
    const v = judgeMutant(d, [run('raft-d', 'raft-mixed', 1, 1), run('raft-d', 'raft-mixed', 2, 0), run('raft-d', 'raft-crashes', 2, 0), run('raft-d', 'raft-crashes', 3, 1)]);
    expect(v).toMatchObject({ seedsKilled: 2, seedsRun: 3 });
  });

  it('an invisible mutant is dropped from the score; the score is killed over the rest', () => {
    const runs = [run('queue-a', 'queue-mixed', 1, 1), run('queue-b', 'queue-mixed', 1, 0), run('raft-d', 'raft-mixed', 1, 0)];
    const verdicts = [a, b, c, d].map((e) => judgeMutant(e, runs));
    expect(verdicts.map((v) => v.status)).toEqual(['killed', 'missed', 'invisible', 'missed']);
    expect(scoreOf(verdicts)).toEqual({ killed: 1, scored: 3 });
  });

  it('the report has per-mutant, per-system and total rows, the needed fault of a missed one, and the false alarms', () => {
    const runs = [run('queue-a', 'queue-mixed', 1, 1), run('queue-b', 'queue-mixed', 1, 0), run('raft-d', 'raft-mixed', 1, 1), run(undefined, 'raft-mixed', 1, 1), run(undefined, 'raft-mixed', 2, 0)];
    const { markdown, falseAlarms } = mutantsMarkdown([a, b, c, d], runs, { seeds: [1], command: 'npm run mutants', stopAtFirst: true });
    expect(falseAlarms).toBe(1);
    expect(markdown).toContain('| queue-b | queue | missed (needs power-loss) |');
    expect(markdown).toContain('| raft-c | raft | dropped (invisible) |');
    expect(markdown).toContain('| queue | 1 | 1 | 0 | 0 | 0 | 1/2 (50%) |');
    expect(markdown).toContain('| raft | 1 | 0 | 0 | 1 | 0 | 1/1 (100%) |');
    expect(markdown).toContain('| total | 2 | 1 | 0 | 1 | 0 | 2/3 (67%) |');
    expect(markdown).toContain('Unmutated baseline: 2 runs, 1 not valid');
  });
});
