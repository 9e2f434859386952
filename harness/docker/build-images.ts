/**
 * `npm run images`: builds every system image (faultline-<system>:latest) and faultline-toxiproxy,
 * first making the Node.js base image from this host's Node.js when node:20-slim cannot be had.
 * Up-to-date images are kept. `--force` rebuilds; names after the options pick systems.
 */
import { listSystems } from '../descriptor.js';
import { dockerClient, dockerUnavailable } from './client.js';
import { ensureBaseImage } from './base-image.js';
import { ensureImage, systemImage, toxiproxyImage, type ImageSpec } from './images.js';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const names = args.filter((a) => !a.startsWith('--'));
  const docker = dockerClient();
  const why = await dockerUnavailable(docker);
  if (why) {
    process.stderr.write(`images: ${why}\n`);
    return 3;
  }
  const systems = listSystems();
  const unknown = names.filter((n) => n !== 'toxiproxy' && !systems.some((s) => s.name === n));
  if (unknown.length > 0) {
    process.stderr.write(`images: unknown image ${unknown.join(', ')}; valid: ${[...systems.map((s) => s.name), 'toxiproxy'].join(', ')}\n`);
    return 3;
  }
  const specs: ImageSpec[] = [...systems.map(systemImage), toxiproxyImage].filter((s) => names.length === 0 || names.includes(s.kind));
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const base = await ensureBaseImage(docker, { log });
  log(`base image: ${base}`);
  for (const spec of specs) {
    const built = await ensureImage(docker, spec, { log, force });
    if (!built) log(`${spec.ref} is up to date`);
  }
  log(`images: ${specs.map((s) => s.ref).join(' ')}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`images: ${err.message}\n`);
    process.exitCode = 3;
  },
);
