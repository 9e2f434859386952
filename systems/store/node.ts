/**
 * One node of the replicated store, as the course designs it and made to run: the lowest live node
 * id leads (a leader that cannot reach a majority steps down), the leader pushes its whole map to
 * the followers on every write (asynchronously; W acks make `achievedQuorum`), and reads are
 * answered at the consistency level the client asks for.
 *
 * A node that takes over first asks every reachable peer for its map and merges them by version
 * (the "snapshot" round), so a node that leads again after a restart does not push an old map.
 */
import { performance } from 'node:perf_hooks';
import { HttpError } from '../common/http.js';
import { mutant } from '../common/mutants.js';
import { postJson } from '../common/rpc.js';
import type { StoreBug, StoreConfig } from './config.js';
import { Liveness, compareIds } from './liveness.js';
import {
  parseBeat,
  parseGetAnswer,
  parseSnapshotAnswer,
  type Beat,
  type GetAnswer,
  type ReplicateMessage,
  type Role,
  type SnapshotMessage,
} from './messages.js';
import { WriteAcks } from './acks.js';
import { firstAnswers, firstWithValue, holdsAtLeast, newestAnswer } from './quorum.js';
import { StoreState, payloadEntries, type Entry } from './state.js';
import { compareVersions, isVersion, maxVersion, type Version } from './version.js';

export type Consistency = 'strong' | 'eventual' | 'read_your_writes';

interface PeerLink {
  url: string;
  id?: string;
  /** One heartbeat in flight per peer at most. */
  beating: boolean;
  /** A heartbeat to it has settled once (ids of plain-URL peers are learned from the answer). */
  tried: boolean;
  /** The revision the peer last confirmed holding. */
  acked: Version | null | undefined;
  pushing: boolean;
  dirty: boolean;
}

export interface ReadAnswer {
  status: number;
  body: Record<string, unknown>;
}

export interface WriteResult {
  version: Version;
  acks: number;
  achievedQuorum: boolean;
}

const now = (): number => performance.now();

export class StoreNode {
  role: Role = 'follower';
  leaderId: string | null = null;
  /** The leader's client-facing URL when it advertises one. */
  leaderUrl: string | undefined;
  /** A leader accepts writes only once its takeover round has merged the peers' maps. */
  ready = false;
  readonly state: StoreState;
  readonly liveness: Liveness;
  private readonly links: PeerLink[];
  private maxTermSeen = 0;
  private takingOver = false;
  private readonly acks: WriteAcks;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    readonly config: StoreConfig,
    private readonly log: (message: string) => void = () => {},
  ) {
    this.state = new StoreState(config.dataDir);
    this.state.load();
    this.maxTermSeen = this.state.term;
    this.links = config.peers.map((p) => ({ url: p.url, ...(p.id ? { id: p.id } : {}), beating: false, tried: false, acked: undefined, pushing: false, dirty: false }));
    const known = config.peers.flatMap((p) => (p.id ? [p.id] : []));
    // reach: half the election timeout, or three heartbeats short of it when that is longer
    const reachMs = Math.max(config.electionTimeoutMs / 2, config.electionTimeoutMs - 3 * config.heartbeatMs);
    this.acks = new WriteAcks(this.links.length);
    this.liveness = new Liveness(config.nodeId, config.peers.length + 1, config.electionTimeoutMs, reachMs, known, now());
  }

  get me(): string {
    return this.config.nodeId;
  }

  private bug(name: StoreBug): boolean {
    return this.config.bugs.has(name);
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.heartbeatMs);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.acks.releaseAll();
  }

  // ---- the periodic round: heartbeats, election, anti-entropy ----

  private tick(): void {
    if (this.stopped) return;
    for (const link of this.links) void this.heartbeat(link);
    this.evaluate();
    if (this.role === 'leader' && this.ready) {
      for (const link of this.links) if (link.acked !== this.state.revision) void this.push(link);
    }
  }

  /** The election as taught: the lowest live id leads, given a majority in reach (split-brain: no quorum needed). */
  private qualifies(t: number): boolean {
    return this.liveness.lowestLive(t) === this.me && (this.bug('split-brain') || this.liveness.hasMajority(t));
  }

  private evaluate(): void {
    if (this.stopped) return;
    const t = now();
    if (this.role !== 'leader' && this.leaderId && !this.liveness.isLive(this.leaderId, t)) {
      this.log(`leader ${this.leaderId} not heard from for ${this.config.electionTimeoutMs} ms`);
      this.leaderId = null;
      this.leaderUrl = undefined;
    }
    const lowest = this.liveness.lowestLive(t) === this.me;
    if (this.role === 'leader') {
      // split-brain: a leader never steps down on its own
      if (!this.bug('split-brain') && !this.qualifies(t)) {
        this.stepDown(lowest ? 'candidate' : 'follower', lowest ? 'no majority in reach' : 'a lower node id is live');
      }
      return;
    }
    // plain-URL peers: wait until each has answered or failed once, so their ids are known
    if (this.qualifies(t) && this.links.every((l) => l.tried || l.id)) this.scheduleTakeover();
    else if (!this.takingOver) this.role = this.leaderId || !lowest ? 'follower' : 'candidate';
  }

  private stepDown(role: Role, reason: string): void {
    this.log(`stepping down to ${role} in term ${this.state.term}: ${reason}`);
    this.role = role;
    this.leaderId = null;
    this.leaderUrl = undefined;
    this.ready = false;
    this.acks.releaseAll();
  }

  private scheduleTakeover(): void {
    if (!this.takingOver && !this.stopped) void this.takeover();
  }

  private async takeover(): Promise<void> {
    this.takingOver = true;
    try {
      const term = Math.max(this.state.term, this.maxTermSeen) + 1;
      this.state.term = term;
      this.maxTermSeen = term;
      this.role = 'leader';
      this.leaderId = this.me;
      this.leaderUrl = this.config.advertiseUrl;
      this.ready = false;
      this.state.save();
      this.log(`taking over as leader in term ${term}`);
      const body = { type: 'snapshot', leaderId: this.me, nodeId: this.me, term, ...this.advertised() };
      const answers = await Promise.all(
        this.links.map((l) => this.call(l, '/internal/snapshot', body).then(parseSnapshotAnswer, () => undefined)),
      );
      if (this.role !== 'leader' || this.state.term !== term || this.stopped) return;
      let accepted = 1;
      const merged = new Map<string, Entry>();
      let revision: Version | null = null;
      for (const a of answers) {
        if (!a) continue;
        this.noteTerm(a.term);
        if (!a.success) continue;
        accepted++;
        revision = maxVersion(revision, a.revision);
        for (const [k, e] of a.entries) if (compareVersions(e.version, merged.get(k)?.version) > 0) merged.set(k, e);
      }
      if (!this.bug('split-brain') && accepted < this.liveness.majority()) {
        this.stepDown('candidate', `only ${accepted} of ${this.config.peers.length + 1} nodes accepted term ${term}`);
        return;
      }
      if (!mutant('store-takeover-no-merge')) this.state.merge(merged, revision);
      this.ready = true;
      this.log(`leader of term ${term} (${accepted} nodes accepted, ${this.state.liveKeys().length} keys)`);
      for (const link of this.links) {
        link.acked = undefined;
        void this.push(link);
      }
    } finally {
      this.takingOver = false;
    }
  }

  private noteTerm(term: number): void {
    if (term > this.maxTermSeen) this.maxTermSeen = term;
  }

  /**
   * A leader's message (heartbeat, replicate, snapshot) with `term >= ours` is followed, as the
   * course says; a leader with a lower id that still qualifies answers by out-terming the sender.
   * A takeover (snapshot) needs a term above ours unless we already follow its sender: a node
   * accepts one new leader per term, so no two leaders share a term.
   */
  private acceptLeader(sender: string, term: number, advertiseUrl: string | undefined, takeover = false): boolean {
    this.noteTerm(term);
    if (sender === this.me || (term < this.state.term && !mutant('store-stale-leader-accepted'))) return false;
    if (takeover && term === this.state.term && this.leaderId !== sender) return false;
    const t = now();
    if (this.role === 'leader' && compareIds(this.me, sender) < 0 && this.qualifies(t)) {
      this.scheduleTakeover();
      return false;
    }
    if (term > this.state.term) {
      this.state.term = term;
      this.state.save();
    }
    if (this.role !== 'follower' || this.leaderId !== sender) this.log(`following ${sender} in term ${term}`);
    if (this.role === 'leader') this.stepDown('follower', `${sender} leads term ${term}`);
    this.role = 'follower';
    this.leaderId = sender;
    this.leaderUrl = advertiseUrl;
    return true;
  }

  /** A follower's word that it heard its leader recently counts as hearing that leader. */
  private noteReport(beat: Beat): void {
    if (beat.role !== 'follower' || !beat.leaderId || beat.leaderSeenMsAgo === undefined) return;
    if (beat.term < this.state.term) return;
    this.liveness.reported(beat.leaderId, now() - beat.leaderSeenMsAgo);
  }

  private advertised(): { advertiseUrl?: string } {
    return this.config.advertiseUrl ? { advertiseUrl: this.config.advertiseUrl } : {};
  }

  /** The role others see: a leader still collecting the peers' maps is a candidate, and leads nobody yet. */
  get shownRole(): Role {
    return this.role === 'leader' && !this.ready ? 'candidate' : this.role;
  }

  get shownLeaderId(): string | null {
    return this.role === 'leader' && !this.ready ? null : this.leaderId;
  }

  /** What this node says about itself in heartbeats and their answers. */
  beat(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      nodeId: this.me,
      term: this.state.term,
      role: this.shownRole,
      leaderId: this.shownLeaderId,
      revision: this.state.revision,
      ...this.advertised(),
    };
    if (this.role === 'follower' && this.leaderId) {
      // only direct contact is passed on: reports of reports could keep a dead leader alive
      const heard = this.liveness.lastDirect(this.leaderId);
      if (heard !== undefined) out.leaderSeenMsAgo = Math.max(0, Math.round(now() - heard));
    }
    return out;
  }

  // ---- talking to peers ----

  /** Posts to a peer; an answer naming its node id is contact (and teaches a plain-URL peer's id). */
  private async call(link: PeerLink, path: string, body: unknown): Promise<unknown> {
    const sentAt = now();
    const answer = await postJson(`${link.url}${path}`, body, this.config.rpcTimeoutMs);
    if (answer !== null && typeof answer === 'object' && typeof (answer as Record<string, unknown>).nodeId === 'string') {
      const id = (answer as Record<string, string>).nodeId!;
      if (link.id !== id) {
        if (link.id) this.log(`peer ${link.url} now answers as ${id} (was ${link.id})`);
        link.id = id;
      }
      this.liveness.reached(id, sentAt, now());
    }
    return answer;
  }

  private async heartbeat(link: PeerLink): Promise<void> {
    if (link.beating) return;
    link.beating = true;
    try {
      const answer = parseBeat(await this.call(link, '/internal/heartbeat', { type: 'heartbeat', timestamp: Date.now(), ...this.beat() }), 'heartbeat answer');
      this.onBeatAnswer(link, answer);
    } catch {
      // unreachable: liveness runs out on its own
    } finally {
      link.beating = false;
      link.tried = true;
    }
    this.evaluate();
  }

  private onBeatAnswer(link: PeerLink, a: Beat): void {
    this.noteTerm(a.term);
    this.noteReport(a);
    if (this.role !== 'leader') return;
    if (a.term > this.state.term) this.onHigherTerm(a.term, a.leaderId);
    else if (this.ready && a.revision !== undefined && a.revision !== this.state.revision) {
      link.acked = a.revision;
      void this.push(link);
    }
  }

  /** A peer is in a newer term: follow a lower-id leader, or out-term it when this node qualifies. */
  private onHigherTerm(term: number, leaderId: string | null): void {
    this.noteTerm(term);
    // an answer to a request from an older term may arrive after this node moved on
    if (this.role !== 'leader' || term <= this.state.term) return;
    if (leaderId && leaderId !== this.me && compareIds(leaderId, this.me) < 0) this.stepDown('follower', `${leaderId} leads term ${term}`);
    else if (this.bug('split-brain') || this.qualifies(now())) this.scheduleTakeover();
    else this.stepDown('candidate', `a peer is in term ${term}`);
  }

  /** Pushes the whole map to one peer; one push in flight per peer, later writes coalesce. */
  private async push(link: PeerLink): Promise<void> {
    if (this.role !== 'leader' || !this.ready) return;
    if (link.pushing) {
      link.dirty = true;
      return;
    }
    link.pushing = true;
    try {
      do {
        link.dirty = false;
        const revision = this.state.revision;
        const term = this.state.term;
        const body = {
          type: 'replicate',
          leaderId: this.me,
          nodeId: this.me,
          term,
          ...this.state.payload(!this.bug('lost-deletes')),
          ...this.advertised(),
        };
        let answer: Beat;
        try {
          answer = parseBeat(await this.call(link, '/internal/replicate', body), 'replicate answer');
        } catch {
          this.acks.settle(link.url, undefined);
          break;
        }
        if (answer.success) {
          link.acked = revision;
          this.acks.settle(link.url, revision);
        } else {
          this.acks.settle(link.url, undefined);
          if (answer.term > term) this.onHigherTerm(answer.term, answer.leaderId);
          break;
        }
      } while (link.dirty && this.role === 'leader' && this.ready);
    } finally {
      link.pushing = false;
    }
  }

  /** Replicates a fresh write; resolves with the number of peer acks once W-1 came or time ran out. */
  private replicateWrite(version: Version): Promise<number> {
    const acks = this.acks.wait(version, this.config.writeQuorum - 1, this.config.rpcTimeoutMs * 2);
    for (const link of this.links) void this.push(link);
    return acks;
  }

  // ---- the client API ----

  notLeader(): HttpError {
    const body: Record<string, unknown> = { error: 'Not the leader', currentRole: this.shownRole, leaderId: this.shownLeaderId };
    if (this.leaderUrl) body.leader = this.leaderUrl;
    return new HttpError(503, body);
  }

  private assertLeader(): void {
    // a leader that was paused or cut off learns it before it accepts a write
    this.evaluate();
    if (this.role !== 'leader' || !this.ready) throw this.notLeader();
  }

  async put(key: string, value: unknown): Promise<WriteResult> {
    this.assertLeader();
    const version = this.state.put(key, value);
    const acks = await this.replicateWrite(version);
    return { version, acks, achievedQuorum: acks + (mutant('store-quorum-counts-self-twice') ? 2 : 1) >= this.config.writeQuorum };
  }

  /** undefined when the key is absent (404). */
  async delete(key: string): Promise<WriteResult | undefined> {
    this.assertLeader();
    const entry = this.state.get(key);
    if (!entry || entry.deleted) return undefined;
    const version = this.state.delete(key, !this.bug('lost-deletes'));
    const acks = await this.replicateWrite(version);
    return { version, acks, achievedQuorum: acks + (mutant('store-quorum-counts-self-twice') ? 2 : 1) >= this.config.writeQuorum };
  }

  async read(key: string, consistency: Consistency, session: Version | undefined): Promise<ReadAnswer> {
    if (consistency === 'strong') return this.strongRead(key);
    if (consistency === 'read_your_writes') return this.sessionRead(key, session);
    return this.answer(key, consistency, this.localGet(key));
  }

  localGet(key: string): GetAnswer {
    const e = this.state.get(key);
    return {
      value: e && !e.deleted ? e.value : null,
      version: e?.version ?? null,
      deleted: e?.deleted === true,
      revision: this.state.revision,
    };
  }

  private answer(key: string, consistency: Consistency, got: GetAnswer | undefined, extra: Record<string, unknown> = {}): ReadAnswer {
    if (!got || got.deleted || got.version === null) return { status: 404, body: { error: 'Key not found', key } };
    return { status: 200, body: { key, value: got.value, nodeRole: this.shownRole, consistency, version: got.version, ...extra } };
  }

  /** Asks the peers; answers with the newest of R replies (this node's included), 503 with fewer. */
  private async strongRead(key: string): Promise<ReadAnswer> {
    const R = this.config.readQuorum;
    const local = this.localGet(key);
    const calls = this.getCalls(key);
    const need = mutant('store-strong-read-short') ? R - 2 : R - 1;
    const got = [local, ...(await firstAnswers(calls, need, this.config.rpcTimeoutMs))].slice(0, Math.max(need + 1, 1));
    if (got.length < need + 1) {
      // const-version: fall back to the local value
      if (this.bug('const-version')) return this.answer(key, 'strong', local);
      return { status: 503, body: { error: 'Read quorum not reached', key, readQuorum: R, responses: got.length } };
    }
    // const-version: versions "are constant", so the first answer with a value wins
    if (this.bug('const-version')) return this.answer(key, 'strong', firstWithValue(got));
    const newest = newestAnswer(got);
    if (newest?.version && !(await this.heldByWriteQuorum(key, newest.version, got))) {
      return { status: 503, body: { error: 'Read not stable', key, version: newest.version, writeQuorum: this.config.writeQuorum } };
    }
    return this.answer(key, 'strong', newest, { responses: got.length });
  }

  /**
   * A strong read answers a version only once W nodes hold it (or a newer one), so that every later
   * read quorum (R + W > N) meets it: the leader holds a write before any follower does, and a read
   * that asked the leader could otherwise see a write that a later read answered by two followers
   * does not (not linearizable). Asks the peers again until then, for at most two RPC timeouts.
   */
  private async heldByWriteQuorum(key: string, version: Version, got: readonly GetAnswer[]): Promise<boolean> {
    const W = this.config.writeQuorum;
    const holds = holdsAtLeast(version);
    if (got.filter(holds).length >= W) return true;
    const deadline = now() + this.config.rpcTimeoutMs * 2;
    for (;;) {
      const here = holds(this.localGet(key)) ? 1 : 0;
      const answers = await firstAnswers(this.getCalls(key), W - here, Math.max(1, deadline - now()), holds);
      if (here + answers.filter(holds).length >= W) return true;
      if (now() >= deadline - 10) return false;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** A peer's answer for `key` (`/internal/get`). */
  private async getFrom(link: PeerLink, key: string): Promise<GetAnswer> {
    return parseGetAnswer(await this.call(link, '/internal/get', { key, nodeId: this.me }));
  }

  /** One `/internal/get` call per peer, for firstAnswers. */
  private getCalls(key: string): (() => Promise<GetAnswer>)[] {
    return this.links.map((link) => () => this.getFrom(link, key));
  }

  /**
   * Read-your-writes: the client sends the version of its last write (`X-Session-Version` or
   * `?after=`). A node whose map reflects that version answers locally; one that lags asks the
   * leader; when neither can, 503.
   */
  private async sessionRead(key: string, session: Version | undefined): Promise<ReadAnswer> {
    const level: Consistency = 'read_your_writes';
    if (session === undefined || this.bug('ryw-is-eventual') || compareVersions(this.state.revision, session) >= 0) {
      return this.answer(key, level, this.localGet(key));
    }
    const behind = (detail: string): ReadAnswer => ({
      status: 503,
      body: { error: 'Session version not reached', key, sessionVersion: session, revision: this.state.revision, leaderId: this.leaderId, detail },
    });
    if (this.role === 'leader' || !this.leaderId) return behind(this.role === 'leader' ? 'this leader does not hold that version' : 'no leader known');
    const link = this.links.find((l) => l.id === this.leaderId);
    if (!link) return behind(`no address known for leader ${this.leaderId}`);
    let got: GetAnswer;
    try {
      got = await this.getFrom(link, key);
    } catch {
      return behind(`leader ${this.leaderId} did not answer`);
    }
    if (compareVersions(got.revision, session) < 0) return behind(`leader ${this.leaderId} does not hold that version`);
    return this.answer(key, level, got, { servedBy: this.leaderId });
  }

  // ---- the internal API ----

  onHeartbeat(b: Beat): Record<string, unknown> {
    const sender = b.nodeId ?? b.leaderId;
    if (sender) this.liveness.heardFrom(sender, now());
    // a course-style heartbeat (no nodeId) comes from its leader
    const fromLeader = b.role === 'leader' || (b.nodeId === undefined && b.leaderId !== null);
    let success = true;
    if (fromLeader && sender) success = this.acceptLeader(sender, b.term, b.advertiseUrl);
    else {
      this.noteTerm(b.term);
      this.noteReport(b);
    }
    return { success, ...this.beat() };
  }

  onReplicate(m: ReplicateMessage): Record<string, unknown> {
    const sender = m.nodeId ?? m.leaderId;
    this.liveness.heardFrom(sender, now());
    if (!this.acceptLeader(m.leaderId, m.term, m.advertiseUrl)) return { success: false, ...this.beat() };
    if (this.bug('lost-deletes')) this.state.merge(payloadEntries(m, m.term), m.revision);
    else this.state.replace(m, m.term);
    return { success: true, ...this.beat() };
  }

  onSnapshot(m: SnapshotMessage): Record<string, unknown> {
    this.liveness.heardFrom(m.nodeId ?? m.leaderId, now());
    if (!this.acceptLeader(m.leaderId, m.term, m.advertiseUrl, true)) return { success: false, ...this.beat() };
    return { success: true, ...this.beat(), entries: Object.fromEntries(this.state.entries) };
  }

  onGet(key: string, from: string | undefined): Record<string, unknown> {
    if (from) this.liveness.heardFrom(from, now());
    const g = this.localGet(key);
    return { value: g.value, version: g.version, ...(g.deleted ? { deleted: true } : {}), revision: g.revision, nodeId: this.me };
  }

  status(): Record<string, unknown> {
    this.evaluate();
    const t = now();
    const keys = this.state.liveKeys().sort();
    return {
      nodeId: this.me,
      role: this.shownRole,
      term: this.state.term,
      leaderId: this.shownLeaderId,
      totalKeys: keys.length,
      keys,
      config: { writeQuorum: this.config.writeQuorum, readQuorum: this.config.readQuorum, totalNodes: this.config.peers.length + 1 },
      revision: this.state.revision,
      ...(this.leaderUrl ? { leader: this.leaderUrl } : {}),
      peers: this.links.map((l) => ({ id: l.id ?? null, url: l.url, live: l.id ? this.liveness.isLive(l.id, t) : false })),
      bugs: [...this.config.bugs],
    };
  }

  /** This node's map with versions (tombstones included), for faultline's end-of-run agreement
   *  check: `{key: {value, version, deleted?}}`, keys sorted. */
  committed(): { nodeId: string; revision: Version | null; map: Record<string, Entry> } {
    const map: Record<string, Entry> = {};
    for (const key of [...this.state.entries.keys()].sort()) map[key] = this.state.entries.get(key)!;
    return { nodeId: this.me, revision: this.state.revision, map };
  }

  /** `X-Session-Version` / `?after=`: undefined when absent, 400 when malformed. */
  static sessionVersion(raw: string | undefined): Version | undefined {
    if (raw === undefined || raw === '') return undefined;
    if (!isVersion(raw)) throw new HttpError(400, { error: `Invalid session version "${raw}" (expected "<term>.<counter>", the version a write answered)` });
    return raw;
  }
}
