/** What the campaign benches (`npm run detection`, `npm run mutants`) keep of one `faultline run`. */
export interface RunRecord {
  campaign: string;
  seed: number;
  exitCode: number;
  wallMs: number;
  /** Anomaly kinds found, with how many. */
  kinds: Record<string, number>;
  /** Seconds into the run of the first op that completes a witness of a finding (of an expected one, in the detection matrix). */
  firstEvidenceS?: number;
  folder?: string;
  /** Why it did not pass, or what is notable. */
  note: string;
}
