/** Builds of faultline's images that nothing tags any more, and that nothing else would remove. */
import type Docker from 'dockerode';
import { LABEL } from './client.js';

/**
 * Removes the untagged (dangling) faultline images of `kind` that no container uses: builds that
 * were replaced while a container still ran them. One still in use is kept (the engine refuses
 * to remove it; that error is ignored) and goes at a later call, once it is free.
 */
export async function removeUnusedOldBuilds(docker: Docker, kind: string): Promise<string[]> {
  const removed: string[] = [];
  try {
    const dangling = await docker.listImages({ filters: { dangling: ['true'], label: [`${LABEL.owner}=true`, `${LABEL.image}=${kind}`] } });
    if (dangling.length === 0) return removed;
    const used = new Set((await docker.listContainers({ all: true })).map((c) => c.ImageID));
    for (const image of dangling) {
      if (used.has(image.Id)) continue;
      try {
        await docker.getImage(image.Id).remove(); // no force: refused while a container uses it
        removed.push(image.Id);
      } catch {
        // in use (a container made meanwhile), or already gone
      }
    }
  } catch {
    // the engine could not list: nothing is removed, the build itself went fine
  }
  return removed;
}
