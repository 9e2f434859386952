/**
 * Containers and networks of runs, found by label: those of one run (a test checks none is
 * left), and those of runs whose harness died (a later run removes them).
 */
import { hostname } from 'node:os';
import type Docker from 'dockerode';
import { isAlive } from '../runtime/leftovers.js';
import { LABEL } from './client.js';

export interface RunObjects {
  containers: { id: string; name: string; runId: string }[];
  networks: { id: string; name: string; runId: string }[];
}

/** Every container (running or not) and network labelled with `runId` (or with any run). */
export async function findRunObjects(docker: Docker, runId?: string): Promise<RunObjects> {
  const label = [runId === undefined ? LABEL.run : `${LABEL.run}=${runId}`];
  const containers = await docker.listContainers({ all: true, filters: { label } });
  const networks = await docker.listNetworks({ filters: { label } });
  return {
    containers: containers.map((c) => ({ id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, ''), runId: c.Labels[LABEL.run] ?? '' })),
    networks: networks.map((n) => ({ id: n.Id, name: n.Name, runId: n.Labels?.[LABEL.run] ?? '' })),
  };
}

/** Removes containers (with their anonymous volumes), then networks. Errors are ignored. */
export async function removeObjects(docker: Docker, objects: RunObjects): Promise<void> {
  await Promise.all(objects.containers.map((c) => docker.getContainer(c.id).remove({ force: true, v: true }).catch(() => undefined)));
  await Promise.all(objects.networks.map((n) => docker.getNetwork(n.id).remove().catch(() => undefined)));
}

/** Removes what runs on this host whose harness process is gone left behind; returns their run ids. */
export async function removeDeadRuns(docker: Docker): Promise<string[]> {
  const host = hostname();
  const all = await docker.listContainers({ all: true, filters: { label: [LABEL.run] } });
  const nets = await docker.listNetworks({ filters: { label: [LABEL.run] } });
  const dead = (labels: Record<string, string> | undefined): boolean => {
    const pid = Number(labels?.[LABEL.pid]);
    return labels?.[LABEL.host] === host && Number.isInteger(pid) && pid !== process.pid && !isAlive(pid);
  };
  const objects: RunObjects = {
    containers: all.filter((c) => dead(c.Labels)).map((c) => ({ id: c.Id, name: c.Names[0] ?? c.Id, runId: c.Labels[LABEL.run] ?? '' })),
    networks: nets.filter((n) => dead(n.Labels)).map((n) => ({ id: n.Id, name: n.Name, runId: n.Labels?.[LABEL.run] ?? '' })),
  };
  await removeObjects(docker, objects);
  return [...new Set([...objects.containers, ...objects.networks].map((o) => o.runId))];
}
