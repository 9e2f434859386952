// Writes the package-lock.json of a consumer project (a copy of examples/ whose `faultline`
// dependency is a packed tarball) from this repository's lock, so `npm ci --offline` installs it
// from npm's cache alone: after this repository's `npm ci` the cache holds every tarball, but not
// the registry metadata a lock-less install needs to resolve version ranges.
// usage: node .ci/consumer-lock.mjs <repo dir> <consumer dir> <tarball>
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const [repo, consumer, tarball] = process.argv.slice(2);
if (!repo || !consumer || !tarball) throw new Error('usage: node .ci/consumer-lock.mjs <repo dir> <consumer dir> <tarball>');
const repoLock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8'));
const faultline = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(consumer, 'package.json'), 'utf8'));

const packages = { '': { name: pkg.name, version: pkg.version, dependencies: pkg.dependencies, devDependencies: pkg.devDependencies } };
const pick = (o, keys) => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
packages['node_modules/faultline'] = {
  version: faultline.version,
  resolved: `file:${relative(consumer, tarball)}`,
  integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
  ...pick(faultline, ['license', 'dependencies', 'bin', 'engines', 'peerDependencies', 'peerDependenciesMeta']),
};
// Every package of the repository's tree: faultline's dependencies and the consumer's dev tools
// (vitest, typescript, @types/node) are among them; npm leaves out those nothing requires. Each
// gets its tarball URL, so npm takes it from the cache by its integrity without asking for metadata.
const registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim().replace(/\/+$/, '');
for (const [path, entry] of Object.entries(repoLock.packages)) {
  if (path === '' || !path.startsWith('node_modules/')) continue;
  const { dev, devOptional, peer, ...rest } = entry;
  const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const resolved = entry.resolved ?? (entry.link ? undefined : `${registry}/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`);
  packages[path] = { ...rest, ...(resolved && { resolved }) };
}
for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
  if (!packages[`node_modules/${name}`]) throw new Error(`${name}: not in ${repo}/package-lock.json, so not in npm's cache`);
}
writeFileSync(join(consumer, 'package-lock.json'), JSON.stringify({ name: pkg.name, version: pkg.version, lockfileVersion: 3, requires: true, packages }, null, 2) + '\n');
