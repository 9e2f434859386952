/** Gathering answers from peers for a quorum read, and choosing among them. */
import { compareVersions, type Version } from './version.js';

/**
 * Starts every call and resolves with the answers in arrival order once `need` arrived (of those
 * `counts` accepts, by default all), every call settled, or `timeoutMs` passed (failed calls are
 * left out; later answers are ignored).
 */
export function firstAnswers<T>(calls: readonly (() => Promise<T>)[], need: number, timeoutMs: number, counts: (answer: T) => boolean = () => true): Promise<T[]> {
  const answers: T[] = [];
  let counted = 0;
  if (need <= 0 || calls.length === 0) return Promise.resolve(answers);
  return new Promise((resolve) => {
    let pending = calls.length;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(answers.slice());
    };
    const timer = setTimeout(finish, timeoutMs);
    for (const call of calls) {
      call()
        .then((a) => {
          if (done) return;
          answers.push(a);
          if (counts(a)) counted++;
        })
        .catch(() => {})
        .finally(() => {
          pending--;
          if (counted >= need || pending === 0) finish();
        });
    }
  });
}

export interface Versioned {
  value: unknown;
  version: Version | null;
  deleted: boolean;
}

/** The answer with the newest version (the first of equals). */
export function newestAnswer<T extends Versioned>(answers: readonly T[]): T | undefined {
  let newest: T | undefined;
  for (const a of answers) if (!newest || compareVersions(a.version, newest.version) > 0) newest = a;
  return newest;
}

/** The course's choice when versions are constant: the first answer with a value. */
export function firstWithValue<T extends Versioned>(answers: readonly T[]): T | undefined {
  return answers.find((a) => a.value !== null && !a.deleted);
}

/** Whether an answer holds `version` or a newer one. */
export function holdsAtLeast(version: Version): (answer: Versioned) => boolean {
  return (answer) => compareVersions(answer.version, version) >= 0;
}
