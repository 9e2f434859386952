/**
 * The Runtime: how nodes of a system are started, stopped, killed, paused and resumed. The
 * engine speaks only this interface; `process` runs nodes as child processes on 127.0.0.1,
 * `docker` as containers. A runtime adds what depends on where a node runs (its port, data dir).
 */

export interface Endpoint {
  host: string;
  port: number;
}

export interface NodeLaunch {
  id: string;
  /** The node's environment as the descriptor names it (id, peers, advertise, bugs, settings);
   *  the runtime adds the port and data dir variables. */
  env: Readonly<Record<string, string>>;
}

/** Where the network layer's proxies should listen and which host nodes dial to reach them. */
export interface ProxyHosts {
  listenHost: string;
  peerHost: string;
  clientHost: string;
  /** Proxy name prefix, when the runtime fixes it (attach: the names in the compose project's
   *  Toxiproxy config); the engine's run-specific prefix otherwise. */
  prefix?: string;
  /** Fixed proxy listen ports by proxy name (attach: the ports the compose nodes dial). */
  listenPorts?: Readonly<Record<string, number>>;
}

export type NodeState = 'stopped' | 'running' | 'paused';

export interface Runtime {
  readonly kind: string;
  readonly proxyHosts: ProxyHosts;
  /** A Toxiproxy the runtime runs for the run (docker: a container on the run's network), set by
   *  prepare(). The engine uses it instead of TOXIPROXY_URL / the embedded one, and removes the
   *  run's proxies from it before destroy(). */
  readonly toxiproxyUrl?: string;
  /** Fixes where each node will listen (the proxies' upstreams). Called once, before any start.
   *  When `signal` aborts (Ctrl-C), stops within a second or so (docker: an image build or the
   *  wait for its Toxiproxy) and rejects; destroy() then removes what it made. */
  prepare(nodes: readonly string[], signal?: AbortSignal): Promise<Map<string, Endpoint>>;
  /** Where a node listens, as reachable from the harness (the proxy upstream). */
  address(id: string): Endpoint;
  /** Starts a node (returns once it was launched; see waitHealthy). */
  start(launch: NodeLaunch): Promise<void>;
  /** Resolves once the node answers its health check with a 2xx; rejects after timeoutMs, when
   *  the node exits, or (within a second) when `signal` aborts. */
  waitHealthy(id: string, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** SIGTERM (docker stop), then SIGKILL after a grace period. */
  stop(id: string): Promise<void>;
  /** SIGKILL: no chance to clean up, as in a crash. */
  kill(id: string): Promise<void>;
  /** SIGSTOP (docker pause): the node stays, frozen. */
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Starts a stopped or killed node again with its last launch settings (its data kept). */
  restart(id: string): Promise<void>;
  /** Rolls a stopped node's data directory back to what it had fsynced (docker: when it next
   *  starts); says what was lost. Only when the runtime was created with `durability`. */
  loseUnsynced?(id: string): Promise<string>;
  state(id: string): NodeState;
  /** Stops every node and removes everything the runtime made. Safe to call twice. */
  destroy(): Promise<void>;
}

export class RuntimeError extends Error {}
