/** Every shipped campaign loads with the engine's loader, and the bug campaigns cover every BUGS toggle. */
import { describe, expect, it } from 'vitest';
import { listSystems } from '../harness/descriptor.js';
import { loadCampaign } from '../harness/campaign/load.js';
import { listCampaignNames } from '../harness/campaign/find.js';
import { defaultRegistries } from '../harness/campaign/registries.js';

const names = listCampaignNames();
const KINDS = ['smoke', 'partitions', 'crashes', 'latency', 'mixed'];

describe('campaigns/', () => {
  it.each(names)('%s loads, names its expectation, and fits the detection budget', async (name) => {
    const campaign = await loadCampaign(name, { registries: defaultRegistries(), seed: 1 });
    expect(campaign.name).toBe(name);
    expect(campaign.spec.expected).toBeDefined();
    expect(campaign.spec.description.length).toBeGreaterThan(10);
    if (name.startsWith('bugs/')) {
      expect(campaign.spec.expected?.verdict).toBe('invalid');
      expect(campaign.spec.expected?.findings?.length ?? 0).toBeGreaterThan(0);
      expect(campaign.spec.time_limit).toBeLessThanOrEqual(30_000);
      const bug = name.slice('bugs/'.length).slice(campaign.system.name.length + 1);
      expect(name.slice('bugs/'.length)).toBe(`${campaign.system.name}-${bug}`);
      expect(campaign.spec.settings.bugs).toContain(bug);
    }
  });

  it('has smoke, partitions, crashes, latency and mixed campaigns for every shipped system', () => {
    for (const system of listSystems()) {
      for (const kind of KINDS) expect(names, `${system.name}-${kind}`).toContain(`${system.name}-${kind}`);
    }
  });

  it('has one bug campaign per BUGS toggle of every shipped system', () => {
    for (const system of listSystems()) {
      for (const bug of system.bugs) expect(names, `bugs/${system.name}-${bug.name}`).toContain(`bugs/${system.name}-${bug.name}`);
    }
  });
});
