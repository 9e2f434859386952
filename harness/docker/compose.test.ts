/**
 * Each compose/<system>.yml agrees with systems/<system>/system.yaml: the node services are the
 * descriptor's node ids, built from its Dockerfile, with its port, settings and variables; every
 * link faultline makes is a proxy of the Toxiproxy config (same name, upstream the node), the
 * nodes' peers are those proxies, and every client proxy is published on 127.0.0.1.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPeers, listSystems, nodeIds, projectRoot } from '../descriptor.js';
import { CLIENT, linkName } from '../network/network.js';
import { COMPOSE_PROXY_PREFIX } from '../runtime/docker/compose.js';
import { interpolate, loadComposeFile, projectName, splitHostPort, toxiproxyConfig } from './compose-file.js';
import { systemImage } from './images.js';

const systems = listSystems();
const env = {}; // compose defaults: no BUGS, no TOXIPROXY_IMAGE

describe('compose files agree with the system descriptors', () => {
  it('there is one compose file per system', () => {
    expect(systems.map((s) => s.name).sort()).toEqual(['chat', 'queue', 'raft', 'store']);
    for (const s of systems) expect(existsSync(join(projectRoot, 'compose', `${s.name}.yml`)), s.name).toBe(true);
  });

  for (const system of systems) {
    it(`${system.name}: nodes, env, peers, proxies and ports`, () => {
      const compose = loadComposeFile(join(projectRoot, 'compose', `${system.name}.yml`), env);
      expect(projectName(compose, undefined, env)).toBe(`faultline-${system.name}`);
      const nodeServices = Object.values(compose.services).filter((s) => s.name !== 'toxiproxy' && s.profiles.length === 0);
      const ids = nodeIds(system, nodeServices.length);
      expect(nodeServices.map((s) => s.name)).toEqual(ids);
      expect(ids.length).toBeGreaterThanOrEqual(system.nodes.min);
      expect(ids.length).toBeLessThanOrEqual(system.nodes.max);

      const toxiproxy = compose.services.toxiproxy!;
      expect(toxiproxy.image).toBe('ghcr.io/shopify/toxiproxy');
      expect(interpolate('${TOXIPROXY_IMAGE:-ghcr.io/shopify/toxiproxy}', { TOXIPROXY_IMAGE: 'faultline-toxiproxy' })).toBe('faultline-toxiproxy');
      expect(toxiproxy.command).toEqual(expect.arrayContaining(['-host=0.0.0.0', '-config=/config/toxiproxy.json']));
      const { proxies } = toxiproxyConfig(compose);
      const byName = new Map(proxies.map((p) => [p.name, p]));
      const ports = proxies.map((p) => splitHostPort(p.listen).port);
      expect(new Set(ports).size).toBe(ports.length);

      // exactly the links createNetwork makes, each to its node's port
      const expected = [
        ...ids.flatMap((from) => ids.filter((to) => to !== from).map((to) => [from, to] as const)),
        ...ids.map((to) => [CLIENT, to] as const),
      ];
      expect(proxies.map((p) => p.name).sort()).toEqual(expected.map(([f, t]) => linkName(COMPOSE_PROXY_PREFIX, f, t)).sort());
      for (const [from, to] of expected) {
        const proxy = byName.get(linkName(COMPOSE_PROXY_PREFIX, from, to))!;
        expect(proxy.upstream).toBe(`${to}:${system.port}`);
        expect(splitHostPort(proxy.listen).host).toBe('0.0.0.0');
      }

      for (const node of nodeServices) {
        const id = node.name;
        expect(node.image).toBe(systemImage(system).ref);
        expect(node.build?.dockerfile).toBe(system.container.dockerfile);
        expect(node.build?.context).toBe('..');
        const e = node.environment;
        expect(e[system.env.id]).toBe(id);
        expect(e[system.env.port]).toBe(String(system.port));
        expect(e.HOST).toBe('0.0.0.0');
        const peers = ids
          .filter((p) => p !== id)
          .map((p) => ({ id: p, host: 'toxiproxy', port: splitHostPort(byName.get(linkName(COMPOSE_PROXY_PREFIX, id, p))!.listen).port }));
        expect(e[system.env.peers]).toBe(formatPeers(system, peers));
        if (system.env.dataDir) expect(e[system.env.dataDir]).toBe('/data');
        if (system.env.bugs) {
          expect(e[system.env.bugs]).toBe('');
          const withBugs = loadComposeFile(compose.file, { BUGS: 'a,b' }).services[id]!.environment;
          expect(withBugs[system.env.bugs]).toBe('a,b');
        }
        const clientPort = splitHostPort(byName.get(linkName(COMPOSE_PROXY_PREFIX, CLIENT, id))!.listen).port;
        if (system.env.advertise) expect(e[system.env.advertise]).toBe(`${system.protocol}://127.0.0.1:${clientPort}`);
        for (const [k, v] of Object.entries(system.settings)) expect(e[k], `${id} ${k}`).toBe(v);
        // a person reaches the node on its client proxy, published on the same port
        expect(toxiproxy.ports).toContain(`127.0.0.1:${clientPort}:${clientPort}`);
      }
    });
  }

  it('reads compose interpolation as docker compose does', () => {
    expect(interpolate('${A:-x} ${B-y} ${C} $$D $E', { A: '', B: '', E: 'e' })).toBe('x  ' + ' $D e');
  });
});
