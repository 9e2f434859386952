/**
 * GET /metrics of the embedded Toxiproxy, in the Prometheus text format, with what
 * `toxiproxy-server -proxy-metrics -runtime-metrics` serves that applies here: per proxy and
 * direction, the bytes received from the source and sent to the destination
 * (`toxiproxy_proxy_received_bytes_total`, `toxiproxy_proxy_sent_bytes_total`, labels
 * direction, listener, proxy, upstream), and the process metrics (`process_*`).
 */
import type { Proxy } from './proxy.js';

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function prometheusText(proxies: readonly Proxy[]): string {
  const lines: string[] = [];
  const usage = process.cpuUsage();
  const family = (name: string, type: 'counter' | 'gauge', help: string, samples: string[]): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples);
  };
  family('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.', [
    `process_cpu_seconds_total ${(usage.user + usage.system) / 1e6}`,
  ]);
  family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [`process_resident_memory_bytes ${process.memoryUsage.rss()}`]);
  family('process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.', [
    `process_start_time_seconds ${Math.round((Date.now() - process.uptime() * 1000) / 10) / 100}`,
  ]);
  const byProxy = [...proxies].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const which of ['received', 'sent'] as const) {
    const name = `toxiproxy_proxy_${which}_bytes_total`;
    const samples: string[] = [];
    for (const direction of ['downstream', 'upstream'] as const) {
      for (const p of byProxy) {
        const labels = `direction="${direction}",listener="${escapeLabel(p.listen)}",proxy="${escapeLabel(p.name)}",upstream="${escapeLabel(p.upstream)}"`;
        samples.push(`${name}{${labels}} ${p.counts[direction][which]}`);
      }
    }
    family(name, 'counter', '', samples);
  }
  return `${lines.join('\n')}\n`;
}
