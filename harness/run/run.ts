/**
 * One run of a campaign, start to end: the run folder, the Toxiproxy (given or embedded), the
 * network, the nodes, the status monitor, the clients and the nemesis for the time limit; then
 * every fault healed, the final phase, everything stopped, and the history checked. Stopping
 * early (`signal`, from Ctrl-C or SIGTERM) still heals, stops every node and proxy, flushes the
 * history and checks what was recorded.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeRunReport } from '../../reports/index.js';
import type { Campaign } from '../campaign/load.js';
import type { Checker } from '../../core/checker.js';
import { UserError } from '../../core/errors.js';
import { formatPeers } from '../descriptor.js';
import { AdaptiveChooser, DEFAULT_EXPLORE } from '../nemesis/adaptive.js';
import { Nemesis } from '../nemesis/nemesis.js';
import type { PlannedFault } from '../../core/fault.js';
import { createNetwork, removeProxies, type Endpoint, type Network } from '../network/network.js';
import { startEmbeddedToxiproxy, type EmbeddedToxiproxy } from '../proxy/server.js';
import { Random } from '../../core/random.js';
import { createRuntime, type AttachOptions } from '../runtime/index.js';
import { removeLeftovers, removeRunRecord, writeRunRecord, type RunRecord } from '../runtime/leftovers.js';
import type { Runtime } from '../runtime/runtime.js';
import type { NodeEndpoint } from '../../core/workload.js';
import { checkRunFolder, writeResults, type RunResults } from './check.js';
import { Clients } from './clients.js';
import { collectDigests } from './digests.js';
import { createRunFolder, RUN_FILES } from './folder.js';
import { HistoryWriter } from './history.js';
import { StatusMonitor } from './monitor.js';
import { planFaultsOf } from './plan.js';
import type { Progress } from './progress.js';
import { exitCodeFor } from './verdict.js';

export interface RunSettings {
  campaign: Campaign;
  /** `process` or `docker`. */
  runtime: string;
  /** docker runtime: attach to an already-running compose project instead of making containers. */
  attach?: AttachOptions;
  /** Where run folders go (runs/ by default): <outDir>/<campaign>/<timestamp>/. */
  outDir: string;
  /** The command that replays this run, for results.json and the last line of output; or made
   *  from the run folder (a campaign defined in code replays from the folder's campaign.yaml). */
  replay: string | ((runDir: string) => string);
  /** The replay of a run whose faults were chosen as it went (adaptive mode): `replay` made to
   *  run the fault sequence recorded in `planFile` (`--faults FILE`). */
  replayWithFaults?: (planFile: string) => string;
  checkers: Readonly<Record<string, Checker>>;
  progress: Progress;
  /** Aborting stops the run early (cleanly, and the history is still checked). */
  signal?: AbortSignal;
  /** Called with the run folder once every node, proxy and client is stopped, before the checks
   *  (not when the run failed before it started: then nothing is checked).
   *  The checks run synchronously (a signal handler cannot run meanwhile): the CLI gives Ctrl-C
   *  back its default here, so it ends a long check at once. */
  onCleanedUp?: (dir: string) => void;
  /** A Toxiproxy to use; default TOXIPROXY_URL, else the embedded one in this process. */
  toxiproxyUrl?: string;
  /** How long a node has to answer its health check after (re)starting. Default 30 s. */
  healthTimeoutMs?: number;
  /** Status monitor period. Precedence: this, then env FAULTLINE_MONITOR_MS, then the campaign's `monitor.interval` (default 200 ms). */
  monitorIntervalMs?: number;
}

export interface RunOutcome {
  dir: string;
  results: RunResults;
  exitCode: number;
}

export async function runCampaign(settings: RunSettings): Promise<RunOutcome> {
  const { campaign, progress, signal } = settings;
  const { spec, system, nodes } = campaign;
  const healthTimeoutMs = settings.healthTimeoutMs ?? envMs('FAULTLINE_HEALTH_TIMEOUT_MS', 30_000);
  const startedAt = new Date();
  const started = performance.now();
  const folder = createRunFolder(settings.outDir, campaign.name, startedAt);
  const dir = folder.dir;
  writeFileSync(join(dir, RUN_FILES.campaign), campaign.resolvedYaml);
  const root = new Random(campaign.seed);
  const { faults: faultPlan, slots } = planFaultsOf(campaign, root);
  const planFile = join(dir, RUN_FILES.plan);
  const planHeader = { seed: campaign.seed, ...(campaign.recordedFaults && { recorded: true }) };
  writeFileSync(planFile, JSON.stringify({ ...planHeader, faults: faultPlan, faultStyles: campaign.faults.styles() }, null, 2) + '\n');
  // adaptive mode: the slots' faults are chosen as the run goes, and plan.json records the choices
  const adaptive =
    slots.size > 0
      ? new AdaptiveChooser({
          specs: spec.nemesis.faults,
          nodes,
          faults: campaign.faults,
          random: root.fork('nemesis-adaptive'),
          explore: spec.nemesis.explore ?? DEFAULT_EXPLORE,
          file: planFile,
          header: { seed: campaign.seed, faultStyles: campaign.faults.styles() },
        })
      : undefined;
  for (const fault of faultPlan) if (adaptive && !slots.has(fault.id)) adaptive.fixed(fault);
  const replay = adaptive && settings.replayWithFaults ? settings.replayWithFaults(planFile) : typeof settings.replay === 'function' ? settings.replay(dir) : settings.replay;

  for (const left of await removeLeftovers(removeProxies)) {
    progress.event(`removed leftovers of run ${left.runId} (pids ${left.killed.join(' ') || 'none'})`);
  }
  const record: RunRecord = { runId: folder.runId, pid: process.pid, runDir: dir, nodes: {} };
  writeRunRecord(record);

  let proxy: EmbeddedToxiproxy | undefined;
  let runtime: Runtime | undefined;
  let runtimeProxy: string | undefined;
  let network: Network | undefined;
  let history: HistoryWriter | undefined;
  let monitor: StatusMonitor | undefined;
  let clients: Clients | undefined;
  let nemesis: Nemesis | undefined;
  let failure: Error | undefined;
  let interrupted: string | undefined;
  const onAbort = (): void => {
    interrupted = reasonOf(signal);
    progress.event(`stopping (${interrupted}): healing, stopping nodes, checking what was recorded`);
    clients?.interrupt();
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const stopped = (): boolean => interrupted !== undefined;

  // the toxics' per-connection choices (embedded server or the runtime's proxy container) come from the run's seed
  const proxySeed = root.fork('toxiproxy').seed;
  try {
    runtime = await createRuntime(settings.runtime, {
      system,
      proxySeed,
      runId: folder.runId,
      runDir: dir,
      ...(settings.attach && { attach: settings.attach }),
      // power-loss: the nodes keep a record of what they fsynced
      durability: faultPlan.some((f) => campaign.faults.get(f.type)?.needs?.durability === true),
      onPids: (pids) => {
        record.nodes = { ...record.nodes, ...pids };
        writeRunRecord(record);
      },
      log: (line) => progress.event(line),
    });
    // Ctrl-C while images are built or the runtime gets ready (docker) stops it at once.
    const upstreams = await runtime.prepare(nodes, signal).catch((err: unknown) => {
      if (stopped()) throw new UserError(`interrupted (${interrupted}) before the run started`);
      throw err;
    });
    if (stopped()) throw new UserError(`interrupted (${interrupted}) before the run started`);
    // A runtime with a Toxiproxy of its own (docker: a container on the run's network) uses it.
    runtimeProxy = runtime.toxiproxyUrl;
    const given = runtimeProxy ?? settings.toxiproxyUrl ?? process.env.TOXIPROXY_URL;
    const prefix = `faultline_${folder.runId.replace(/[^0-9A-Za-z]/g, '')}_`;
    if (given && !runtimeProxy) {
      record.toxiproxy = { url: given, prefix };
      writeRunRecord(record);
    }
    if (!given) proxy = await startEmbeddedToxiproxy({ host: '127.0.0.1', port: 0, seed: proxySeed });
    const toxiproxyUrl = given ?? proxy!.url;
    progress.event(`toxiproxy: ${toxiproxyUrl}${proxy ? ' (embedded)' : runtimeProxy ? ` (${settings.runtime} runtime)` : ''}`);
    const netLog = join(dir, RUN_FILES.net);
    network = await createNetwork({
      toxiproxyUrl,
      nodes: nodes.map((id) => ({ id, upstream: upstreams.get(id)! })),
      prefix,
      ...runtime.proxyHosts,
      onChange: (event) => appendFileSync(netLog, JSON.stringify(event) + '\n'),
    });
    const net = network;
    const rt = runtime;

    progress.event(`starting ${nodes.length} ${system.name} nodes (${settings.runtime} runtime), run folder ${dir}`);
    await Promise.all(nodes.map((id) => rt.start({ id, env: nodeEnv(campaign, id, net) })));
    // Ctrl-C while nodes come up does not wait for them.
    await Promise.race([Promise.all(nodes.map((id) => rt.waitHealthy(id, healthTimeoutMs, signal))), untilAborted(signal)]);
    if (stopped()) throw new UserError(`interrupted (${interrupted}) before the run started`);

    const log = new HistoryWriter(join(dir, RUN_FILES.history));
    history = log;
    if (adaptive) log.subscribe((op) => adaptive.observe(op));
    monitor = new StatusMonitor(system, nodes, rt, log, {
      intervalMs: settings.monitorIntervalMs ?? envMs('FAULTLINE_MONITOR_MS', spec.monitor.interval),
      watch: { intervalMs: spec.monitor.watch.interval, durationMs: spec.monitor.watch.duration },
    });
    const generator = campaign.workload.generator(campaign.workloadOptions, root.fork('generator'));
    if (generator.leaderChanged) {
      monitor.onLeaderChange((leader) => {
        generator.leaderChanged!(leader);
        if (generator.urgent?.()) clients?.hurry();
      });
    }
    monitor.start();
    const endpoints: NodeEndpoint[] = nodes.map((id) => ({ id, url: urlOf(system.protocol, net.clientEndpoint(id)) }));
    clients = new Clients({
      workload: campaign.workload,
      workloadOptions: campaign.workloadOptions,
      generator,
      nodes: endpoints,
      concurrency: spec.clients.concurrency,
      rate: spec.clients.rate,
      timeoutMs: spec.clients.timeout,
      random: root,
      history: log,
      api: system.api,
    });
    await clients.open();
    const mon = monitor;
    nemesis = new Nemesis({
      plan: faultPlan,
      faults: campaign.faults,
      runtime: rt,
      network: net,
      nodes,
      record: (op) => {
        log.record(op);
        // a fault started or ended: the elections it sets off are short, watch them closely
        if (op.type === 'info') mon.watch();
      },
      leader: () => mon.leader(),
      random: root.fork('nemesis-apply'),
      healthTimeoutMs,
      signal,
      onEvent: (line) => progress.event(line),
      ...(adaptive && { decide: (fault: PlannedFault) => (slots.has(fault.id) ? adaptive.choose(fault) : fault) }),
    });
    const nem = nemesis;

    let phase = 'main';
    const phaseStart = performance.now();
    progress.start(() => ({
      elapsedMs: performance.now() - phaseStart,
      phase,
      ok: log.counts.ok,
      fail: log.counts.fail,
      info: log.counts.info,
      faults: nem.activeFaults(),
    }));
    const c = clients;
    const timer = setTimeout(() => c.stop(), spec.time_limit);
    if (!stopped()) {
      nemesis.start();
      await clients.runMain();
    }
    clearTimeout(timer);
    adaptive?.finish();

    phase = 'heal';
    await nemesis.healAll({ restart: !stopped() });
    if (spec.final.enabled && !stopped()) {
      await sleepUnless(spec.final.settle, signal);
      if (!stopped()) {
        phase = 'final';
        progress.event('final phase (healed)');
        clients.resume();
        await clients.runFinal(spec.final.timeout);
      }
      if (!stopped()) {
        phase = 'digests';
        await collectDigests({ system, nodes, runtime: rt, history: log, timeoutMs: spec.final.timeout, ...(signal && { signal }) });
      }
    }
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
  } finally {
    signal?.removeEventListener('abort', onAbort);
    progress.stop();
    nemesis?.cancel();
    adaptive?.finish();
    await monitor?.stop();
    clients?.stop();
    await clients?.close().catch(() => undefined);
    if (failure) await network?.heal().catch(() => undefined);
    // The runtime's own Toxiproxy goes with it: remove the proxies first.
    if (runtimeProxy) await network?.destroy().catch((err: Error) => progress.event(`warning: removing proxies: ${err.message}`));
    await runtime?.destroy().catch((err: Error) => progress.event(`warning: stopping nodes: ${err.message}`));
    await network?.destroy().catch((err: Error) => progress.event(`warning: removing proxies: ${err.message}`));
    await proxy?.close().catch((err: Error) => progress.event(`warning: closing the proxy: ${err.message}`));
    history?.close();
    removeRunRecord(folder.runId);
  }
  if (!history) {
    // Nothing was recorded: the run never started.
    if (failure instanceof UserError) throw failure;
    throw new UserError(`run failed before it started: ${failure?.message ?? 'unknown error'} (run folder ${dir})`);
  }
  const meta = {
    campaign: campaign.name,
    system: system.name,
    seed: campaign.seed,
    runId: folder.runId,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    replay,
    ...(spec.expected && { expected: spec.expected }),
    ...((interrupted ?? failure) && { interrupted: interrupted ?? `harness error: ${failure!.message}` }),
  };
  // The history is whole now: say so before checking, which a Ctrl-C may cut short (a re-check
  // of a folder without results.json treats its history as partial).
  writeResults(dir, { ...meta, valid: 'unknown', results: [] });
  settings.onCleanedUp?.(dir);
  if (failure) progress.event(`harness error: ${failure.message}`);
  const results = await checkRunFolder(dir, meta, campaign.checkers, { ...settings.checkers, ...campaign.checkerModules });
  try {
    await writeRunReport(dir);
  } catch (err) {
    progress.event(`warning: the report could not be written: ${(err as Error).message}`);
  }
  return { dir, results, exitCode: failure ? 3 : exitCodeFor(results.valid) };
}

/** The environment of one node: settings, its id, its peers as proxy addresses, its client URL, bugs. */
export function nodeEnv(campaign: Campaign, id: string, network: Network): Record<string, string> {
  const { system, nodes, spec } = campaign;
  const env: Record<string, string> = { ...system.settings, ...spec.settings.env };
  env[system.env.id] = id;
  const peers = nodes.filter((p) => p !== id).map((p) => ({ id: p, ...network.peerEndpoint(id, p) }));
  env[system.env.peers] = formatPeers(system, peers);
  if (system.env.advertise) env[system.env.advertise] = urlOf(system.protocol, network.clientEndpoint(id));
  if (system.env.bugs && spec.settings.bugs.length > 0) env[system.env.bugs] = spec.settings.bugs.join(',');
  return env;
}

function urlOf(protocol: string, endpoint: Endpoint): string {
  return `${protocol}://${endpoint.host}:${endpoint.port}`;
}

function reasonOf(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  if (typeof reason === 'string') return reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message;
  return 'aborted';
}

function envMs(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** Resolves when the signal aborts (never without one). */
function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve();
    else signal?.addEventListener('abort', () => resolve(), { once: true });
  });
}

function sleepUnless(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
