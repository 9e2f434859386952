/**
 * Reading a compose file (compose/<system>.yml) the way `docker compose` does for the parts
 * faultline needs: services, their image, environment, command and volumes, with `${VAR}`,
 * `${VAR:-default}` and `${VAR-default}` interpolated from the environment; and the Toxiproxy
 * config file (a JSON array of proxies, as POST /populate takes) that its toxiproxy service loads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const serviceSchema = z.looseObject({
  image: z.string().optional(),
  build: z.union([z.string(), z.looseObject({ context: z.string().optional(), dockerfile: z.string().optional(), args: z.record(z.string(), z.string()).optional() })]).optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
  environment: z.union([z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])), z.array(z.string())]).optional(),
  volumes: z.array(z.union([z.string(), z.looseObject({ source: z.string().optional(), target: z.string() })])).optional(),
  ports: z.array(z.union([z.string(), z.number()])).optional(),
  profiles: z.array(z.string()).optional(),
  depends_on: z.union([z.array(z.string()), z.record(z.string(), z.unknown())]).optional(),
});

const composeSchema = z.looseObject({
  name: z.string().optional(),
  services: z.record(z.string(), serviceSchema),
});

export interface ComposeService {
  name: string;
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  command?: string[];
  environment: Record<string, string>;
  /** Bind mounts, source resolved against the compose file's folder. Named volumes: source undefined. */
  volumes: { source?: string; target: string; readOnly: boolean }[];
  /** "127.0.0.1:3001:3001" style entries, interpolated. */
  ports: string[];
  profiles: string[];
}

export interface ComposeFile {
  file: string;
  /** The variables the file takes from the environment (`${NAME...}`). */
  interpolated: string[];
  /** The `name:` key, if any. */
  name?: string;
  services: Record<string, ComposeService>;
}

export interface ProxyConfig {
  name: string;
  listen: string;
  upstream: string;
  enabled?: boolean;
}

export class ComposeFileError extends Error {}

/** `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `$VAR`, `$$` as docker compose reads them. */
export function interpolate(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, name?: string, op?: string, fallback?: string, bare?: string) => {
    if (match === '$$') return '$';
    if (bare) return env[bare] ?? '';
    const value = env[name!];
    if (op === ':-') return value === undefined || value === '' ? (fallback ?? '') : value;
    if (op === '-') return value === undefined ? (fallback ?? '') : value;
    return value ?? '';
  });
}

export function loadComposeFile(file: string, env: NodeJS.ProcessEnv = process.env): ComposeFile {
  const path = resolve(file);
  if (!existsSync(path)) throw new ComposeFileError(`${file}: no such compose file`);
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ComposeFileError(`${file}: ${(err as Error).message}`);
  }
  const parsed = composeSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new ComposeFileError(`${file}: not a compose file this can read\n${issues.join('\n')}`);
  }
  const dir = dirname(path);
  const str = (v: string): string => interpolate(v, env);
  const services: Record<string, ComposeService> = {};
  for (const [name, s] of Object.entries(parsed.data.services)) {
    const environment: Record<string, string> = {};
    if (Array.isArray(s.environment)) {
      for (const entry of s.environment) {
        const i = entry.indexOf('=');
        if (i > 0) environment[entry.slice(0, i)] = str(entry.slice(i + 1));
      }
    } else if (s.environment) {
      for (const [k, v] of Object.entries(s.environment)) environment[k] = v === null ? '' : str(String(v));
    }
    const volumes = (s.volumes ?? []).map((v) => {
      if (typeof v !== 'string') {
        const source = v.source === undefined ? undefined : str(v.source);
        return { source: source && isPath(source) ? resolve(dir, source) : undefined, target: v.target, readOnly: v.read_only === true };
      }
      const [source, target, mode] = str(v).split(':');
      if (target === undefined) return { target: source!, readOnly: false };
      return { source: isPath(source!) ? resolve(dir, source!) : undefined, target, readOnly: mode === 'ro' };
    });
    services[name] = {
      name,
      ...(s.image !== undefined && { image: str(s.image) }),
      ...(s.build !== undefined && {
        build:
          typeof s.build === 'string'
            ? { context: str(s.build) }
            : {
                ...(s.build.context !== undefined && { context: str(s.build.context) }),
                ...(s.build.dockerfile !== undefined && { dockerfile: str(s.build.dockerfile) }),
                ...(s.build.args && { args: Object.fromEntries(Object.entries(s.build.args).map(([k, v]) => [k, str(v)])) }),
              },
      }),
      ...(s.command !== undefined && { command: typeof s.command === 'string' ? str(s.command).split(/\s+/) : s.command.map(str) }),
      environment,
      volumes,
      ports: (s.ports ?? []).map((p) => str(String(p))),
      profiles: s.profiles ?? [],
    };
  }
  const text = readFileSync(path, 'utf8');
  const interpolated = [...new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))];
  return { file: path, interpolated, ...(parsed.data.name !== undefined && { name: str(parsed.data.name) }), services };
}

function isPath(source: string): boolean {
  return source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
}

/**
 * The compose project to attach to: explicit (`--project`), COMPOSE_PROJECT_NAME, the file's
 * `name:`, else `faultline-<file name>` (compose/raft.yml: faultline-raft). The compose files
 * have no `name:` (docker-compose v1 rejects it), so the docs start them with
 * `-p faultline-<system>`; compose itself would default to the folder's name.
 */
export function projectName(compose: ComposeFile, explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const name = explicit ?? env.COMPOSE_PROJECT_NAME ?? compose.name ?? `faultline-${basename(compose.file).replace(/\.ya?ml$/, '')}`;
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

/** The Toxiproxy config file mounted into the `toxiproxy` service (target ending in .json). */
export function toxiproxyConfig(compose: ComposeFile, service = 'toxiproxy'): { file: string; proxies: ProxyConfig[] } {
  const svc = compose.services[service];
  if (!svc) throw new ComposeFileError(`${compose.file}: no "${service}" service`);
  const mount = svc.volumes.find((v) => v.source && v.target.endsWith('.json'));
  if (!mount?.source) throw new ComposeFileError(`${compose.file}: the ${service} service mounts no Toxiproxy config (.json) file`);
  let proxies: unknown;
  try {
    proxies = JSON.parse(readFileSync(mount.source, 'utf8'));
  } catch (err) {
    throw new ComposeFileError(`${mount.source}: ${(err as Error).message}`);
  }
  const parsed = z.array(z.object({ name: z.string(), listen: z.string(), upstream: z.string(), enabled: z.boolean().optional() })).safeParse(proxies);
  if (!parsed.success) throw new ComposeFileError(`${mount.source}: expected a JSON array of {name, listen, upstream}`);
  return { file: mount.source, proxies: parsed.data };
}

/** "host:port" -> { host, port }. */
export function splitHostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}
