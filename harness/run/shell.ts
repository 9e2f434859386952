/** Quotes argv for a POSIX shell, so a printed replay command can be pasted as is. */
export function shellQuote(args: readonly string[]): string {
  return args.map((a) => (/^[A-Za-z0-9_./:=,@%+-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}

/** What a replay command repeats of a `faultline run`. */
export interface ReplayArgs {
  /** The campaign as the user named it. */
  ref: string;
  seed: number;
  runtime?: string;
  /** A compose file (`--attach`); implies the docker runtime. */
  attach?: string;
  project?: string;
  timeLimit?: string;
  /** The run folders' parent, when not `runs`. */
  out?: string;
  /** Every other option, as typed (`--nodes 5`, `--set a=b`). */
  more?: readonly string[];
}

/** The command that replays one run: the campaign, its seed, and every option that shapes it. */
export function replayCommand(r: ReplayArgs): string {
  const args = ['npx', 'faultline', 'run', r.ref, '--seed', String(r.seed)];
  if (r.attach !== undefined) args.push('--attach', r.attach);
  else if (r.runtime !== undefined && r.runtime !== 'process') args.push('--runtime', r.runtime);
  if (r.project !== undefined) args.push('--project', r.project);
  if (r.timeLimit !== undefined) args.push('--time-limit', r.timeLimit);
  if (r.out !== undefined && r.out !== 'runs') args.push('--out', r.out);
  args.push(...(r.more ?? []));
  return shellQuote(args);
}
