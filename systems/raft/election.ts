/**
 * Leader election (Raft §5.2, §5.4.1): a candidate's round of RequestVote, and the vote a node
 * gives. With PRE_VOTE (the default) a node first asks whether it could win (thesis §9.6) and
 * only then starts a new term, so a node that was cut off does not depose a working leader.
 */
import type { Peer } from './config.js';
import { parseRequestVoteReply, type RequestVoteArgs, type RequestVoteReply } from './messages.js';
import type { RaftNode } from './node.js';
import { mutant } from '../common/mutants.js';
import { postJson } from '../common/rpc.js';

export class Election {
  /** Voters for this node in its current candidacy (or pre-vote round). */
  private votes = new Set<string>();
  /** Counts rounds, so that answers to an earlier pre-vote round are ignored. */
  private attempt = 0;

  constructor(private readonly node: RaftNode) {}

  /** The election timeout fired. */
  start(): void {
    if (this.node.config.preVote) this.preVote();
    else this.campaign();
  }

  private preVote(): void {
    const node = this.node;
    const attempt = ++this.attempt;
    const term = node.term;
    this.votes = new Set([node.id]);
    node.resetElectionTimer();
    if (this.votes.size >= node.majority()) return this.campaign();
    const args: RequestVoteArgs = { ...this.ask(term + 1), preVote: true };
    for (const peer of node.peers) {
      postJson(`${peer.url}/raft/request-vote`, args, node.config.rpcTimeoutMs).then(
        (body) => {
          const reply = parseRequestVoteReply(body);
          if (!reply || node.isStopped) return;
          // A grant may carry the proposed term (as etcd's does); only a refusal tells of a newer term.
          if (!reply.voteGranted && node.observeTerm(reply.term)) return;
          if (attempt !== this.attempt || node.term !== term || node.role === 'leader' || !reply.voteGranted) return;
          if (node.inLeaderLease()) return; // a leader reached us meanwhile
          this.votes.add(peer.id);
          if (this.votes.size >= node.majority()) this.campaign();
        },
        () => {},
      );
    }
  }

  /** A new term, a vote for ourselves, and a request to every peer. */
  private campaign(): void {
    const node = this.node;
    this.attempt++;
    node.setTermAndVote(node.term + 1, node.id);
    node.becomeCandidate();
    node.say(`term ${node.term}: candidate`);
    this.votes = new Set([node.id]);
    node.resetElectionTimer();
    if (this.votes.size >= node.majority()) {
      node.becomeLeader();
      return;
    }
    const args = this.ask(node.term);
    for (const peer of node.peers) {
      postJson(`${peer.url}/raft/request-vote`, args, node.config.rpcTimeoutMs).then(
        (body) => this.onVote(peer, args.term, parseRequestVoteReply(body)),
        () => {},
      );
    }
  }

  private ask(term: number): RequestVoteArgs {
    return { term, candidateId: this.node.id, lastLogIndex: this.node.log.lastIndex, lastLogTerm: this.node.log.lastTerm };
  }

  private onVote(peer: Peer, sentTerm: number, reply: RequestVoteReply | undefined): void {
    const node = this.node;
    if (!reply || node.isStopped) return;
    if (node.observeTerm(reply.term)) return;
    if (node.role === 'leader' || !reply.voteGranted) return;
    // The course code counts a granted vote whatever election it answers, checking neither the
    // term nor that it is still a candidate (it awaits every answer, then counts).
    if (!node.has('late-votes') && (node.role !== 'candidate' || sentTerm !== node.term)) return;
    this.votes.add(peer.id);
    if (this.votes.size >= node.majority()) node.becomeLeader();
  }

  handleRequestVote(args: RequestVoteArgs): RequestVoteReply {
    const node = this.node;
    if (args.term > node.term && node.inLeaderLease()) return { term: node.term, voteGranted: false };
    const upToDate =
      mutant('raft-vote-ignores-log') ||
      (mutant('raft-vote-log-term-only') && args.lastLogTerm >= node.log.lastTerm) ||
      args.lastLogTerm > node.log.lastTerm ||
      (args.lastLogTerm === node.log.lastTerm && args.lastLogIndex >= node.log.lastIndex);
    // A pre-vote changes nothing here: would we vote in that term?
    if (args.preVote) return { term: node.term, voteGranted: args.term > node.term && upToDate };
    node.observeTerm(args.term);
    const free = node.votedFor === null || node.votedFor === args.candidateId || mutant('raft-double-vote');
    const grant = args.term === node.term && free && upToDate;
    if (grant) {
      node.setTermAndVote(node.term, args.candidateId);
      node.resetElectionTimer();
    }
    return { term: node.term, voteGranted: grant };
  }
}
