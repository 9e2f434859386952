/** Leader election: a candidate's round of RequestVote, and the vote a node gives (Raft §5.2, §5.4.1). */
import type { Peer } from './config.js';
import { parseRequestVoteReply, type RequestVoteArgs, type RequestVoteReply } from './messages.js';
import type { RaftNode } from './node.js';
import { postJson } from './rpc.js';

export class Election {
  /** Voters for this node in its current candidacy. */
  private votes = new Set<string>();

  constructor(private readonly node: RaftNode) {}

  /** The election timeout fired: a new term, a vote for ourselves, and a request to every peer. */
  start(): void {
    const node = this.node;
    node.setTermAndVote(node.term + 1, node.id);
    node.becomeCandidate();
    node.say(`term ${node.term}: candidate`);
    this.votes = new Set([node.id]);
    node.resetElectionTimer();
    if (this.votes.size >= node.majority()) {
      node.becomeLeader();
      return;
    }
    const args: RequestVoteArgs = {
      term: node.term,
      candidateId: node.id,
      lastLogIndex: node.log.lastIndex,
      lastLogTerm: node.log.lastTerm,
    };
    for (const peer of node.peers) {
      postJson(`${peer.url}/raft/request-vote`, args, node.config.rpcTimeoutMs).then(
        (body) => this.onReply(peer, args.term, parseRequestVoteReply(body)),
        () => {},
      );
    }
  }

  private onReply(peer: Peer, sentTerm: number, reply: RequestVoteReply | undefined): void {
    const node = this.node;
    if (!reply || node.isStopped) return;
    if (node.observeTerm(reply.term)) return;
    if (node.role !== 'candidate') return;
    // The course code counts a granted vote whatever election it answers.
    if (sentTerm !== node.term && !node.has('late-votes')) return;
    if (!reply.voteGranted) return;
    this.votes.add(peer.id);
    if (this.votes.size >= node.majority()) node.becomeLeader();
  }

  handleRequestVote(args: RequestVoteArgs): RequestVoteReply {
    const node = this.node;
    node.observeTerm(args.term);
    const upToDate =
      args.lastLogTerm > node.log.lastTerm ||
      (args.lastLogTerm === node.log.lastTerm && args.lastLogIndex >= node.log.lastIndex);
    const free = node.votedFor === null || node.votedFor === args.candidateId;
    const grant = args.term === node.term && free && upToDate;
    if (grant) {
      node.setTermAndVote(node.term, args.candidateId);
      node.resetElectionTimer();
    }
    return { term: node.term, voteGranted: grant };
  }
}
